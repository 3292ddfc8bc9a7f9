"""Four clusters loaded whose names collide: Paris, Cologne and Amsterdam–Rotterdam are clusters of their
own and also partner locations of Brussels–Antwerp (and of each other). A name is read by its role
in the question; an organization listed in one cluster only fixes the cluster."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot import Answerer
from knowledge.loader import BUNDLED_DIR

COLLIDING = Path(__file__).parent / "profiles_collide"  # fictional figures, in the profiles' own JSON format


@pytest.fixture(scope="module")
def four(tmp_path_factory) -> Answerer:
    directory = tmp_path_factory.mktemp("four")
    for file in [BUNDLED_DIR / "brussels-antwerp.json", BUNDLED_DIR / "aliases.yaml", *COLLIDING.glob("*.json")]:
        shutil.copy(file, directory)
    return Answerer(knowledge=directory)


CASES = [
    (["What is Paris's rank by size?"], ["Paris", "8th"], ["53rd"]),
    (["What is Paris's rank by size?", "And Cologne's?"], ["Cologne", "30th"], ["8th"]),
    (["Who is the top PCT applicant in Cologne?"], ["Bayer"], ["AGFA"]),
    (["Is Paris among Brussels–Antwerp's top patent partners?"], ["Yes", "Paris", "Brussels–Antwerp", "second"], []),
    (["Is Brussels–Antwerp a partner of Paris for articles?"], ["Yes", "Brussels–Antwerp", "Paris's"], []),
    (["Which locations does Paris collaborate with most on articles?"], ["Lyon", "London"], ["Amsterdam"]),
    (["How many PCT applications did Philips file?"], ["1,100", "Amsterdam–Rotterdam"], []),
    (["Which cluster is Bayer in?"], ["Cologne"], ["Paris"]),
    (["Which cluster is the largest?"], ["Paris", "8th"], []),
    (["Compare Paris and Cologne by intensity"], ["35th", "41st"], []),
    (["Who is the top publisher in Rotterdam?"], ["University of Amsterdam"], ["KU Leuven"]),
]


@pytest.mark.parametrize("questions,must,must_not", CASES, ids=[c[0][-1][:50] for c in CASES])
def test_should_read_each_name_by_its_role(four, questions, must, must_not):
    session = f"four-{questions[0][:20]}-{len(questions)}"
    for question in questions:
        answer = four.ask(question, session=session)
    assert answer.status == "answered", answer.text
    for word in must:
        assert word.lower() in answer.text.lower(), f"{word!r} missing: {answer.text}"
    for word in must_not:
        assert word.lower() not in answer.text.lower(), f"{word!r} in: {answer.text}"


def test_should_ask_which_cluster_when_nothing_fixes_it(four):
    assert four.ask("top applicant?").status == "clarify"


def test_should_refuse_a_share_per_partner_even_when_the_partner_is_a_cluster(four):
    answer = four.ask("what share of brussels-antwerp's articles are made with Amsterdam–Rotterdam?")
    assert answer.status == "no_data"
    assert "72%" not in answer.text and "75%" not in answer.text


# -- generated from the loaded profiles: every cluster, misspelt; every measure, across all clusters -----

def _clusters():  # type: ignore[no-untyped-def]
    import json
    files = [BUNDLED_DIR / "brussels-antwerp.json", *sorted(COLLIDING.glob("*.json"))]
    return [json.loads(f.read_text(encoding="utf-8")) for f in files]


CLUSTERS = _clusters()


def _slips(name: str) -> list[str]:
    """A dropped letter and a doubled one, inside the first word (never its first letter)."""
    word = name.split("–")[0].split("-")[0]
    rest = name[len(word):]
    return [word[:2] + word[3:] + rest, word[:3] + word[2] + word[3:] + rest]


SLIPS = [(c["name"], slip, c["rank_size"]) for c in CLUSTERS for slip in _slips(c["name"])]


@pytest.mark.parametrize("name,slip,rank", SLIPS, ids=[s for _, s, _ in SLIPS])
def test_should_read_a_misspelt_cluster_name_as_that_cluster(four, name, slip, rank):
    answer = four.ask(f"What is the size rank of {slip}?")
    assert answer.status == "answered", answer.text
    assert name.split("–")[0] in answer.text and f"{rank}" in answer.text, answer.text


def _suffix(n: int) -> str:
    return "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


EXTREMES = [
    ("Which loaded cluster is the largest?", min(CLUSTERS, key=lambda c: c["rank_size"])),
    ("Which of your clusters is the smallest?", max(CLUSTERS, key=lambda c: c["rank_size"])),
    ("Which loaded cluster has the most scientific articles per million inhabitants?", max(CLUSTERS, key=lambda c: c["articles_per_million"])),
    ("Which of your clusters files the fewest PCT applications per million inhabitants?", min(CLUSTERS, key=lambda c: c["pct_per_million"])),
    ("Which loaded cluster files the largest share of its PCT applications in collaboration?",
     max(CLUSTERS, key=lambda c: c["patent_collaboration"]["share"])),
    ("what is the biggest cluster?", min(CLUSTERS, key=lambda c: c["rank_size"])),
    ("most intensive cluster you have?", min(CLUSTERS, key=lambda c: c["rank_intensity"])),
    ("least intensive cluster?", max(CLUSTERS, key=lambda c: c["rank_intensity"])),
]


@pytest.mark.parametrize("question,expected", EXTREMES, ids=[q[:50] for q, _ in EXTREMES])
def test_should_pick_the_extreme_cluster_by_each_measure(four, question, expected):
    answer = four.ask(question)
    assert answer.status == "answered" and expected["name"] in answer.text, answer.text


def test_should_rank_all_loaded_clusters_in_order(four):
    answer = four.ask("Rank the loaded clusters by size.")
    order = [c["name"] for c in sorted(CLUSTERS, key=lambda c: c["rank_size"])]
    positions = [answer.text.find(name) for name in order]
    assert -1 not in positions and positions == sorted(positions), answer.text


PAIRS = [(a, b) for i, a in enumerate(CLUSTERS) for b in CLUSTERS[i + 1:]]


@pytest.mark.parametrize("a,b", PAIRS, ids=[f"{a['id']}-{b['id']}" for a, b in PAIRS])
def test_should_compare_two_clusters_by_size_with_the_verdict_and_the_gap(four, a, b):
    verdict = four.ask(f"Is {a['name']} a bigger cluster than {b['name']}?")
    assert verdict.text.startswith("Yes" if a["rank_size"] < b["rank_size"] else "No"), verdict.text
    gap = four.ask(f"How many places apart are {a['name']} and {b['name']} in the size ranking?")
    assert f"{abs(a['rank_size'] - b['rank_size'])} place" in gap.text, gap.text


@pytest.mark.parametrize("a,b", PAIRS, ids=[f"{a['id']}-{b['id']}" for a, b in PAIRS])
def test_should_compare_the_top_applicants_of_two_clusters(four, a, b):
    answer = four.ask(f"Whose top PCT applicant filed more, {a['name']}'s or {b['name']}'s?")
    top_a, top_b = a["top_applicants"]["rows"][0], b["top_applicants"]["rows"][0]
    assert f"{top_a['count']:,}" in answer.text and f"{top_b['count']:,}" in answer.text, answer.text
    assert f"{abs(top_a['count'] - top_b['count']):,}" in answer.text, answer.text


BA = next(c for c in CLUSTERS if c["id"] == "brussels-antwerp")
LOADED = {c["name"]: c for c in CLUSTERS}
ORDINAL_WORDS = {1: "first", 2: "second", 3: "third"}
PARTNER_ROWS = [(kind, noun, rank, place) for kind, noun in (("patent_collaboration", "patent"), ("article_collaboration", "scientific article"))
                for rank, place in enumerate(BA[kind]["locations"], start=1)]


@pytest.mark.parametrize("kind,noun,rank,place", PARTNER_ROWS, ids=[f"{k}-{r}" for k, _, r, _ in PARTNER_ROWS])
def test_should_read_a_partner_row_that_is_a_loaded_cluster_as_that_cluster(four, kind, noun, rank, place):
    session = f"partner-row-{kind}-{rank}"
    four.ask(f"Who are Brussels–Antwerp's top partners for {noun}s?", session=session)
    answer = four.ask(f"What is the size rank of the {ORDINAL_WORDS[rank]} of those?", session=session)
    name = place if isinstance(place, str) else place.get("name", "")
    if name in LOADED:
        assert answer.status == "answered" and str(LOADED[name]["rank_size"]) in answer.text, answer.text
    else:
        assert answer.status == "no_data" and name in answer.text, answer.text


def test_should_switch_cluster_on_a_bare_cluster_name_after_a_cluster_question(four):
    for first in CLUSTERS:
        for second in CLUSTERS:
            if first is second:
                continue
            session = f"switch-{first['id']}-{second['id']}"
            four.ask(f"Who is {first['name']}'s top PCT applicant?", session=session)
            answer = four.ask(f"And for {second['name']}?", session=session)
            top = second["top_applicants"]["rows"][0]
            assert answer.status == "answered" and f"{top['count']:,}" in answer.text, answer.text


# -- session 4: rows of two clusters set against each other; a row fixes its cluster over the conversation's --------

def _only_here(table: str) -> list[tuple[dict, dict]]:
    """(cluster, row) for every row of `table` whose name no other loaded cluster lists."""
    names = [r["name"].lower() for c in CLUSTERS for r in c[table]["rows"]]
    return [(c, r) for c in CLUSTERS for r in c[table]["rows"] if names.count(r["name"].lower()) == 1]


ROWS_ACROSS = [(a, ra, b, rb) for i, (a, ra) in enumerate(_only_here("top_applicants"))
               for b, rb in _only_here("top_applicants")[i + 1:] if a["id"] != b["id"]][::3]


@pytest.mark.parametrize("a,ra,b,rb", ROWS_ACROSS, ids=[f"{ra['name'][:12]}-{rb['name'][:12]}" for _, ra, _, rb in ROWS_ACROSS])
def test_should_compare_two_rows_of_two_clusters(four, a, ra, b, rb):
    answer = four.ask(f"Does {ra['name']} file more PCT applications than {rb['name']}?", session=f"across-{ra['name']}-{rb['name']}")
    assert answer.text.startswith("Yes" if ra["count"] > rb["count"] else "No"), answer.text
    assert f"{ra['count']:,}" in answer.text and f"{rb['count']:,}" in answer.text, answer.text
    assert a["name"] in answer.text and b["name"] in answer.text, answer.text


@pytest.mark.parametrize("a,ra,b,rb", ROWS_ACROSS[:6], ids=[f"{ra['name'][:12]}-{b['id']}" for _, ra, b, _ in ROWS_ACROSS[:6]])
def test_should_take_the_cluster_of_a_named_row_over_the_conversations(four, a, ra, b, rb):
    session = f"fixes-{ra['name']}-{b['id']}"
    four.ask(f"Who is the top PCT applicant in {b['name']}?", session=session)
    answer = four.ask(f"How many PCT applications does {ra['name']} file?", session=session)
    assert answer.status == "answered" and f"{ra['count']:,}" in answer.text and a["name"] in answer.text, answer.text


@pytest.mark.parametrize("cluster", CLUSTERS, ids=[c["id"] for c in CLUSTERS])
def test_should_read_outside_inventors_as_collaboration_of_the_cluster_named(four, cluster):
    answer = four.ask(f"What share of PCT applications from the {cluster['name']} cluster are filed with outside inventors?")
    assert answer.status == "answered" and f"{cluster['patent_collaboration']['share']:g}%" in answer.text, answer.text


PAIRS_OF_CLUSTERS = [(a, b) for a in CLUSTERS for b in CLUSTERS if a["id"] != b["id"]][::2]


@pytest.mark.parametrize("a,b", PAIRS_OF_CLUSTERS, ids=[f"{a['id']}-{b['id']}" for a, b in PAIRS_OF_CLUSTERS])
def test_should_take_both_rankings_and_the_two_clusters_from_the_last_turns(four, a, b):
    session = f"both-{a['id']}-{b['id']}"
    four.ask(f"What is {a['name']}'s size rank?", session=session)
    four.ask("And by intensity?", session=session)
    both = four.ask(f"What about {b['name']}, on both?", session=session)
    assert str(b["rank_size"]) in both.text and str(b["rank_intensity"]) in both.text, both.text
    apart = four.ask("How many places apart are the two clusters on intensity?", session=session)
    assert f"{abs(a['rank_intensity'] - b['rank_intensity'])} place" in apart.text, apart.text


# -- questions asked of every loaded cluster (session 5) ------------------------------------------------

def _four_profiles() -> list:
    from knowledge import load
    directory = Path(__file__).parent / "profiles_collide"
    from knowledge.models import ClusterProfile
    import json
    return [ClusterProfile.model_validate(json.loads((BUNDLED_DIR / "brussels-antwerp.json").read_text(encoding="utf-8")))] + [
        ClusterProfile.model_validate(json.loads(p.read_text(encoding="utf-8"))) for p in sorted(directory.glob("*.json"))]


FOUR = _four_profiles()
UNITS = {"patent_collaboration": "patents", "article_collaboration": "scientific articles"}


def _place_holders() -> list[tuple[str, str, list[str]]]:
    """(a partner place of any loaded cluster, a table, the clusters listing it there), from the four profiles."""
    out = []
    for table, unit in UNITS.items():
        places = dict.fromkeys(l.shown for c in FOUR for l in getattr(c, table).locations)
        for place in places:
            out.append((place, unit, [c.name for c in FOUR if place in [l.shown for l in getattr(c, table).locations]]))
    return out


@pytest.mark.parametrize("place,unit,holders", _place_holders(), ids=[f"{p}-{u[:7]}" for p, u, _ in _place_holders()])
def test_should_name_every_loaded_cluster_that_lists_a_partner_place(four, place, unit, holders):
    answer = four.ask(f"Which clusters have {place} among their top collaborating locations for {unit}?")
    assert answer.status == "answered", answer.text
    assert sorted(answer.data["clusters"]) == sorted(holders), answer.text


@pytest.mark.parametrize("n", [5, 10, 25, 30, 50])
@pytest.mark.parametrize("ranking,attribute", [("size", "rank_size"), ("intensity", "rank_intensity")])
def test_should_count_the_loaded_clusters_inside_a_top_n(four, n, ranking, attribute):
    inside = [c.name for c in FOUR if getattr(c, attribute) <= n]
    answer = four.ask(f"How many of the loaded clusters are in the top {n} by {ranking}?")
    assert sorted(answer.data["clusters"]) == sorted(inside), answer.text
    assert (f"for {len(inside)} of the 4" in answer.text) if inside else ("none of the 4" in answer.text), answer.text
    either = four.ask(f"Is any of the four clusters in the top {n} by {ranking}?")
    assert either.text.startswith("Yes" if inside else "No"), either.text


def test_should_check_a_comparison_of_two_rankings_over_every_loaded_cluster(four):
    better = [c.name for c in FOUR if c.rank_intensity < c.rank_size]
    answer = four.ask("Does any of the four clusters do better in the intensity ranking than in the size ranking?")
    assert answer.text.startswith("Yes" if better else "No") and sorted(answer.data["clusters"]) == sorted(better), answer.text
    worse = [c.name for c in FOUR if c.rank_intensity > c.rank_size]
    answer = four.ask("Which clusters rank better by size than by intensity?")
    assert sorted(answer.data["clusters"]) == sorted(worse), answer.text


def test_should_rank_the_loaded_clusters_in_the_order_asked_for_without_picking_one(four):
    answer = four.ask("Rank the four loaded clusters by size, from largest to smallest.")
    ranks = [f"{c.rank_size}" for c in sorted(FOUR, key=lambda c: c.rank_size)]
    positions = [answer.text.find(r) for r in ranks]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), answer.text


CLUSTER_PAIRS = [(a, b) for a in FOUR for b in FOUR if a.name != b.name]


@pytest.mark.parametrize("a,b", CLUSTER_PAIRS, ids=[f"{a.name}-{b.name}" for a, b in CLUSTER_PAIRS])
def test_should_give_the_ratio_of_two_clusters_figures_and_say_which_has_more(four, a, b):
    ratio = four.ask(f"How many times as many PCT applications per million inhabitants does {a.name} have compared with {b.name}?")
    assert f"{a.pct_per_million / b.pct_per_million:.2f}".rstrip("0").rstrip(".") in ratio.text, ratio.text
    which = four.ask(f"Who has more scientific articles per million inhabitants, {a.name} or {b.name}?")
    assert f"{a.articles_per_million:,}" in which.text and f"{b.articles_per_million:,}" in which.text, which.text
    assert a.top_publishers.rows[0].shown not in which.text, which.text


ORGANIZATIONS = [(c, row) for c in FOUR for row in c.top_applicants.rows]


@pytest.mark.parametrize("cluster,row", ORGANIZATIONS, ids=[r.shown for _, r in ORGANIZATIONS])
def test_should_give_an_organizations_count_and_its_cluster_asked_together(four, cluster, row):
    answer = four.ask(f"{row.shown} has how many PCT applications, and in which cluster is it?")
    assert cluster.name in answer.text and f"{row.count:,}" in answer.text, answer.text


FIGURES = [("How many PCT applications per million inhabitants does {c} have?", lambda c: f"{c.pct_per_million:,}"),
           ("What is {c}'s rank by intensity?", lambda c: f"{c.rank_intensity}"),
           ("Who is the top publisher in {c}?", lambda c: c.top_publishers.rows[0].shown)]


@pytest.mark.parametrize("form", ["{c} then?", "{c}?", "ok, {c}?"])
@pytest.mark.parametrize("question,value", FIGURES, ids=["per_million", "intensity", "top_publisher"])
def test_should_ask_the_same_question_of_a_cluster_named_alone_after_it(four, question, value, form):
    for a, b in CLUSTER_PAIRS[::3]:
        session = f"bare-{a.name}-{b.name}-{form}-{question[:10]}"
        four.ask(question.format(c=a.name), session=session)
        answer = four.ask(form.format(c=b.name), session=session)
        assert value(b) in answer.text and value(a) not in answer.text, answer.text


COUNTED = [c for c in FOUR if c.membership.kind == "one_of" and c.membership.count]


@pytest.mark.parametrize("cluster", COUNTED, ids=[c.name for c in COUNTED])
def test_should_check_the_number_of_an_economys_clusters_claimed_of_one(four, cluster):
    economy, n = cluster.economies[0], cluster.membership.count
    for claimed in (n, n + 1, n - 1):
        answer = four.ask(f"{cluster.name} is one of {claimed} clusters in {economy} in the top 100, correct?")
        assert answer.text.startswith("Yes" if claimed == n else "No"), answer.text
    unnamed = four.ask(f"Is Eindhoven one of the {n} clusters of {economy} in the top 100?")
    assert unnamed.status == "no_data", unnamed.text
    others = four.ask(f"Name the other clusters of {economy} that made the top 100.")
    assert others.status == "no_data" and str(n) in others.text, others.text


ELSEWHERE = [(row, table, home, other) for home in FOUR for table in ("applicants", "publishers")
             for row in getattr(home, "top_" + table).rows for other in FOUR
             if other.name != home.name and row.shown not in [r.shown for r in getattr(other, "top_" + table).rows]][::2]


@pytest.mark.parametrize("row,table,home,other", ELSEWHERE, ids=[f"{r.shown[:12]}-{o.name}" for r, _, _, o in ELSEWHERE])
def test_should_deny_an_organization_claimed_top_in_a_cluster_that_does_not_list_it(four, row, table, home, other):
    noun = "applicant" if table == "applicants" else "publisher"
    answer = four.ask(f"{row.shown} is {other.name}'s top {noun}, right?")
    assert answer.status == "answered" and answer.text.startswith("No"), answer.text
    assert getattr(other, "top_" + table).rows[0].shown in answer.text, answer.text


@pytest.mark.parametrize("a,b", CLUSTER_PAIRS[::2], ids=[f"{a.name}-{b.name}" for a, b in CLUSTER_PAIRS[::2]])
def test_should_check_claims_about_the_top_rows_of_two_clusters_each_in_its_own(four, a, b):
    top_a, top_b = a.top_applicants.rows[0].shown, b.top_applicants.rows[0].shown
    right = four.ask(f"So {top_a} leads {a.name}'s PCT applicants and {top_b} leads {b.name}'s?")
    assert right.text.startswith("Yes") and top_a in right.text and top_b in right.text, right.text
    second_b = b.top_applicants.rows[1].shown
    wrong = four.ask(f"So {top_a} leads {a.name}'s PCT applicants and {second_b} leads {b.name}'s?")
    assert wrong.text.startswith("No"), wrong.text


ECONOMY_CLAIMS = [(c, e) for c in FOUR for e in dict.fromkeys(x.economies[0] for x in FOUR)]


@pytest.mark.parametrize("cluster,economy", ECONOMY_CLAIMS, ids=[f"{c.name}-{e}" for c, e in ECONOMY_CLAIMS])
def test_should_check_the_economy_claimed_for_a_cluster(four, cluster, economy):
    answer = four.ask(f"Is {cluster.name} in {economy}?")
    assert answer.text.startswith("Yes" if economy in cluster.economies else "No"), answer.text


BA = FOUR[0]
PARTNER_POSITIONS = [(unit, table, i) for unit, table in (("patent", "patent_collaboration"), ("article", "article_collaboration"))
                     for i in range(len(getattr(BA, table).locations))]


@pytest.mark.parametrize("unit,table,index", PARTNER_POSITIONS, ids=[f"{u}-{i + 1}" for u, _, i in PARTNER_POSITIONS])
def test_should_give_a_partner_place_picked_by_position_its_own_cluster_figure(four, unit, table, index):
    place = getattr(BA, table).locations[index].shown
    cluster = next((c for c in FOUR if c.name == place), None)
    answer = four.ask(f"What's the size rank of {BA.name}'s {['first', 'second', 'third'][index]} {unit} partner?")
    assert place in answer.text, answer.text
    if cluster is None:
        assert answer.status == "no_data", answer.text
    else:
        assert answer.status == "answered" and f"{cluster.rank_size}" in answer.text and f"{BA.rank_size}rd" not in answer.text, answer.text


def _thresholds() -> list[tuple[str, list[str]]]:
    """(a threshold question over every loaded cluster, the clusters for which it holds): each figure a cluster or its
    top row has, cut between two clusters' values, asked in several forms."""
    figures = [
        ("file more than {t:,} PCT applications for each million people", lambda c: c.pct_per_million, 1),
        ("publish over {t:,} scientific articles per million inhabitants", lambda c: c.articles_per_million, 1),
        ("file more than {t}% of their PCT applications in collaboration", lambda c: c.patent_collaboration.share, 0.5),
        ("see their leading PCT applicant file more than {t:,} applications", lambda c: c.top_applicants.rows[0].count, 1),
        ("have a top publishing organisation with more than {t}% of the cluster's articles",
         lambda c: c.top_publishers.rows[0].share, 0.5),
    ]
    forms = ["Which clusters {p}?", "In how many of the loaded clusters do they {p}?", "Across the four clusters, which {p}?"]
    out = []
    for phrase, value, step in figures:
        values = sorted({value(c) for c in FOUR})
        for low, high in zip(values, values[1:]):
            cut = (low + high) / 2
            t = int(cut) if step == 1 else round(cut)
            if not low < t < high:
                continue
            holders = sorted(c.name for c in FOUR if value(c) > t)
            for form in forms:
                out.append((form.format(p=phrase.format(t=t)), holders))
    return out


THRESHOLDS = _thresholds()


@pytest.mark.parametrize("question,holders", THRESHOLDS, ids=[q[:70] for q, _ in THRESHOLDS])
def test_should_answer_a_threshold_over_every_loaded_cluster_with_the_clusters_it_holds_for(four, question, holders):
    answer = four.ask(question)
    assert answer.status == "answered", answer.text
    assert sorted(answer.data.get("clusters", [])) == holders, answer.text
    assert f"for {len(holders)} of the 4" in answer.text, answer.text


def _best_rows() -> list[tuple[str, str, str]]:
    """(a question asking which cluster's top row is best, the cluster it is, that row's name), from the four profiles."""
    out = []
    for table, role, unit in (("top_applicants", "PCT applicant", "PCT applications"),
                              ("top_publishers", "publishing organisation", "scientific articles")):
        for measure in ("count", "share"):
            for best, words in ((max, ("largest", "most")), (min, ("smallest", "fewest"))):
                value = lambda c: getattr(getattr(c, table).rows[0], measure)  # noqa: E731
                values = [value(c) for c in FOUR]
                if values.count(best(values)) > 1:
                    continue
                winner = best(FOUR, key=value)
                row = getattr(winner, table).rows[0].shown
                if measure == "share":
                    asked = [f"Which cluster's top {role} has the {words[0]} share of its cluster's {unit}?",
                             f"Across the four clusters, whose leading {role} holds the {words[0]} share of its cluster's {unit}?"]
                else:
                    asked = [f"Whose top {role} has the {words[1]} {unit}?",
                             f"Of the loaded clusters, which one's top {role} has the {words[1]} {unit}?"]
                out += [(q, winner.name, row) for q in asked]
    return out


BEST_ROWS = _best_rows()


@pytest.mark.parametrize("question,cluster,row", BEST_ROWS, ids=[q[:70] for q, _, _ in BEST_ROWS])
def test_should_pick_the_cluster_whose_top_row_is_best_over_every_loaded_cluster(four, question, cluster, row):
    answer = four.ask(question)
    assert answer.status == "answered", answer.text
    assert answer.data.get("clusters") == [cluster] and row in answer.text, answer.text


def _demonyms() -> list[tuple[str, "ClusterProfile"]]:
    """(a demonym, the one loaded cluster of its economy), from the vocabulary and the four profiles."""
    from intents.vocabulary import load_vocabulary
    out = []
    for word, economy in load_vocabulary().demonyms.items():
        homes = [c for c in FOUR if economy in c.economies]
        if len(homes) == 1 and len(word) > 3:
            out.append((word.capitalize(), homes[0]))
    return out


DEMONYMS = _demonyms()


@pytest.mark.parametrize("demonym,cluster", DEMONYMS, ids=[d for d, _ in DEMONYMS])
def test_should_take_a_cluster_named_by_its_economys_adjective(four, demonym, cluster):
    session = f"demonym-{demonym}"
    assert four.ask("Who is the top PCT applicant?", session=session).status == "clarify"
    answer = four.ask(f"The {demonym} one.", session=session)
    assert cluster.top_applicants.rows[0].shown in answer.text, answer.text
    other = next(c for c in FOUR if c.name != cluster.name)
    four.ask(f"Who is the top publishing organisation in {other.name}?", session=session)
    again = four.ask(f"And in the {demonym} cluster?", session=session)
    assert cluster.top_publishers.rows[0].shown in again.text, again.text


@pytest.mark.parametrize("a,b", CLUSTER_PAIRS[::2], ids=[f"{a.name}-{b.name}" for a, b in CLUSTER_PAIRS[::2]])
@pytest.mark.parametrize("gap_question", ["How many places apart are they?", "Difference?"])
def test_should_set_the_clusters_of_the_last_two_answers_against_each_other(four, a, b, gap_question):
    session = f"pair-{a.name}-{b.name}-{gap_question}"
    four.ask(f"What's {a.name}'s size rank?", session=session)
    four.ask(f"What about {b.name}?", session=session)
    gap = four.ask(gap_question, session=session)
    assert f"{abs(a.rank_size - b.rank_size)} place" in gap.text, gap.text
    which = four.ask("Which of the two has more PCT applications per million?", session=session)
    winner = a if a.pct_per_million > b.pct_per_million else b
    assert f"{winner.name} is the higher, by {abs(a.pct_per_million - b.pct_per_million):,}" in which.text, which.text


def _loaded_partner_cases() -> list[tuple[str, str, list[str]]]:
    """(an owner cluster, a table, the other loaded clusters among its partner places there), from the four profiles."""
    names = {c.name for c in FOUR}
    out = []
    for owner in FOUR:
        for table, unit in UNITS.items():
            listed = [l.shown for l in getattr(owner, table).locations]
            out.append((owner.name, unit, [p for p in listed if p in names and p != owner.name]))
    return out


LOADED_PARTNERS = _loaded_partner_cases()


@pytest.mark.parametrize("owner,unit,loaded", LOADED_PARTNERS, ids=[f"{o}-{u[:7]}" for o, u, _ in LOADED_PARTNERS])
def test_should_name_the_loaded_clusters_among_one_clusters_partner_places(four, owner, unit, loaded):
    answer = four.ask(f"Which loaded clusters appear among {owner}'s top collaborating locations for {unit}?")
    assert answer.status == "answered" and sorted(answer.data.get("clusters", [])) == sorted(loaded), answer.text
    either = four.ask(f"Does {owner}'s collaboration list for {unit} include any of the clusters you have profiles for?")
    assert either.text.startswith("Yes" if loaded else "No"), either.text


@pytest.mark.parametrize("n", [10, 25, 50, 100])
def test_should_check_a_claim_about_all_loaded_clusters_as_every_one(four, n):
    inside = [c for c in FOUR if c.rank_size <= n]
    answer = four.ask(f"Are all four loaded clusters in the top {n} by size?")
    assert answer.text.startswith("Yes" if len(inside) == len(FOUR) else "No"), answer.text


@pytest.mark.parametrize("a,b", CLUSTER_PAIRS[::3], ids=[f"{a.name}-{b.name}" for a, b in CLUSTER_PAIRS[::3]])
def test_should_not_pick_between_two_clusters_by_nothing_the_profiles_hold(four, a, b):
    answer = four.ask(f"Which is the nicer city for a weekend trip, {a.name} or {b.name}?")
    assert answer.status != "answered", answer.text


_PLACES_ANY = sorted({l.shown for c in FOUR for t in UNITS for l in getattr(c, t).locations} | {c.name for c in FOUR})


@pytest.mark.parametrize("place", _PLACES_ANY)
def test_should_say_whether_a_place_is_one_of_the_loaded_clusters(four, place):
    ours = place in {c.name for c in FOUR}
    answer = four.ask(f"Is {place} one of the clusters you have a profile for?")
    assert answer.text.startswith("Yes" if ours else "No"), answer.text
    owner = next((c for c in FOUR if place in [l.shown for l in c.patent_collaboration.locations]), None)
    if owner is not None and owner.patent_collaboration.locations[0].shown == place:
        session = f"ours-{place}"
        four.ask(f"What is {owner.name}'s top collaborating location for patents?", session=session)
        that = four.ask("Is that place one of the clusters you have a profile for?", session=session)
        assert that.text.startswith("Yes" if ours else "No"), that.text


@pytest.mark.parametrize("a,b", CLUSTER_PAIRS[::2], ids=[f"{a.name}-{b.name}" for a, b in CLUSTER_PAIRS[::2]])
def test_should_set_two_clusters_collaboration_shares_against_each_other(four, a, b):
    ours, theirs = a.article_collaboration.share, b.article_collaboration.share
    direct = four.ask(f"Is {a.name}'s share of collaborative articles higher than {b.name}'s?")
    assert direct.text.startswith("Yes" if ours > theirs else "No") and f"{theirs:g}%" in direct.text, direct.text
    session = f"collab-{a.name}-{b.name}"
    four.ask(f"What share of {a.name}'s scientific articles is published in collaboration?", session=session)
    follow = four.ask(f"Is that higher than in {b.name}?", session=session)
    assert follow.text.startswith("Yes" if ours > theirs else "No") and f"{theirs:g}%" in follow.text, follow.text


AVERAGE_FIGURES = [("PCT applications per million inhabitants", "pct_per_million"), ("size rank", "rank_size"),
                   ("scientific articles per million inhabitants", "articles_per_million")]


@pytest.mark.parametrize("words,attribute", AVERAGE_FIGURES, ids=[a for _, a in AVERAGE_FIGURES])
def test_should_average_a_figure_over_the_loaded_clusters_or_two_named(four, words, attribute):
    mean = sum(getattr(c, attribute) for c in FOUR) / len(FOUR)
    answer = four.ask(f"What is the average {words} across the four loaded clusters?")
    assert f"{mean:,.1f}".rstrip("0").rstrip(".") in answer.text, answer.text
    a, b = FOUR[0], FOUR[1]
    pair = four.ask(f"average {words} of {a.name} and {b.name}?")
    assert f"{(getattr(a, attribute) + getattr(b, attribute)) / 2:,.1f}".rstrip("0").rstrip(".") in pair.text, pair.text


def _fewest_combined() -> list[tuple[str, str]]:
    out = []
    for table, role in (("top_applicants", "PCT applicants"), ("top_publishers", "publishing organisations")):
        sums = {c.name: sum(r.count for r in getattr(c, table).rows) for c in FOUR}
        out.append((f"Which cluster's top three {role} have the fewest combined?", min(sums, key=sums.get)))
        out.append((f"Which cluster's top three {role} have the most combined?", max(sums, key=sums.get)))
    return out


FEWEST = _fewest_combined()


@pytest.mark.parametrize("question,cluster", FEWEST, ids=[q[:60] for q, _ in FEWEST])
def test_should_pick_the_cluster_whose_top_rows_combined_are_best(four, question, cluster):
    answer = four.ask(question)
    assert answer.data.get("clusters") == [cluster], answer.text


# -- session 7: the loaded clusters however they are named, and follow-ups "among them" -------------------
MEASURES_OVER_CLUSTERS = [  # (how the measure is asked, the value of a cluster, whether lower is better, the reply's figure)
    ("is the largest S&T cluster", lambda c: c["rank_size"], True, lambda c: f"{c['rank_size']}{_suffix(c['rank_size'])}"),
    ("has the best intensity rank", lambda c: c["rank_intensity"], True, lambda c: f"{c['rank_intensity']}{_suffix(c['rank_intensity'])}"),
    ("has the most scientific articles per million inhabitants", lambda c: c["articles_per_million"], False,
     lambda c: f"{c['articles_per_million']:,}"),
    ("has the highest share of PCT applications filed in collaboration", lambda c: c["patent_collaboration"]["share"], False,
     lambda c: f"{c['patent_collaboration']['share']:g}%"),
]
LEADS = ["Of the clusters you have data on, which one {m}?", "Among the clusters in your data, which one {m}?",
         "Of all the clusters you cover, which one {m}?"]


@pytest.mark.parametrize("lead", LEADS)
@pytest.mark.parametrize("asked,value,lower,shown", MEASURES_OVER_CLUSTERS, ids=[m[0][:30] for m in MEASURES_OVER_CLUSTERS])
def test_should_answer_a_question_over_the_loaded_clusters_however_they_are_named(four, lead, asked, value, lower, shown):
    best = (min if lower else max)(CLUSTERS, key=value)
    answer = four.ask(lead.format(m=asked), session=f"over-{lead[:12]}-{asked[:12]}")
    assert answer.status == "answered", answer.text
    assert best["name"] in answer.text and shown(best) in answer.text, answer.text


@pytest.mark.parametrize("first,then", [(a[0], b) for a in MEASURES_OVER_CLUSTERS for b in MEASURES_OVER_CLUSTERS if a is not b])
def test_should_keep_asking_over_the_loaded_clusters_among_them(four, first, then):
    session = f"among-{first[:15]}-{then[0][:15]}"
    four.ask(f"Which cluster {first}?", session=session)
    asked, value, lower, shown = then
    answer = four.ask(f"and which of them {asked}?", session=session)
    best = (min if lower else max)(CLUSTERS, key=value)
    assert answer.status == "answered" and best["name"] in answer.text and shown(best) in answer.text, answer.text


@pytest.mark.parametrize("n", [10, 25, 40, 55, 60])
@pytest.mark.parametrize("ranking,key", [("size", "rank_size"), ("intensity", "rank_intensity")])
@pytest.mark.parametrize("form", ["all {k} cluster are inside top {n} by {r}, yes or no?", "Are all {k} clusters in the top {n} by {r}?",
                                  "all {k} in the top {n} by {r}?"])
def test_should_check_a_claim_of_every_loaded_cluster_and_name_those_failing_it(four, n, ranking, key, form):
    answer = four.ask(form.format(k=len(CLUSTERS), n=n, r=ranking), session=f"all-{n}-{ranking}-{form[:8]}")
    failing = [c for c in CLUSTERS if c[key] > n]
    assert answer.text.startswith("No" if failing else "Yes"), answer.text
    for cluster in failing if len(failing) < len(CLUSTERS) else []:
        assert cluster["name"] in answer.text and f"{cluster[key]}{_suffix(cluster[key])}" in answer.text, answer.text


@pytest.mark.parametrize("form", ["size ranks, all {k}", "size rank of each cluster?", "the size ranks of all loaded clusters"])
def test_should_list_a_measure_of_every_loaded_cluster(four, form):
    answer = four.ask(form.format(k=len(CLUSTERS)), session=f"list-{form[:10]}")
    assert answer.status == "answered", answer.text
    for cluster in CLUSTERS:
        assert cluster["name"] in answer.text and f"{cluster['rank_size']}{_suffix(cluster['rank_size'])}" in answer.text, answer.text


@pytest.mark.parametrize("n", [10, 25, 30, 55])
@pytest.mark.parametrize("ranking,key", [("size", "rank_size"), ("intensity", "rank_intensity")])
def test_should_count_the_loaded_clusters_holding_a_claim_asked_of_them(four, n, ranking, key):
    session = f"count-them-{n}-{ranking}"
    four.ask("Which cluster has the most scientific articles per million inhabitants?", session=session)
    answer = four.ask(f"how many of them are in the top {n} by {ranking}?", session=session)
    holding = [c for c in CLUSTERS if c[key] <= n]
    assert answer.status == "answered", answer.text
    if holding:
        assert f"{len(holding)} of the {len(CLUSTERS)}" in answer.text, answer.text
    else:
        assert "none of the" in answer.text, answer.text


def _gazetteer_names_of_clusters() -> list[tuple[str, dict]]:
    """Every other name the gazetteer gives a place that is (or names a part of) a loaded cluster: "Bruxelles", "Köln"."""
    from knowledge.normalize import name_key
    from knowledge.places import load_places
    places = load_places()
    out = []
    for cluster in CLUSTERS:
        parts = {name_key(p) for p in [cluster["name"], *cluster["name"].replace("–", "-").split("-")]}
        for surface in places.names():
            place = places.lookup(surface)
            if place is not None and name_key(place.name) in parts and name_key(surface) not in parts \
                    and surface.isascii() and surface.isalpha() and len(surface) > 4:
                out.append((surface, cluster))
    return out


@pytest.mark.parametrize("alias,cluster", _gazetteer_names_of_clusters(), ids=[a for a, _ in _gazetteer_names_of_clusters()])
def test_should_read_another_name_of_a_clusters_place_as_that_cluster(four, alias, cluster):
    answer = four.ask(f"{alias.lower()} size rank?", session=f"alias-{alias}")
    assert answer.status == "answered", answer.text
    assert cluster["name"] in answer.text and f"{cluster['rank_size']}{_suffix(cluster['rank_size'])}" in answer.text, answer.text


EACH_MEASURE = [("PCT applications per million", lambda c: f"{c['pct_per_million']:,}"),
                ("size ranks", lambda c: f"{c['rank_size']}{_suffix(c['rank_size'])}"),
                ("intensity ranks", lambda c: f"{c['rank_intensity']}{_suffix(c['rank_intensity'])}")]
PAIRS_OF_CLUSTERS = [(a, b) for a in CLUSTERS for b in CLUSTERS if a["name"] < b["name"]]


@pytest.mark.parametrize("a,b", PAIRS_OF_CLUSTERS, ids=[f"{a['id']}+{b['id']}" for a, b in PAIRS_OF_CLUSTERS])
@pytest.mark.parametrize("measure,shown", EACH_MEASURE, ids=[m for m, _ in EACH_MEASURE])
def test_should_give_a_figure_of_each_cluster_named_and_ask_which_one_a_follow_up_means(four, a, b, measure, shown):
    session = f"each-{a['id']}-{b['id']}-{measure[:5]}"
    answer = four.ask(f"Give me the {measure} for {a['name']} and for {b['name']}.", session=session)
    assert answer.status == "answered", answer.text
    for cluster in (a, b):
        assert cluster["name"] in answer.text and shown(cluster) in answer.text, answer.text
    assert four.ask("what's its collaboration share for articles?", session=session).status == "clarify"


@pytest.mark.parametrize("a,b", PAIRS_OF_CLUSTERS, ids=[f"{a['id']}+{b['id']}" for a, b in PAIRS_OF_CLUSTERS])
@pytest.mark.parametrize("question", ["who is the top publisher there?", "and the top applicant there?"])
def test_should_ask_which_of_two_clusters_just_compared_a_question_about_there_means(four, a, b, question):
    session = f"there-{a['id']}-{b['id']}-{question[:8]}"
    four.ask(f"How do {a['name']} and {b['name']} compare on the intensity ranking?", session=session)
    answer = four.ask(question, session=session)
    assert answer.status == "clarify", answer.text
    picked = four.ask(f"{a['name']} i mean", session=session)
    table = "top_publishers" if "publisher" in question else "top_applicants"
    assert picked.status == "answered" and a[table]["rows"][0]["name"].split()[0].lower() in picked.text.lower(), picked.text


@pytest.mark.parametrize("cluster", CLUSTERS, ids=[c["id"] for c in CLUSTERS])
def test_should_keep_refusing_a_field_the_profiles_lack_for_the_next_cluster_named(four, cluster):
    others = [c for c in CLUSTERS if c is not cluster]
    session = f"fields-{cluster['id']}"
    assert four.ask(f"What are the top technology fields for {cluster['name']}'s patents?", session=session).status == "no_data"
    follow = four.ask(f"and for {others[0]['name']}?", session=session)
    assert follow.status == "no_data", follow.text


@pytest.mark.parametrize("a,b", PAIRS_OF_CLUSTERS, ids=[f"{a['id']}+{b['id']}" for a, b in PAIRS_OF_CLUSTERS])
def test_should_give_the_gap_of_a_cluster_comparison_and_set_two_sums_against_each_other(four, a, b):
    session = f"gap-{a['id']}-{b['id']}"
    four.ask(f"how many articles per million does {a['name']} publish", session=session)
    claim = four.ask(f"is that more than {b['name']}?", session=session)
    gap = abs(a["articles_per_million"] - b["articles_per_million"])
    assert claim.text.startswith("Yes" if a["articles_per_million"] > b["articles_per_million"] else "No"), claim.text
    assert f"{gap:,}" in claim.text, claim.text
    assert f"{gap:,}" in four.ask("by how much?", session=session).text
    session = f"sums-{a['id']}-{b['id']}"
    four.ask(f"Who are the top three PCT applicants in {a['name']}?", session=session)
    four.ask("How many do they file together?", session=session)
    four.ask(f"And the three in {b['name']}?", session=session)
    answer = four.ask("difference between the two totals?", session=session)
    totals = [sum(r["count"] for r in c["top_applicants"]["rows"]) for c in (a, b)]
    assert f"{abs(totals[0] - totals[1]):,}" in answer.text, answer.text
