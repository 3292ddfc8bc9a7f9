"""Tests generated from the knowledge base, not hand-listed: they reach questions nobody wrote.

- every fact of the profile claimed true is answered "Yes", claimed with a perturbed value "No";
- every single-fact question wrapped in preambles, afterwords, politeness and typos gives the same
  figures as the bare question;
- words the reader looks for, placed inside organization names, don't change the reading;
- every suggestion the bot offers in a conversation is answered in that conversation.

The random choices use a fixed seed, so a run in CI is the same run every time.
"""
from __future__ import annotations

import random
import re
import shutil
import uuid
from pathlib import Path

import pytest

from bot import Answerer
from knowledge import load
from knowledge.loader import BUNDLED_DIR, write_profile_json
from knowledge.normalize import strip_accents
from knowledge.profile import parse_profile_file

SEED = 20241201
KB = load(BUNDLED_DIR)
CLUSTER = KB.clusters[0]
ORDINALS = {1: "first", 2: "second", 3: "third"}
DICTIONARY = set((Path(__file__).parent.parent / "intents" / "data" / "english_words.txt").read_text(encoding="utf-8").split())


def suffix(n: int) -> str:
    return "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def norm(text: str) -> str:
    text = strip_accents(text).lower()
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    return re.sub(r"(?<=\d),(?=\d{3})", "", text)


def figures(text: str) -> set[str]:
    """The numbers a reply states (what must not change when a question is only dressed differently)."""
    return set(re.findall(r"\d+(?:\.\d+)?%?", norm(text)))


@pytest.fixture(scope="module")
def answerer() -> Answerer:
    return Answerer()


def ask(answerer: Answerer, question: str, session: str | None = None):  # type: ignore[no-untyped-def]
    return answerer.ask(question, session=session or f"gen-{uuid.uuid4().hex}")


# -- every fact, claimed true and false ------------------------------------------------------------

def facts() -> list[tuple[str, float, str, list[str]]]:
    """(claim template with {v}, true value, kind, words the reply must hold) for every fact of the profile."""
    c, name = CLUSTER, CLUSTER.shown
    out = [
        (f"Is {name} ranked {{v}} by size?", c.rank_size, "ordinal", [str(c.rank_size)]),
        (f"{name} is {{v}} by intensity, right?", c.rank_intensity, "ordinal", [str(c.rank_intensity)]),
        (f"Does {name} have {{v}} PCT applications per million inhabitants?", c.pct_per_million, "count",
         [f"{c.pct_per_million}"]),
        (f"Quick check: {name} publishes {{v}} scientific articles per million inhabitants?", c.articles_per_million,
         "count", [f"{c.articles_per_million}"]),
        (f"Are {{v}} of {name}'s PCT applications filed in collaboration?", c.patent_collaboration.share, "percent",
         [f"{c.patent_collaboration.share:g}%"]),
        (f"So {{v}} of the scientific articles are collaborative, correct?", c.article_collaboration.share, "percent",
         [f"{c.article_collaboration.share:g}%"]),
    ]
    for table, verb, noun in (("applicants", "file", "PCT applications"), ("publishers", "publish", "scientific articles")):
        for row in c.table(table).rows:
            out.append((f"Did {row.shown} {verb} {{v}} {noun}?", row.count, "count", [f"{row.count}"]))
            out.append((f"{row.shown} holds {{v}} of the cluster's {noun}, isn't it?", row.share, "percent", [f"{row.share:g}%"]))
            role = "PCT applicant" if table == "applicants" else "publisher"
            out.append((f"Is {row.shown} the {{v}} {role}?", row.rank, "rank_word", [row.shown.split()[0]]))
    return out


def render(kind: str, value: float) -> str:
    if kind == "ordinal":
        return f"{int(value)}{suffix(int(value))}"
    if kind == "rank_word":
        return ORDINALS.get(int(value), f"{int(value)}{suffix(int(value))}")
    if kind == "percent":
        return f"{value:g}%"
    return f"{int(value):,}"


def perturbed(kind: str, value: float, rng: random.Random) -> float:
    """A near miss: a neighbouring rank, a figure a little off, swapped digits."""
    if kind in ("ordinal", "rank_word"):
        return value + 1 if value < 3 or rng.random() < 0.5 else value - 1
    digits = str(int(value))
    if len(digits) >= 2 and digits[-1] != digits[-2] and rng.random() < 0.5:
        return float(digits[:-2] + digits[-1] + digits[-2])
    return value + max(1, round(value * 0.1))


FACTS = facts()


@pytest.mark.parametrize("template,value,kind,must", FACTS, ids=[t[:48] for t, *_ in FACTS])
def test_should_confirm_every_fact_claimed_as_it_is(answerer, template, value, kind, must):
    reply = ask(answerer, template.format(v=render(kind, value)))
    assert reply.status == "answered", reply.text
    assert norm(reply.text).startswith("yes"), reply.text
    for word in must:
        assert norm(word) in norm(reply.text), f"{word!r} missing: {reply.text}"


@pytest.mark.parametrize("template,value,kind,must", FACTS, ids=[t[:48] for t, *_ in FACTS])
def test_should_deny_every_fact_claimed_with_a_near_miss_and_give_the_fact(answerer, template, value, kind, must):
    wrong = perturbed(kind, value, random.Random(f"{SEED}-{template}"))
    reply = ask(answerer, template.format(v=render(kind, wrong)))
    assert reply.status == "answered", reply.text
    assert norm(reply.text).startswith("no"), f"{render(kind, wrong)} claimed: {reply.text}"
    for word in must:
        assert norm(word) in norm(reply.text), f"{word!r} missing: {reply.text}"


def statements() -> list[tuple[str, float, str, list[str]]]:
    """Every fact of the profile written as a plain statement with no question mark, as users state what they
    believe ("The cluster ranks 53rd by size.", "I think that's wrong, the profile says Toyota is first")."""
    c, name = CLUSTER, CLUSTER.shown
    out = [
        (f"{name} ranks {{v}} by size.", c.rank_size, "ordinal", [str(c.rank_size)]),
        (f"My notes say the cluster is {{v}} by intensity.", c.rank_intensity, "ordinal", [str(c.rank_intensity)]),
        (f"{name} has {{v}} PCT applications per million inhabitants.", c.pct_per_million, "count", [f"{c.pct_per_million}"]),
        (f"The profile says {{v}} scientific articles per million inhabitants", c.articles_per_million, "count",
         [f"{c.articles_per_million}"]),
    ]
    for table, verb, noun in (("applicants", "filed", "PCT applications"), ("publishers", "published", "scientific articles")):
        role = "PCT applicant" if table == "applicants" else "publisher"
        for row in c.table(table).rows:
            out.append((f"{row.shown} {verb} {{v}} {noun}.", row.count, "count", [f"{row.count}"]))
            out.append((f"I think that's wrong, the profile says {row.shown} is the {{v}} {role}", row.rank, "rank_word",
                        [row.shown.split()[0]]))
    return out


STATEMENTS = statements()


@pytest.mark.parametrize("template,value,kind,must", STATEMENTS, ids=[t[:48] for t, *_ in STATEMENTS])
def test_should_check_every_fact_stated_without_a_question_mark(answerer, template, value, kind, must):
    for claimed, verdict in ((value, "yes"), (perturbed(kind, value, random.Random(f"{SEED}-{template}")), "no")):
        reply = ask(answerer, template.format(v=render(kind, claimed)))
        assert reply.status == "answered", reply.text
        assert norm(reply.text).startswith(verdict), f"{render(kind, claimed)} stated: {reply.text}"
        for word in must:
            assert norm(word) in norm(reply.text), f"{word!r} missing: {reply.text}"


# -- the same question, dressed differently ------------------------------------------------------------

BARE = [
    f"What is {CLUSTER.shown}'s rank by size?",
    f"How does {CLUSTER.shown} rank by intensity?",
    f"How many PCT applications per million inhabitants does {CLUSTER.shown} have?",
    f"How many scientific articles per million inhabitants does {CLUSTER.shown} publish?",
    f"Who is the top PCT applicant in {CLUSTER.shown}?",
    f"Which organization publishes the most scientific articles in {CLUSTER.shown}?",
    f"What share of {CLUSTER.shown}'s PCT applications are filed in collaboration?",
    f"Which locations does {CLUSTER.shown} collaborate with most on scientific articles?",
] + [f"How many PCT applications did {row.shown} file?" for row in CLUSTER.top_applicants.rows] + [
    f"What share of the scientific articles comes from {row.shown}?" for row in CLUSTER.top_publishers.rows]

PREAMBLES = [
    "Hi there! I'm a journalist from Lyon writing about European research hubs.",
    "We're a small biotech team from Munich comparing sites for a lab, and my CFO wants numbers.",
    "Sorry to bother you, I have a quick question for a report due on Friday.",
    "My professor in Eindhoven asked me to check this for a seminar.",
    "Context: I work for a consultancy and we benchmark clusters every quarter.",
    "Hi, I'm a data journalist at a regional paper in Flanders, and my editor wants one number for the headline.",
    "I teach a course on regional innovation at a university in Lille; this is for my slides.",
    "I'm an intern at a tech transfer office and my supervisor keeps asking about the paperwork for this.",
    "Sorry if this is a silly question, I'm not an expert at all, just curious after reading a news article about Belgian patents.",
    "Apologies in advance if this is obvious, I read something about Dutch research clusters last week.",
]
AFTERWORDS = ["Thanks a lot!", "Thank you in advance.", "Cheers.", "It's for a slide deck, so a short answer is fine.",
              "Much appreciated.", "I need the figure for this year.", "It goes into a journalist's fieldwork notes.",
              "Thanks in advance and sorry for the long message!"]
POLITE = ["Could you tell me {q}", "Please: {q}", "I'd like to know: {q}", "{q} Thanks!", "Hello, {q}"]


def typo(question: str, rng: random.Random) -> str:
    """One swap of two inner letters in a long ordinary word, where the result is no real word."""
    words = question.split()
    names = {w for row in CLUSTER.top_applicants.rows + CLUSTER.top_publishers.rows for w in row.shown.split()}
    candidates = [i for i, w in enumerate(words) if w.isalpha() and w.islower() and len(w) >= 7 and w not in names]
    rng.shuffle(candidates)
    for i in candidates:
        w = words[i]
        j = rng.randrange(1, len(w) - 2)
        swapped = w[:j] + w[j + 1] + w[j] + w[j + 2:]
        if swapped != w and swapped not in DICTIONARY:
            return " ".join(words[:i] + [swapped] + words[i + 1:])
    return question


def dressed() -> list[tuple[str, str]]:
    rng = random.Random(SEED)
    cases = []
    for question in BARE:
        lowered = question[0].lower() + question[1:]
        cases.append((question, f"{rng.choice(PREAMBLES)} {question}"))
        cases.append((question, f"{question} {rng.choice(AFTERWORDS)}"))
        cases.append((question, rng.choice(POLITE).format(q=lowered)))
        cases.append((question, typo(question, rng)))
    return cases


DRESSED = dressed()


@pytest.mark.parametrize("bare,wrapped", DRESSED, ids=[w[:60] for _, w in DRESSED])
def test_should_give_the_same_figures_however_the_question_is_dressed(answerer, bare, wrapped):
    plain = ask(answerer, bare)
    assert plain.status == "answered", plain.text
    reply = ask(answerer, wrapped)
    assert reply.status == "answered", f"{wrapped!r}: {reply.text}"
    assert figures(reply.text) == figures(plain.text), f"{wrapped!r}\n  got:  {reply.text}\n  bare: {plain.text}"


# -- cue words inside names ------------------------------------------------------------------------------

NAMES = {  # the bundled profile's organizations renamed with words the reader otherwise looks for
    "AGFA": "TOP SHARE PARTNERS AG",
    "K.U. LEUVEN RESEARCH & DEVELOPMENT": "NATIONAL PRESIDENT FIRST INSTITUTE",
    "TOYOTA MOTOR EUROPE NV/SA": "GENERAL RANKING SYSTEMS NV",
    "KU LEUVEN": "UNIVERSITY OF THE TOTAL",
    "UNIVERSITY OF ANTWERP": "COLLABORATION MOST UNIVERSITY",
    "UNIVERSITE LIBRE DE BRUXELLES": "MORE LESS INSTITUTE OF HALF",
}


@pytest.fixture(scope="module")
def renamed(tmp_path_factory) -> Answerer:
    directory = tmp_path_factory.mktemp("renamed")
    text = (BUNDLED_DIR / "brussels-antwerp.txt").read_text(encoding="utf-8")
    for old, new in NAMES.items():
        text = text.replace(f"\t{old}\t", f"\t{new}\t")
    text = text.replace("Brussels–Antwerp", "Vexford–Lund").replace("Belgium", "Vexland")
    source = directory / "vexford-lund.txt"
    source.write_text(text, encoding="utf-8")
    write_profile_json(parse_profile_file(source), directory)
    source.unlink()
    return Answerer(knowledge=directory)


def named_rows() -> list[tuple[str, str, int, float]]:
    rows = []
    for table, noun in (("applicants", "PCT applications"), ("publishers", "scientific articles")):
        for row in CLUSTER.table(table).rows:
            rows.append((NAMES[row.name].title().replace(" Of ", " of ").replace(" The ", " the "), noun, row.count, row.share))
    return rows


@pytest.mark.parametrize("name,noun,count,share", named_rows(), ids=[r[0] for r in named_rows()])
def test_should_read_words_inside_a_name_as_the_name(renamed, name, noun, count, share):
    reply = ask(renamed, f"How many {noun} does {name} have?")
    assert reply.status == "answered", reply.text
    assert f"{count:,}" in reply.text, reply.text
    reply = ask(renamed, f"What share of the {noun} comes from {name}?")
    assert f"{share:g}%" in reply.text, reply.text


# -- every suggestion is answered ----------------------------------------------------------------------

OPENERS = [
    "Who is the top PCT applicant in Brussels–Antwerp?", "What is Brussels–Antwerp's rank by size?",
    "Tell me about Brussels–Antwerp.", "Which locations does Brussels–Antwerp collaborate with most on patents?",
    "What share of the scientific articles are collaborative?", "Who are the top publishers?",
    "How many more PCT applications did AGFA file than Toyota?", "What share do the top three applicants hold together?",
    "asdf qwerty", "Which country is Brussels–Antwerp in?",
]


@pytest.mark.parametrize("opener", OPENERS)
def test_should_answer_every_suggestion_it_offers(answerer, opener):
    first = ask(answerer, opener)
    assert first.suggestions, first.text
    for suggestion in first.suggestions:
        session = f"suggest-{uuid.uuid4().hex}"  # the conversation as it was when the suggestion was offered
        answerer.ask(opener, session=session)
        reply = answerer.ask(suggestion, session=session)
        assert reply.status == "answered", f"after {opener!r}, the suggestion {suggestion!r} got: {reply.text}"


# -- compositions over every table: limits, parts of a sum, the rest, the last rows -----------------

TABLES = [("applicants", CLUSTER.top_applicants, "PCT applicants", "PCT applications", "filed"),
          ("publishers", CLUSTER.top_publishers, "publishing organizations", "scientific articles", "published")]


def limits() -> list[tuple[str, str, list[str], list[str]]]:
    """For every table, a limit between each two neighbouring counts, asked both ways: the rows on each side."""
    cases = []
    for _, table, plural, unit, _ in TABLES:
        rows = table.rows
        for upper, lower in zip(rows, rows[1:]):
            limit = (upper.count + lower.count) // 2
            above = [r.shown for r in rows if r.count > limit]
            below = [r.shown for r in rows if r.count < limit]
            cases.append((f"Which {plural} of {CLUSTER.shown} have more than {limit:,} {unit}?", "more", above, below))
            cases.append((f"which {plural} in {CLUSTER.shown} have fewer than {limit} {unit}", "fewer", below, above))
    return cases


@pytest.mark.parametrize("question,relation,inside,outside", limits(), ids=[c[0][:60] for c in limits()])
def test_should_list_exactly_the_rows_that_meet_a_limit(answerer, question, relation, inside, outside):
    answer = ask(answerer, question)
    assert answer.status == "answered", answer.text
    for name in inside:
        assert norm(name) in norm(answer.text), f"{name} missing: {answer.text}"
    for name in outside:
        assert norm(name) not in norm(answer.text), f"{name} should not be listed: {answer.text}"


def parts() -> list[tuple[str, str]]:
    cases = []
    for _, table, plural, unit, _ in TABLES:
        total = sum(r.count for r in table.rows)
        for row in table.rows:
            part = f"{100 * row.count / total:.1f}%"
            cases.append((f"What fraction of the top {len(table.rows)} {plural}' combined {unit} comes from {row.shown}?", part))
    return cases


@pytest.mark.parametrize("question,part", parts(), ids=[c[0][:70] for c in parts()])
def test_should_give_a_rows_part_of_the_top_rows_sum(answerer, question, part):
    answer = ask(answerer, question)
    assert answer.status == "answered" and part in answer.text, answer.text


def rests() -> list[tuple[str, str]]:
    cases = []
    for _, table, plural, unit, _ in TABLES:
        for row in table.rows:
            cases.append((f"What share of {CLUSTER.shown}'s {unit} is not from {row.shown}?", f"{100 - row.share:g}%"))
        cases.append((f"What share of {CLUSTER.shown}'s {unit} comes from outside the listed top {len(table.rows)}?",
                      f"{100 - sum(r.share for r in table.rows):g}%"))
    return cases


@pytest.mark.parametrize("question,rest", rests(), ids=[c[0][:70] for c in rests()])
def test_should_give_the_share_left_outside_named_rows(answerer, question, rest):
    answer = ask(answerer, question)
    assert answer.status == "answered" and rest in norm(answer.text), answer.text


@pytest.mark.parametrize("n", [2])
@pytest.mark.parametrize("name,table,plural,unit,verb", TABLES, ids=[t[0] for t in TABLES])
def test_should_sum_the_first_and_the_last_rows(answerer, name, table, plural, unit, verb, n):
    first = sum(r.count for r in table.rows[:n])
    last = sum(r.count for r in table.rows[-n:])
    top = ask(answerer, f"What do the {n} largest {plural} of {CLUSTER.shown} have together?")
    bottom = ask(answerer, f"Sum of the last {n} {plural} of {CLUSTER.shown}?")
    assert f"{first:,}" in top.text, top.text
    assert f"{last:,}" in bottom.text and f"{first:,}" not in bottom.text, bottom.text


# -- conversations over every pair of rows: one-sided comparisons, corrections ---------------------------

ROW_PAIRS = [(table, plural, unit, a, b) for _, table, plural, unit, _ in TABLES
             for a in table.rows for b in table.rows if a.rank != b.rank]


@pytest.mark.parametrize("table,plural,unit,a,b", ROW_PAIRS, ids=[f"{a.shown}-{b.shown}" for *_, a, b in ROW_PAIRS])
def test_should_compare_with_the_row_just_asked_about(answerer, table, plural, unit, a, b):
    session = f"pair-{uuid.uuid4().hex}"
    ask(answerer, f"How many {unit} does {a.shown} have?", session)
    answer = ask(answerer, f"compared with {b.shown}?", session)
    assert answer.status == "answered", answer.text
    assert f"{a.count:,}" in answer.text and f"{b.count:,}" in answer.text, answer.text
    assert f"{abs(a.count - b.count):,}" in answer.text, answer.text
    assert not answer.text.startswith(("Yes", "No")), answer.text  # a comparison asked, not a claim


@pytest.mark.parametrize("table,plural,unit,a,b", ROW_PAIRS, ids=[f"{a.shown}-{b.shown}" for *_, a, b in ROW_PAIRS])
def test_should_follow_a_correction_to_the_other_row(answerer, table, plural, unit, a, b):
    session = f"fix-{uuid.uuid4().hex}"
    ask(answerer, f"How many {unit} for {a.shown}?", session)
    answer = ask(answerer, f"wait, not {a.shown} — {b.shown}", session)
    assert f"{b.count:,}" in answer.text and f"{a.count:,}" not in answer.text, answer.text
    share = ask(answerer, "and as a share?", session)
    assert f"{b.share:g}%" in share.text and norm(a.shown) not in norm(share.text), share.text


@pytest.mark.parametrize("table,plural,unit,a,b", ROW_PAIRS, ids=[f"{a.shown}-{b.shown}" for *_, a, b in ROW_PAIRS])
def test_should_check_a_claimed_gap_and_its_direction(answerer, table, plural, unit, a, b):
    gap = abs(a.count - b.count)
    right = ask(answerer, f"{a.shown} is ahead of {b.shown} by {gap} {unit}, correct?")
    assert right.text.startswith("Yes" if a.count > b.count else "No"), right.text
    wrong = ask(answerer, f"{a.shown} is ahead of {b.shown} by {gap + 25} {unit}, correct?")
    assert wrong.text.startswith("No") and f"{gap:,}" in wrong.text, wrong.text


# -- places we lack, named as the owner of the figures: possessive, lower case, apostrophe dropped --------

LACKED_PLACES = ["Eindhoven", "Munich", "Stuttgart", "Lyon", "Copenhagen", "Milan"]
OWNED_MEASURES = ["share of collaborative patents", "top applicant", "size rank", "articles per million"]


@pytest.mark.parametrize("form", ["{p}'s", "{l}'s", "{l}s"])
@pytest.mark.parametrize("place", LACKED_PLACES)
@pytest.mark.parametrize("measure", OWNED_MEASURES)
def test_should_refuse_a_place_we_lack_however_its_possessive_is_written(answerer, form, place, measure):
    owner = form.format(p=place, l=place.lower())
    answer = ask(answerer, f"{owner} {measure}")
    assert answer.status in ("no_data", "clarify"), answer.text
    assert place.lower() in norm(answer.text), answer.text
    for figure in ("34%", "195", "53", "6,444", "agfa"):
        assert figure not in norm(answer.text), answer.text


ROWS = [(table, plural, unit, row) for _, table, plural, unit, _ in TABLES for row in table.rows]


@pytest.mark.parametrize("table,plural,unit,row", ROWS, ids=[r.shown for *_, r in ROWS])
def test_should_set_a_row_against_the_other_rows_combined_in_counts_and_shares(answerer, table, plural, unit, row):
    others = [r for r in table.rows if r.rank != row.rank]
    session = f"sum-{uuid.uuid4().hex}"
    counts = ask(answerer, f"How many more {unit} does {row.shown} have than the other {len(others)} listed {plural} combined?", session)
    assert f"{abs(row.count - sum(r.count for r in others)):,}" in counts.text, counts.text
    shares = ask(answerer, "How does that look in shares?", session)
    assert f"{row.share:g}%" in shares.text and f"{sum(r.share for r in others):g}%" in shares.text, shares.text


UNKNOWN_ORGS = ["Umicore", "Janssen Pharmaceutica", "Solvay", "Ghent University"]


@pytest.mark.parametrize("name", UNKNOWN_ORGS)
@pytest.mark.parametrize("table,plural,unit,row", ROWS[::2], ids=[r.shown for *_, r in ROWS[::2]])
def test_should_refuse_a_comparison_with_an_organization_we_lack(answerer, table, plural, unit, row, name):
    answer = ask(answerer, f"How many more {unit} did {row.shown} have than {name}?")
    assert answer.status == "no_data" and name in answer.text, answer.text
    assert f"{row.count:,}" not in answer.text, answer.text


# -- every fact stated, then asked about: "X. Is that what the profile says?" ------------------------------

def statements() -> list[tuple[str, float, str, list[str]]]:
    c, name = CLUSTER, CLUSTER.shown
    out = [(f"{name} is {{v}} by size", c.rank_size, "ordinal", [str(c.rank_size)]),
           (f"The cluster filed {{v}} PCT applications per million people", c.pct_per_million, "count", [f"{c.pct_per_million}"]),
           (f"{name} published {{v}} scientific articles per million inhabitants", c.articles_per_million, "count",
            [f"{c.articles_per_million}"])]
    for table, verb, noun in (("applicants", "filed", "PCT applications"), ("publishers", "published", "scientific articles")):
        for row in c.table(table).rows:
            out.append((f"{row.shown} {verb} {{v}} {noun}", row.count, "count", [f"{row.count}"]))
    return out


STATEMENTS = statements()
CONFIRMATIONS = ["Is that what the profile says?", "Is that correct?", "Is this right?"]


@pytest.mark.parametrize("confirmation", CONFIRMATIONS)
@pytest.mark.parametrize("template,value,kind,must", STATEMENTS, ids=[t[:40] for t, *_ in STATEMENTS])
def test_should_check_a_statement_followed_by_a_confirmation_question(answerer, template, value, kind, must, confirmation):
    right = ask(answerer, f"{template.format(v=render(kind, value))}. {confirmation}")
    assert norm(right.text).startswith("yes"), right.text
    wrong_value = perturbed(kind, value, random.Random(f"{SEED}-{template}"))
    wrong = ask(answerer, f"{template.format(v=render(kind, wrong_value))} — {confirmation.lower()}")
    assert norm(wrong.text).startswith("no") and all(norm(w) in norm(wrong.text) for w in must), wrong.text


# -- two questions in one sentence, after a lead-in: both answered, with the same figures as alone --------

LEAD_INS = ["To prepare, could you tell me {a}, and {b}?", "Quick one: {a}, and {b}?", "For my slides, {a} and also {b}?"]


def pairs() -> list[tuple[str, str, str]]:
    rng = random.Random(f"{SEED}-pairs")
    lowered = [q[0].lower() + q[1:].rstrip("?") for q in BARE]
    cases = []
    for i in range(0, len(BARE) - 1, 2):
        a, b = lowered[i], lowered[i + 1]
        cases.append((BARE[i], BARE[i + 1], rng.choice(LEAD_INS).format(a=a, b=b)))
    return cases


@pytest.mark.parametrize("first,second,joined", pairs(), ids=[j[:70] for *_, j in pairs()])
def test_should_answer_both_questions_of_one_sentence(answerer, first, second, joined):
    reply = ask(answerer, joined)
    assert reply.status == "answered", reply.text
    expected = figures(ask(answerer, first).text) | figures(ask(answerer, second).text)
    assert expected <= figures(reply.text), f"{joined!r}\n  got: {reply.text}"


# -- two cluster measures asked one after the other, then set against each other --------------------------

def measure_pairs() -> list[tuple[str, str, str]]:
    c, name = CLUSTER, CLUSTER.shown
    return [
        (f"Where is {name} ranked by size?", "and by intensity?", f"{abs(c.rank_size - c.rank_intensity)}"),
        (f"How collaborative are {name}'s scientific publications?", "and its patents?",
         f"{abs(c.article_collaboration.share - c.patent_collaboration.share):g}"),
        (f"How many PCT applications per million inhabitants does {name} have?", "and articles?",
         f"{abs(c.articles_per_million - c.pct_per_million):,}"),
    ]


@pytest.mark.parametrize("gap_question", ["so how many places apart are the two?", "difference between the two?",
                                          "what's the gap between them?"])
@pytest.mark.parametrize("first,second,gap", measure_pairs(), ids=[p[0][:40] for p in measure_pairs()])
def test_should_set_the_last_two_measures_against_each_other(answerer, first, second, gap, gap_question):
    session = f"gap-{uuid.uuid4().hex}"
    ask(answerer, first, session)
    ask(answerer, second, session)
    answer = ask(answerer, gap_question, session)
    assert answer.status == "answered" and gap in answer.text, answer.text


def _namesake(table, row) -> bool:  # type: ignore[no-untyped-def]
    """A row of the other table shares a word of this one's name (KU Leuven and K.U. Leuven R&D): asked in the
    wrong table, the bot answers with that namesake instead of refusing."""
    other = CLUSTER.top_publishers if table is CLUSTER.top_applicants else CLUSTER.top_applicants
    words = {w.lower() for w in row.shown.split() if len(w) > 3}
    return any(words & {w.lower() for w in o.shown.split()} for o in other.rows)


ALONE = [(t, p, u, r) for t, p, u, r in ROWS if not _namesake(t, r)]


@pytest.mark.parametrize("table,plural,unit,row", ALONE, ids=[r.shown for *_, r in ALONE])
def test_should_take_a_correction_after_a_refusal_as_the_same_question(answerer, table, plural, unit, row):
    other_unit, fix = ("scientific articles", "patents") if unit == "PCT applications" else ("PCT applications", "articles")
    session = f"refix-{uuid.uuid4().hex}"
    refused = ask(answerer, f"how many {other_unit} does {row.shown} have?", session)
    assert refused.status == "no_data", refused.text
    fixed = ask(answerer, f"ah sorry, I meant {fix}", session)
    assert fixed.status == "answered" and f"{row.count:,}" in fixed.text, fixed.text


def _place_slips() -> list[tuple[str, str]]:
    """One letter dropped inside each place we lack, where the result is no real word."""
    out = []
    for place in LACKED_PLACES:
        word = place.lower()
        for i in range(2, len(word) - 1):
            slip = word[:i] + word[i + 1:]
            if slip not in DICTIONARY and slip != word and len(slip) >= 5:  # shorter slips are too close to other words
                out.append((place, slip))
                break
    return out


@pytest.mark.parametrize("place,slip", _place_slips(), ids=[s for _, s in _place_slips()])
def test_should_refuse_a_misspelt_place_we_lack(answerer, place, slip):
    answer = ask(answerer, f"how many articles per million does {slip} have")
    assert answer.status in ("no_data", "clarify"), answer.text
    assert "6,444" not in answer.text and "6444" not in answer.text, answer.text


def _clipped_names() -> list[tuple[str, str, int]]:
    """Organization names with their small words dropped, in lower case ("university antwerp")."""
    out = []
    for table in (CLUSTER.top_applicants, CLUSTER.top_publishers):
        for row in table.rows:
            words = row.shown.split()
            clipped = [w for w in words if w.lower() not in ("of", "de", "the")]
            if len(clipped) < len(words):
                out.append((row.shown, " ".join(clipped).lower(), row.count))
    return out


@pytest.mark.parametrize("name,clipped,count", _clipped_names(), ids=[c for _, c, _ in _clipped_names()])
def test_should_read_an_organization_named_without_its_small_words(answerer, name, clipped, count):
    answer = ask(answerer, f"how many does {clipped} have?")
    assert answer.status == "answered" and f"{count:,}" in answer.text, answer.text


@pytest.mark.parametrize("table,plural,unit,row", ROWS, ids=[r.shown for *_, r in ROWS])
def test_should_check_a_claimed_part_of_the_listed_rows_combined(answerer, table, plural, unit, row):
    part = 100 * row.count / sum(r.count for r in table.rows)
    below, above = int(part) - 5, int(part) + 5
    n = len(table.rows)
    yes = ask(answerer, f"does {row.shown} have more than {below}% of the {unit} of the {n} listed {plural} combined?")
    no = ask(answerer, f"does {row.shown} have more than {above}% of the {unit} of the {n} listed {plural} combined?")
    assert yes.text.startswith("Yes") and f"{part:.1f}%" in yes.text, yes.text
    assert no.text.startswith("No") and f"{part:.1f}%" in no.text, no.text


@pytest.mark.parametrize("words,value", [("one and a half", 1.5), ("two and a half", 2.5)])
@pytest.mark.parametrize("table,plural,unit,a,b", ROW_PAIRS, ids=[f"{a.shown}-{b.shown}" for *_, a, b in ROW_PAIRS])
def test_should_check_a_ratio_said_in_words(answerer, table, plural, unit, a, b, words, value):
    answer = ask(answerer, f"Does {a.shown} have more than {words} times as many {unit} as {b.shown}?")
    assert answer.text.startswith("Yes" if a.count / b.count > value else "No"), answer.text


def test_should_set_the_two_partner_lists_against_each_other():
    answerer = Answerer()
    patents = [l.shown for l in CLUSTER.patent_collaboration.locations]
    articles = [l.shown for l in CLUSTER.article_collaboration.locations]
    only_patents = [p for p in patents if p not in articles]
    only_articles = [a for a in articles if a not in patents]
    one = ask(answerer, f"Which location is a top patent partner of {CLUSTER.shown} but not a top article partner?")
    assert all(p in one.text for p in only_patents) and not any(a in one.text for a in only_articles), one.text
    other = ask(answerer, "Which locations are article partners but not patent partners?")
    assert all(a in other.text for a in only_articles) and not any(p in other.text for p in only_patents), other.text
    session = f"lists-{uuid.uuid4().hex}"
    ask(answerer, f"Which locations does {CLUSTER.shown} collaborate with most on patents?", session)
    ask(answerer, "And on scientific articles?", session)
    total = ask(answerer, "How many different locations is that in total?", session)
    assert str(len(set(patents) | set(articles))) in total.text, total.text


@pytest.mark.parametrize("table,plural,unit,a,b", ROW_PAIRS, ids=[f"{a.shown}-{b.shown}" for *_, a, b in ROW_PAIRS])
def test_should_take_back_what_a_message_corrects_itself(answerer, table, plural, unit, a, b):
    inside = ask(answerer, f"How many {unit} did {a.shown} – no wait, I mean {b.shown} – have?")
    assert f"{b.count:,}" in inside.text and f"{a.count:,}" not in inside.text, inside.text
    later = ask(answerer, f"What share of the {unit} does {a.shown} have? Actually scratch that, I want {b.shown}'s share.")
    assert f"{b.share:g}%" in later.text and norm(a.shown) not in norm(later.text), later.text


@pytest.mark.parametrize("table,plural,unit,a,b", ROW_PAIRS, ids=[f"{a.shown}-{b.shown}" for *_, a, b in ROW_PAIRS])
def test_should_check_a_claimed_order_of_two_rows(answerer, table, plural, unit, a, b):
    answer = ask(answerer, f"{a.shown} is ahead of {b.shown} in {unit}?")
    assert answer.text.startswith("Yes" if a.rank < b.rank else "No"), answer.text


# -- session 4: kinds found by fresh sets 5, compositional 2 and collision 2 ----------------------------

@pytest.mark.parametrize("table,plural,unit,row", ROWS, ids=[r.shown for *_, r in ROWS])
def test_should_set_a_named_row_against_rows_picked_by_their_places(answerer, table, plural, unit, row):
    others = [r for r in table.rows if r.rank != row.rank]
    places = " and ".join(ORDINALS[r.rank] for r in others)
    together = sum(r.count for r in others)
    answer = ask(answerer, f"Does {row.shown} have more {unit} than the {places} {plural} put together?")
    assert answer.text.startswith("Yes" if row.count > together else "No"), answer.text
    assert f"{together:,}" in answer.text, answer.text


@pytest.mark.parametrize("table,plural,unit,a,b", ROW_PAIRS, ids=[f"{a.shown}-{b.shown}" for *_, a, b in ROW_PAIRS])
def test_should_check_a_claim_that_a_row_comes_right_after_another(answerer, table, plural, unit, a, b):
    answer = ask(answerer, f"{a.shown} comes right after {b.shown} in the ranking of {plural}, yes?")
    assert answer.text.startswith("Yes" if a.rank == b.rank + 1 else "No"), answer.text


@pytest.mark.parametrize("table,plural,unit,a,b", ROW_PAIRS, ids=[f"{a.shown}-{b.shown}" for *_, a, b in ROW_PAIRS])
@pytest.mark.parametrize("wrong", [False, True])
def test_should_check_values_claimed_row_by_row(answerer, table, plural, unit, a, b, wrong):
    second = b.share + 2 if wrong else b.share
    answer = ask(answerer, f"So {a.shown}'s share of the {unit} is {a.share:g}% and {b.shown}'s is {second:g}%?")
    assert answer.text.startswith("No" if wrong else "Yes"), answer.text
    assert f"{a.share:g}%" in answer.text and f"{b.share:g}%" in answer.text, answer.text


@pytest.mark.parametrize("claimed", range(1, 9))
@pytest.mark.parametrize("lower,higher", [("intensity", "size"), ("size", "intensity")])
def test_should_check_a_gap_claimed_between_the_two_ranks(answerer, claimed, lower, higher):
    c = CLUSTER
    worse = "intensity" if c.rank_intensity > c.rank_size else "size"
    gap = abs(c.rank_intensity - c.rank_size)
    answer = ask(answerer, f"The {lower} rank is {claimed} places below the {higher} rank, correct?")
    assert answer.text.startswith("Yes" if claimed == gap and lower == worse else "No"), answer.text


@pytest.mark.parametrize("words", ["one of several", "one of many"])
def test_should_check_a_claim_of_other_clusters_in_the_economy(answerer, words):
    c = CLUSTER
    others = [o for o in KB.clusters if o.id != c.id and set(o.economies) & set(c.economies)]
    answer = ask(answerer, f"{c.shown} is {words} clusters of {c.economies[0]} in the top 100, right?")
    assert answer.text.startswith("Yes" if others else "No"), answer.text


@pytest.mark.parametrize("noun", ["restaurant", "hotel", "museum", "parking garage", "bakery"])
@pytest.mark.parametrize("alias", ["Brussels", "Antwerp"])
def test_should_not_answer_a_request_about_things_near_a_cluster_city(answerer, noun, alias):
    for question in (f"Can you recommend a nice {noun} near the Grand Place in {alias}?", f"is there a good {noun} in {alias}?"):
        answer = ask(answerer, question)
        assert answer.status != "answered", (question, answer.text)


@pytest.mark.parametrize("table,plural,unit,a,b", ROW_PAIRS, ids=[f"{a.shown}-{b.shown}" for *_, a, b in ROW_PAIRS])
def test_should_give_a_ratio_as_a_percentage_and_the_other_way_round(answerer, table, plural, unit, a, b):
    as_percentage = ask(answerer, f"{a.shown}'s {unit} as a percentage of {b.shown}'s?")
    value = a.count / b.count
    assert f"{value:.2f}".rstrip("0").rstrip(".") in as_percentage.text, as_percentage.text
    session = f"reverse-{uuid.uuid4().hex}"
    ask(answerer, f"How many times as many {unit} does {a.shown} have as {b.shown}?", session)
    reverse = ask(answerer, "and vice versa?", session)
    assert f"{b.count / a.count:.2f}".rstrip("0").rstrip(".") in reverse.text, reverse.text


@pytest.mark.parametrize("table,plural,unit,row", ROWS, ids=[r.shown for *_, r in ROWS])
def test_should_pick_the_row_closest_to_a_named_one(answerer, table, plural, unit, row):
    others = [r for r in table.rows if r.rank != row.rank]
    closest = min(abs(r.count - row.count) for r in others)
    expected = [r.shown for r in others if abs(r.count - row.count) == closest]
    answer = ask(answerer, f"Which of the {plural} is closest to {row.shown} in number of {unit}?")
    assert all(name in answer.text for name in expected), answer.text


@pytest.mark.parametrize("n", [2, 3])
@pytest.mark.parametrize("table,plural,unit,row", [r for r in ROWS if r[3].rank == 1], ids=["applicants", "publishers"])
def test_should_give_the_share_not_held_by_the_top_n(answerer, table, plural, unit, row, n):
    held = sum(r.share for r in table.rows[:n])
    answer = ask(answerer, f"What share of the cluster's {unit} is NOT held by the top {n} {plural}?")
    assert f"{100 - held:g}%" in answer.text, answer.text


@pytest.mark.parametrize("ranking,attribute", [("size", "rank_size"), ("intensity", "rank_intensity")])
def test_should_count_the_clusters_ranked_ahead(answerer, ranking, attribute):
    rank = getattr(CLUSTER, attribute)
    answer = ask(answerer, f"How many clusters are ranked ahead of {CLUSTER.shown} by {ranking}?")
    assert answer.status == "answered" and str(rank - 1) in answer.text, answer.text


def _stem_words(forms: bool) -> list[tuple[str, str]]:
    """(lexicon entry, dictionary word) for every dictionary word that starts like a stem of the entry ("journal*"):
    its forms ("journals") when `forms`, else the words that only start like it ("journalist")."""
    from intents.lexicon import load_lexicon
    from intents.vocabulary import load_vocabulary
    endings = load_vocabulary().finder_words["stem_endings"]
    out = []
    for entry_id, entry in load_lexicon().entries.items():
        for phrase in entry.phrases:
            if phrase.endswith("*") and " " not in phrase:
                stem = phrase[:-1]
                out += [(entry_id, w) for w in sorted(DICTIONARY)
                        if w.startswith(stem) and (w[len(stem):] in endings) == forms]
    return out


LOOKALIKES = _stem_words(forms=False)


def test_should_not_read_a_word_that_only_starts_like_a_stem_as_that_stem(answerer):
    reader = answerer.core.reader
    assert LOOKALIKES, "the dictionary has words like 'journalist'; none found means the test reads nothing"
    wrong = [(entry_id, word) for entry_id, word in LOOKALIKES if entry_id in reader.clause(f"the {word} here").tags]
    assert not wrong, wrong[:20]


@pytest.mark.parametrize("table,plural,unit,row", [r for r in ROWS if r[3].rank == 1], ids=["applicants", "publishers"])
def test_should_answer_an_embedded_question_and_the_one_joined_to_it(answerer, table, plural, unit, row):
    domain = "PCT applications" if "PCT" in unit else "scientific articles"
    collaboration = CLUSTER.patent_collaboration if "PCT" in unit else CLUSTER.article_collaboration
    first = collaboration.locations[0]
    place = first if isinstance(first, str) else getattr(first, "shown", getattr(first, "name", ""))
    answer = ask(answerer, f"For my slides I'd like to know what percentage of {CLUSTER.shown}'s {domain} are made in "
                           f"collaboration, and which three locations they work with most.")
    assert f"{collaboration.share:g}%" in answer.text and place in answer.text, answer.text


TRIPLES = [(table, plural, unit, a, b, m) for _, table, plural, unit, _ in TABLES for a in table.rows for b in table.rows
           for m in table.rows if a.rank < m.rank < b.rank]


@pytest.mark.parametrize("table,plural,unit,a,b,middle", TRIPLES, ids=[f"{a.shown}-{b.shown}" for *_, a, b, _ in TRIPLES])
def test_should_name_the_row_between_two_named_rows(answerer, table, plural, unit, a, b, middle):
    noun = plural.split()[-1][:-1] if plural.endswith("s") else plural
    answer = ask(answerer, f"Which {noun} sits between {a.shown} and {b.shown} in the ranking?")
    assert middle.shown in answer.text, answer.text


@pytest.mark.parametrize("table,plural,unit,row", [r for r in ROWS if r[3].rank == 1], ids=["applicants", "publishers"])
def test_should_read_mean_before_a_table_word_as_an_average(answerer, table, plural, unit, row):
    mean = sum(r.count for r in table.rows) / len(table.rows)
    answer = ask(answerer, f"mean {unit} per top-{len(table.rows)} {plural.split()[-1][:-1]}")
    assert f"{mean:,.1f}".rstrip("0").rstrip(".") in answer.text, answer.text


@pytest.mark.parametrize("ranking,attribute", [("size", "rank_size"), ("intensity", "rank_intensity")])
@pytest.mark.parametrize("target", [10, 25, 50])
def test_should_count_the_places_to_climb_to_a_position_and_follow_up_by_the_other_ranking(answerer, ranking, attribute, target):
    other, other_attribute = ("intensity", "rank_intensity") if ranking == "size" else ("size", "rank_size")
    session = f"climb-{uuid.uuid4().hex}"
    first = ask(answerer, f"How many places would {CLUSTER.shown} have to climb by {ranking} to reach {target}th?", session)
    assert str(getattr(CLUSTER, attribute) - target) in first.text, first.text
    then = ask(answerer, f"And by {other}?", session)
    assert str(getattr(CLUSTER, other_attribute) - target) in then.text, then.text


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_should_check_whether_two_lists_have_the_same_place_at_a_position(answerer, rank):
    patents = CLUSTER.patent_collaboration.locations
    articles = CLUSTER.article_collaboration.locations
    if rank > min(len(patents), len(articles)):
        pytest.skip("a list this short")
    name = lambda place: place if isinstance(place, str) else getattr(place, "name", "")  # noqa: E731
    same = name(patents[rank - 1]) == name(articles[rank - 1])
    answer = ask(answerer, f"Is the number {rank} patent partner also the number {rank} article partner?")
    assert answer.text.startswith("Yes" if same else "No"), answer.text


@pytest.mark.parametrize("table,plural,unit,row", [r for r in ROWS if r[3].rank > 1], ids=[r[3].shown for r in ROWS if r[3].rank > 1])
def test_should_compare_a_row_with_the_one_just_above_it(answerer, table, plural, unit, row):
    above = next(r for r in table.rows if r.rank == row.rank - 1)
    session = f"above-{uuid.uuid4().hex}"
    ask(answerer, f"Who is {ORDINALS[row.rank]} among the {plural}?", session)
    same = ask(answerer, f"Is that the same share as the one just above it?", session)
    assert same.text.startswith("Yes" if above.share == row.share else "No"), same.text
    gap = ask(answerer, "So how many separate the two?", session)
    assert f"{above.count - row.count:,}" in gap.text, gap.text


@pytest.mark.parametrize("words,value", [("two third", 66.667), ("three quarter", 75.0), ("three fourths", 75.0)])
def test_should_read_fractions_as_non_native_writers_write_them(answerer, words, value):
    share = CLUSTER.article_collaboration.share
    answer = ask(answerer, f"is true that more than {words} of the articles are made in collaboration?")
    assert answer.text.startswith("Yes" if share > value else "No"), answer.text


def _names_clipped_at_the_end() -> list[tuple[str, str, float]]:
    """(table unit, an organization's name in lower case with a letter dropped from its last long word, its share)."""
    out = []
    for _, table, _, unit, _ in TABLES:
        for row in table.rows:
            words = row.shown.lower().replace("/", " ").split()
            long_words = [i for i, w in enumerate(words) if w.isalpha() and len(w) >= 5]
            if len(words) < 2 or not long_words:
                continue
            i = long_words[-1]
            clipped = words[:i] + [words[i][:-1]] + words[i + 1:]
            out.append((unit, " ".join(clipped), row.share))
    return out


@pytest.mark.parametrize("unit,name,share", _names_clipped_at_the_end(), ids=[n for _, n, _ in _names_clipped_at_the_end()])
def test_should_read_a_long_name_misspelt_at_its_end_as_that_organization(answerer, unit, name, share):
    answer = ask(answerer, f"what share of the {unit} have {name}?")
    assert answer.status == "answered" and f"{share:g}%" in answer.text, answer.text


@pytest.mark.parametrize("first,second", [("articles", "patent applications"), ("patent applications", "articles")])
def test_should_carry_the_collaboration_share_through_corrections_and_its_complement(answerer, first, second):
    share = {"articles": CLUSTER.article_collaboration.share, "patent applications": CLUSTER.patent_collaboration.share}
    session = f"collab-{uuid.uuid4().hex}"
    ask(answerer, f"what share of {first} involve collaboration", session)
    rest = ask(answerer, "and what share isn't?", session)
    assert f"{100 - share[first]:g}%" in rest.text, rest.text
    session = f"collab-{uuid.uuid4().hex}"
    ask(answerer, f"what share of {first} involve collaboration", session)
    corrected = ask(answerer, f"wait I mixed things up - what I need is that share for {second}", session)
    assert f"{share[second]:g}%" in corrected.text, corrected.text


@pytest.mark.parametrize("statement,figure", [
    ("First: scientific articles per million inhabitants over the past five years.", f"{CLUSTER.articles_per_million:,}"),
    ("Next: PCT applications per million inhabitants.", f"{CLUSTER.pct_per_million:,}"),
    ("The top PCT applicant and its count.", f"{CLUSTER.top_applicants.rows[0].count:,}")])
@pytest.mark.parametrize("question", ["What does the profile give?", "What does the profile say?"])
def test_should_answer_a_bare_question_about_the_statement_before_it(answerer, statement, figure, question):
    answer = ask(answerer, f"I need to double-check a few figures from the WIPO cluster profile. {statement} {question}")
    assert answer.status == "answered" and figure in answer.text, answer.text


@pytest.mark.parametrize("words", ["how intense is it on", "how intensive is the cluster in", "what's its intensity for"])
@pytest.mark.parametrize("domain,attribute", [("patents", "pct_per_million"), ("publications", "articles_per_million")])
def test_should_read_intensity_of_one_kind_as_its_figure_per_million(answerer, words, domain, attribute):
    answer = ask(answerer, f"And the cluster as a whole — {words} {domain}?")
    assert f"{getattr(CLUSTER, attribute):,}" in answer.text and "understand" not in answer.text, answer.text


@pytest.mark.parametrize("first,then", [(50, 40), (50, 25), (60, 30)])
def test_should_ask_the_distance_again_for_another_place_or_ranking(answerer, first, then):
    session = f"distance-{uuid.uuid4().hex}"
    ask(answerer, f"How many places would {CLUSTER.shown} need to climb to get into the top {first} by size?", session)
    other = ask(answerer, f"And to reach the top {first} by intensity?", session)
    assert f"{max(CLUSTER.rank_intensity - first, 0)}" in other.text and not other.text.startswith(("Yes", "No")), other.text
    again = ask(answerer, f"and the top {then}?", session)
    assert f"{max(CLUSTER.rank_intensity - then, 0)}" in again.text, again.text


def test_should_read_every_form_of_a_stem_as_that_stem(answerer):
    reader = answerer.core.reader
    forms = _stem_words(forms=True)
    assert len(forms) > 50, forms
    missed = [(entry_id, word) for entry_id, word in forms if entry_id not in reader.clause(f"the {word} here").tags]
    assert not missed, missed[:20]


@pytest.mark.parametrize("table,plural,unit,row", ROWS, ids=[r.shown for *_, r in ROWS])
def test_should_set_one_row_against_the_other_two_combined_in_a_choice(answerer, table, plural, unit, row):
    others = [r for r in table.rows if r.rank != row.rank]
    together = sum(r.count for r in others)
    answer = ask(answerer, f"Which is larger: {row.shown}'s count of {unit}, or {others[0].shown} and {others[1].shown} combined?")
    assert f"{together:,}" in answer.text and f"{row.count:,}" in answer.text, answer.text


@pytest.mark.parametrize("place", ["Eindhoven", "Munich", "Stuttgart"])
def test_should_not_answer_a_comparison_with_a_refused_place(answerer, place):
    answer = ask(answerer, f"and for {place} cluster, how is the rank by size? same like {CLUSTER.shown}?")
    assert answer.status == "no_data" and str(CLUSTER.rank_size) not in answer.text, answer.text


@pytest.mark.parametrize("field", ["biotechnology", "pharmaceuticals", "medical technology", "organic chemistry"])
def test_should_refuse_figures_by_technology_field(answerer, field):
    answer = ask(answerer, f"How many patents did {CLUSTER.shown} file in {field}?")
    assert answer.status == "no_data", answer.text


@pytest.mark.parametrize("table,plural,unit,row", [r for r in ROWS if r[3].rank == 1], ids=["applicants", "publishers"])
@pytest.mark.parametrize("ask_back", ["Could you list them for me?", "Can you list them?", "Please list them."])
def test_should_list_what_the_statement_before_names(answerer, table, plural, unit, row, ask_back):
    answer = ask(answerer, f"I'm an intern at a law firm in Brussels. My manager wants the top {len(table.rows)} {plural} in the "
                           f"cluster with their counts, for a client pitch on Friday. {ask_back}")
    assert answer.status == "answered" and all(r.shown in answer.text for r in table.rows), answer.text


@pytest.mark.parametrize("joined", ["+", "and"])
@pytest.mark.parametrize("table,plural,unit,row", ROWS, ids=[r.shown for *_, r in ROWS])
def test_should_give_the_count_when_a_table_noun_is_joined_to_a_measure(answerer, table, plural, unit, row, joined):
    noun = "articles" if "articles" in unit else "patents"
    answer = ask(answerer, f"{row.shown.lower()} {noun} {joined} share")
    assert f"{row.count:,}" in answer.text and f"{row.share:g}%" in answer.text, answer.text


@pytest.mark.parametrize("table,plural,unit,a,b", ROW_PAIRS[::2], ids=[f"{a.shown}-{b.shown}" for *_, a, b in ROW_PAIRS[::2]])
def test_should_check_one_value_claimed_of_both_rows(answerer, table, plural, unit, a, b):
    answer = ask(answerer, f"{a.shown} and {b.shown} both have a {a.share:g}% share, right?")
    assert answer.text.startswith("Yes" if a.share == b.share else "No"), answer.text
    assert f"{a.share:g}%" in answer.text and f"{b.share:g}%" in answer.text, answer.text


def _rows_by_a_place_word() -> list[tuple[str, str, str]]:
    """(the table's noun, a place word inside one organization's name only, that organization) from the profile."""
    from knowledge.places import load_places
    places = load_places()
    out = []
    names = [(r, t) for _, table, plural, _, _ in TABLES for r in table.rows for t in [plural]]
    for row, plural in names:
        for word in row.shown.split():
            if len(word) > 3 and word in places and sum(word.lower() in r.shown.lower().split() for r, _ in names) == 1:
                out.append((plural, word, row.shown))
    return out


@pytest.mark.parametrize("plural,word,name", _rows_by_a_place_word(), ids=[w for _, w, _ in _rows_by_a_place_word()])
def test_should_read_the_place_one_as_the_row_with_that_word_in_its_name(answerer, plural, word, name):
    answer = ask(answerer, f"Among the {plural}, how many does the {word} one have?")
    assert answer.status == "answered" and name in answer.text, answer.text


TRIPLES_ANY = [(table, plural, unit, a, b, c) for _, table, plural, unit, _ in TABLES for a in table.rows for b in table.rows
               for c in table.rows if len({a.rank, b.rank, c.rank}) == 3][::2]


@pytest.mark.parametrize("table,plural,unit,a,b,c", TRIPLES_ANY, ids=[f"{a.shown[:8]}-{b.shown[:8]}-{c.shown[:8]}" for *_, a, b, c in TRIPLES_ANY])
def test_should_take_back_only_the_side_a_correction_replaces(answerer, table, plural, unit, a, b, c):
    answer = ask(answerer, f"How many more {unit} does {a.shown} have than {b.shown}? No wait, make that compared with {c.shown}.")
    assert f"{abs(a.count - c.count):,}" in answer.text and f"{b.count:,}" not in answer.text, answer.text


# -- session 5: kinds found by fresh sets 6-7, compositional 3 and collision 3 --------------------------

def _both_list_claims() -> list[tuple[str, int, bool]]:
    """(a partner place, a position claimed for it in both lists, whether it holds in both), from the profile."""
    patents = [l.shown for l in CLUSTER.patent_collaboration.locations]
    articles = [l.shown for l in CLUSTER.article_collaboration.locations]
    places = list(dict.fromkeys(patents + articles))
    return [(place, position, place in patents and place in articles
             and patents.index(place) + 1 == position and articles.index(place) + 1 == position)
            for place in places for position in (1, 2, 3)]


@pytest.mark.parametrize("place,position,holds", _both_list_claims(), ids=[f"{p}-{n}" for p, n, _ in _both_list_claims()])
def test_should_answer_a_claim_about_both_partner_lists_yes_only_when_it_holds_in_both(answerer, place, position, holds):
    answer = ask(answerer, f"{place} is the {ORDINALS[position]} collaborating location for both patents and articles, right?")
    assert answer.text.startswith("Yes" if holds else "No"), answer.text


MEMBERSHIP_FORMS = ["Does {name} appear in the {noun} list?", "Is {name} on the list of top {plural}?",
                    "Does {name} also feature among the top {plural}?", "Is {name} included in the {noun} list?"]
MEMBERSHIPS = [(form, row.shown, noun, plural, row in table.rows)
               for form in MEMBERSHIP_FORMS for key, table, plural, _, _ in TABLES for noun in [key.rstrip("s")]
               for other, _, _, _, _ in TABLES for row in getattr(CLUSTER, "top_" + other).rows]


@pytest.mark.parametrize("form,name,noun,plural,listed", MEMBERSHIPS,
                         ids=[f"{f[:12]}-{n[:10]}-{p}" for f, n, _, p, _ in MEMBERSHIPS])
def test_should_answer_whether_a_row_is_in_a_table_however_membership_is_worded(answerer, form, name, noun, plural, listed):
    answer = ask(answerer, form.format(name=name, noun=noun, plural=plural))
    assert answer.text.startswith("Yes" if listed else "No"), answer.text


def _partner_memberships() -> list[tuple[str, str, bool]]:
    """(a place named in either partner list, a statement asked as a question about its membership, whether it holds)."""
    patents = [l.shown for l in CLUSTER.patent_collaboration.locations]
    articles = [l.shown for l in CLUSTER.article_collaboration.locations]
    out = []
    for place in dict.fromkeys(patents + articles):
        out += [(place, f"{place} in both lists?", place in patents and place in articles),
                (place, f"{place} shows up in both collaboration lists?", place in patents and place in articles),
                (place, f"{place} on the article partner list?", place in articles),
                (place, f"{place} among the top patent partners?", place in patents)]
    return out


@pytest.mark.parametrize("place,question,holds", _partner_memberships(), ids=[q for _, q, _ in _partner_memberships()])
def test_should_check_a_place_in_a_list_claimed_without_a_question_word(answerer, place, question, holds):
    answer = ask(answerer, question)
    assert answer.text.startswith("Yes" if holds else "No"), answer.text


@pytest.mark.parametrize("n", [4, 5, 10])
@pytest.mark.parametrize("key,table,plural,unit,verb", TABLES, ids=[t[0] for t in TABLES])
def test_should_refuse_a_sum_over_more_rows_than_the_profile_lists(answerer, key, table, plural, unit, verb, n):
    assert len(table.rows) < n
    for question in (f"How many {unit} did the top {n} {plural} have together?",
                     f"What share do the top {n} {plural} hold combined?"):
        answer = ask(answerer, question)
        assert answer.status == "no_data" and f"top {len(table.rows)}" in answer.text, answer.text
        assert f"{sum(r.count for r in table.rows):,}" not in answer.text, answer.text
    together = ask(answerer, f"How many {unit} did the top {len(table.rows)} {plural} have together?")
    assert together.status == "answered" and f"{sum(r.count for r in table.rows):,}" in together.text, together.text


@pytest.mark.parametrize("position", ["fourth", "fifth"])
@pytest.mark.parametrize("unit", ["patents", "scientific articles"])
def test_should_refuse_a_partner_place_beyond_the_list(answerer, unit, position):
    session = f"beyond-{uuid.uuid4().hex}"
    ask(answerer, f"Which places does {CLUSTER.shown} collaborate with most on {unit}?", session)
    answer = ask(answerer, f"and the {position}?", session)
    assert answer.status == "no_data", answer.text


WORDS = {1: "one", 2: "two", 3: "three"}
PLACE_GAPS = [(table, plural, a, b, n, side) for _, table, plural, _, _ in TABLES for a in table.rows for b in table.rows
              if a.rank != b.rank for n in (1, 2) for side in ("below", "above")]


@pytest.mark.parametrize("table,plural,a,b,n,side", PLACE_GAPS, ids=[f"{a.shown[:8]}-{n}-{s}-{b.shown[:8]}" for _, _, a, b, n, s in PLACE_GAPS])
def test_should_check_a_number_of_places_claimed_between_two_rows(answerer, table, plural, a, b, n, side):
    holds = (a.rank - b.rank if side == "below" else b.rank - a.rank) == n
    answer = ask(answerer, f"Is {a.shown} {WORDS[n]} places {side} {b.shown} among the {plural}?")
    assert answer.text.startswith("Yes" if holds else "No"), answer.text


PLACES_FROM = [(table, plural, b, n, side) for _, table, plural, _, _ in TABLES for b in table.rows for n in (1, 2)
               for side in ("below", "above")]


@pytest.mark.parametrize("table,plural,b,n,side", PLACES_FROM, ids=[f"{n}-{s}-{b.shown[:10]}" for _, _, b, n, s in PLACES_FROM])
def test_should_pick_the_row_a_number_of_places_from_a_named_one(answerer, table, plural, b, n, side):
    rank = b.rank + n if side == "below" else b.rank - n
    wanted = next((r for r in table.rows if r.rank == rank), None)
    answer = ask(answerer, f"Which of the {plural} is {WORDS[n]} places {side} {b.shown}?")
    if wanted is None:
        assert answer.status == "no_data", answer.text
    else:
        others = [r.shown for r in table.rows if r.rank not in (rank, b.rank)]
        assert answer.status == "answered" and wanted.shown in answer.text, answer.text
        assert not any(o in answer.text for o in others if o not in wanted.shown), answer.text


@pytest.mark.parametrize("form", ["Does {a} have more or fewer {unit} than {b}?", "Is {a}'s count of {unit} higher or lower than {b}'s?",
                                  "How many {unit} has {a}, and is this more or less than {b}?"])
@pytest.mark.parametrize("table,plural,unit,a,b", ROW_PAIRS, ids=[f"{a.shown[:8]}-{b.shown[:8]}" for *_, a, b in ROW_PAIRS])
def test_should_say_which_way_two_rows_compare_when_asked_more_or_fewer(answerer, form, table, plural, unit, a, b):
    answer = ask(answerer, form.format(a=a.shown, b=b.shown, unit=unit))
    assert answer.status == "answered" and not re.match(r"(yes|no)\b", answer.text.lower()), answer.text
    side = answer.text[answer.text.rfind(a.shown):]
    assert side.startswith(a.shown), answer.text
    assert (" fewer " in side) == ((a.count or 0) < (b.count or 0)), answer.text


LEAD_INS = [f"In the {CLUSTER.shown} profile, ", "According to the GII 2024 data, ", "For my report: "]
YES_NO_FACTS = [(lead, t, v, k, m) for t, v, k, m in FACTS if re.match(r"(is|are|does|did) ", t.lower()) for lead in LEAD_INS]


@pytest.mark.parametrize("lead,template,value,kind,must", YES_NO_FACTS, ids=[f"{l[:6]}-{t[:40]}" for l, t, *_ in YES_NO_FACTS])
def test_should_check_a_yes_no_question_after_a_lead_in_as_alone(answerer, lead, template, value, kind, must):
    question = template.format(v=render(kind, value))
    right = ask(answerer, lead + question[0].lower() + question[1:])
    assert norm(right.text).startswith("yes"), right.text
    wrong = perturbed(kind, value, random.Random(f"{SEED}-{template}"))
    question = template.format(v=render(kind, wrong))
    denied = ask(answerer, lead + question[0].lower() + question[1:])
    assert norm(denied.text).startswith("no"), denied.text


def _same_place_claims() -> list[tuple[str, bool]]:
    patents = [l.shown for l in CLUSTER.patent_collaboration.locations]
    articles = [l.shown for l in CLUSTER.article_collaboration.locations]
    out = []
    for place in dict.fromkeys(patents + articles):
        holds = place in patents and place in articles and patents.index(place) == articles.index(place)
        out += [(f"Is {place} in the same place in both lists?", holds),
                (f"Does {place} hold the same position in both partner lists?", holds)]
    return out


@pytest.mark.parametrize("question,holds", _same_place_claims(), ids=[q for q, _ in _same_place_claims()])
def test_should_check_whether_a_place_has_the_same_position_in_both_partner_lists(answerer, question, holds):
    answer = ask(answerer, question)
    assert answer.text.startswith("Yes" if holds else "No"), answer.text


GAP_LIMITS = [(table, unit, a, b, n) for table, plural, unit, a, b in ROW_PAIRS if a.rank < b.rank
              for n in sorted({abs(a.count - b.count) - 1, abs(a.count - b.count), abs(a.count - b.count) + 1} - {0})]


@pytest.mark.parametrize("table,unit,a,b,n", GAP_LIMITS, ids=[f"{a.shown[:8]}-{b.shown[:8]}-{n}" for _, _, a, b, n in GAP_LIMITS])
def test_should_check_two_rows_claimed_within_a_gap_of_each_other(answerer, table, unit, a, b, n):
    answer = ask(answerer, f"Are {a.shown} and {b.shown} within {n} {unit} of each other?")
    assert answer.text.startswith("Yes" if abs(a.count - b.count) <= n else "No"), answer.text
    assert f"{abs(a.count - b.count):,}" in answer.text, answer.text


PLACE_LIMITS = [(a, b, n) for _, plural, unit, a, b in ROW_PAIRS if a.rank < b.rank for n in (1, 2)]


@pytest.mark.parametrize("a,b,n", PLACE_LIMITS, ids=[f"{a.shown[:8]}-{b.shown[:8]}-{n}" for a, b, n in PLACE_LIMITS])
def test_should_check_two_rows_claimed_within_some_places_of_each_other(answerer, a, b, n):
    answer = ask(answerer, f"Are {a.shown} and {b.shown} within {n} places of each other?")
    assert answer.text.startswith("Yes" if b.rank - a.rank <= n else "No"), answer.text


def _paired_claims() -> list[tuple[str, bool]]:
    """Two figures of the cluster claimed in one sentence, each as it is or off by one place or a tenth: Yes only if both hold."""
    c, out = CLUSTER, []
    ranks = [(f"{c.rank_size + ds}{suffix(c.rank_size + ds)}", f"{c.rank_intensity + di}{suffix(c.rank_intensity + di)}", ds == di == 0)
             for ds in (0, 1) for di in (0, -1)]
    for size, intensity, holds in ranks:
        out += [(f"Just to confirm: {c.shown} ranks {size} by size and {intensity} by intensity?", holds),
                (f"by intensity {intensity}, by size {size}, right?", holds)]
    cp, ca = c.patent_collaboration.share, c.article_collaboration.share
    for p, a in ((cp, ca), (cp + 5, ca), (cp, ca - 5), (ca, cp)):
        out.append((f"is it correct that {a:g}% of the cluster's articles and {p:g}% of its pct applications are collaborative",
                    (p, a) == (cp, ca)))
    pct, art = c.pct_per_million, c.articles_per_million
    for p, a in ((pct, art), (pct + 70, art), (pct, art + 600), (art, pct)):
        holds = (p, a) == (pct, art)
        out += [(f"Does it file {p:,} PCT applications and publish {a:,} scientific articles per million inhabitants?", holds),
                (f"per million inhabitants: {a:,} articles and {p:,} patent applications, correct?", holds)]
    return out


@pytest.mark.parametrize("question,holds", _paired_claims(), ids=[q[:60] for q, _ in _paired_claims()])
def test_should_check_each_of_two_figures_claimed_together_against_its_own_measure(answerer, question, holds):
    answer = ask(answerer, question)
    assert answer.text.startswith("Yes" if holds else "No"), answer.text


SHARE_OF_TOTAL = [(row, unit, verb, count, share) for _, table, _, unit, verb in TABLES for row in table.rows
                  for count, share in ((row.count, row.share), (row.count, row.share + 1), (row.count + 10, row.share))]


@pytest.mark.parametrize("row,unit,verb,count,share", SHARE_OF_TOTAL, ids=[f"{r.shown[:10]}-{c}-{s:g}" for r, _, _, c, s in SHARE_OF_TOTAL])
def test_should_check_a_share_claimed_as_a_part_of_the_total(answerer, row, unit, verb, count, share):
    holds = (count, share) == (row.count, row.share)
    answer = ask(answerer, f"Am I right that {row.shown} {verb} {count:,} {unit}, which is {share:g}% of the cluster total?")
    assert answer.text.startswith("Yes" if holds else "No"), answer.text
    alone = ask(answerer, f"{row.shown} holds {share:g}% of the total, right?")
    assert alone.text.startswith("Yes" if share == row.share else "No"), alone.text


PERIODS = [(figure, unit, years) for figure, unit in ((CLUSTER.articles_per_million, "articles"),
                                                      (CLUSTER.pct_per_million, "PCT applications"))
           for years in (3, 5, 10)]


@pytest.mark.parametrize("figure,unit,years", PERIODS, ids=[f"{u[:4]}-{y}" for _, u, y in PERIODS])
def test_should_check_the_period_claimed_for_the_per_million_figures(answerer, figure, unit, years):
    from knowledge.schema import load_schema
    holds = years == load_schema().period_years
    answer = ask(answerer, f"The {figure:,} {unit} per million inhabitants figure covers the last {years} years, correct?")
    assert answer.text.startswith("Yes" if holds else "No") and f"{figure:,}" in answer.text, answer.text
    words = {3: "three", 5: "five", 10: "ten"}[years]
    spelled = ask(answerer, f"Are the {unit} per million from the past {words} years?")
    if holds:  # "the past five years" is read as the profiles' own period: the fact, with no verdict (not yet a claim)
        assert f"{figure:,}" in spelled.text and not spelled.text.startswith("No"), spelled.text
    else:
        assert spelled.text.startswith("No"), spelled.text


@pytest.mark.parametrize("table,plural,unit,a,b", ROW_PAIRS, ids=[f"{a.shown[:8]}-{b.shown[:8]}" for *_, a, b in ROW_PAIRS])
def test_should_check_a_row_claimed_to_come_after_or_before_another(answerer, table, plural, unit, a, b):
    after = ask(answerer, f"Does {a.shown} come after {b.shown} among the {plural}?")
    assert after.text.startswith("Yes" if a.rank > b.rank else "No"), after.text
    before = ask(answerer, f"Does {a.shown} come before {b.shown} among the {plural}?")
    assert before.text.startswith("Yes" if a.rank < b.rank else "No"), before.text


@pytest.mark.parametrize("table,plural,unit,row", ROWS, ids=[r.shown for *_, r in ROWS])
def test_should_pick_the_row_right_after_or_before_a_named_one(answerer, table, plural, unit, row):
    for word, step in (("after", 1), ("before", -1)):
        wanted = next((r for r in table.rows if r.rank == row.rank + step), None)
        answer = ask(answerer, f"{word} {row.shown}, which of the {plural} comes?")
        if wanted is None:
            assert answer.status == "no_data", answer.text
        else:
            assert answer.status == "answered" and wanted.shown in answer.text, answer.text


@pytest.mark.parametrize("measure", ["share", "number of"])
@pytest.mark.parametrize("table,plural,unit,row", ROWS, ids=[r.shown for *_, r in ROWS])
def test_should_name_the_rows_with_the_same_value_as_a_named_one(answerer, table, plural, unit, row, measure):
    attribute = "share" if measure == "share" else "count"
    same = [r.shown for r in table.rows if r is not row and getattr(r, attribute) == getattr(row, attribute)]
    others = [r.shown for r in table.rows if r is not row and r.shown not in same]
    asked = "share" if measure == "share" else f"number of {unit}"
    answer = ask(answerer, f"Which of the {plural} has the same {asked} as {row.shown}?")
    assert answer.status == "answered" and all(s in answer.text for s in same), answer.text
    assert not any(o in answer.text for o in others), answer.text


@pytest.mark.parametrize("form", ["So {row} leads the {plural}?", "{row} heads the {plural}, right?", "Is {row} the leader among the {plural}?",
                                  "{row} tops the list of {plural}?"])
@pytest.mark.parametrize("table,plural,unit,row", ROWS, ids=[r.shown for *_, r in ROWS])
def test_should_read_a_row_said_to_lead_a_table_as_claiming_the_first_place(answerer, table, plural, unit, row, form):
    answer = ask(answerer, form.format(row=row.shown, plural=plural))
    assert answer.text.startswith("Yes" if row.rank == 1 else "No"), answer.text
    among = ask(answerer, f"Is {row.shown} among the top {plural}?")
    assert among.text.startswith("Yes"), among.text


@pytest.mark.parametrize("question", ["Which places are only in one of the two lists?", "Which partner places appear in just one of the lists?",
                                      "which locations are in one list only", "Which collaborating locations are in either list but not both?"])
def test_should_name_the_partner_places_in_only_one_list_with_their_list(answerer, question):
    patents = [l.shown for l in CLUSTER.patent_collaboration.locations]
    articles = [l.shown for l in CLUSTER.article_collaboration.locations]
    only = [p for p in patents if p not in articles] + [a for a in articles if a not in patents]
    both = [p for p in patents if p in articles]
    answer = ask(answerer, question)
    assert all(o in answer.text for o in only) and not any(b in answer.text for b in both), answer.text


CROSS_CLAIMS = [(a, p, da, dp) for a in CLUSTER.top_applicants.rows for p in CLUSTER.top_publishers.rows
                for da, dp in ((0, 0), (10, 0), (0, 100))][::2]


@pytest.mark.parametrize("a,p,da,dp", CROSS_CLAIMS, ids=[f"{a.shown[:8]}-{p.shown[:8]}-{da}-{dp}" for a, p, da, dp in CROSS_CLAIMS])
def test_should_check_claims_about_rows_of_both_tables_in_one_sentence(answerer, a, p, da, dp):
    holds = da == dp == 0
    answer = ask(answerer, f"{a.shown} filed {a.count + da:,} PCT applications and {p.shown} published {p.count + dp:,} "
                           f"scientific articles, right?")
    assert answer.text.startswith("Yes" if holds else "No"), answer.text
    limits = ask(answerer, f"{p.shown} has over {p.count - 1 + dp * 100:,} articles and {a.shown} fewer than {a.count + 1 - da:,} "
                           f"patent applications — are both of those correct?")
    assert limits.text.startswith("Yes" if holds else "No"), limits.text


def _partners_anywhere() -> list[tuple[str, bool]]:
    listed = dict.fromkeys([l.shown for l in CLUSTER.patent_collaboration.locations]
                           + [l.shown for l in CLUSTER.article_collaboration.locations])
    return [(p, True) for p in listed] + [("Lyon", False), ("Munich", False)]


@pytest.mark.parametrize("place,listed", _partners_anywhere(), ids=[p for p, _ in _partners_anywhere()])
def test_should_confirm_a_partner_place_in_either_list_when_no_table_is_named(answerer, place, listed):
    for question in (f"Is {place} a partner of {CLUSTER.shown}?",
                     f"Does the profile show {CLUSTER.shown} collaborating with {place} on anything?"):
        answer = ask(answerer, question)
        assert answer.text.startswith("Yes" if listed else "No"), answer.text


def _ranks_claimed_of_two_places() -> list[tuple[str, bool]]:
    out = []
    for name, unit in (("article_collaboration", "articles"), ("patent_collaboration", "patents")):
        places = [l.shown for l in getattr(CLUSTER, name).locations]
        for i, j in ((0, 2), (1, 2), (0, 1)):
            for claimed in (j, (j + 1) % 3):
                out.append((f"{places[i]} is the top collaborating location for {unit} and {places[j]} is "
                            f"{ORDINALS[claimed + 1]} — correct?", i == 0 and claimed == j))
    return out


@pytest.mark.parametrize("question,holds", _ranks_claimed_of_two_places(), ids=[q[:50] for q, _ in _ranks_claimed_of_two_places()])
def test_should_check_each_place_against_the_rank_claimed_of_it(answerer, question, holds):
    answer = ask(answerer, question)
    assert answer.text.startswith("Yes" if holds else "No"), answer.text


@pytest.mark.parametrize("question", ["What does {row} actually make?", "What products does {row} sell?",
                                      "How many inventors are there in {cluster}?", "How many researchers does {row} employ?"])
@pytest.mark.parametrize("table,plural,unit,row", ROWS[::2], ids=[r.shown for *_, r in ROWS[::2]])
def test_should_refuse_what_the_profile_does_not_say_about_a_row_or_the_cluster(answerer, table, plural, unit, row, question):
    answer = ask(answerer, question.format(row=row.shown, cluster=CLUSTER.shown))
    assert answer.status == "no_data" and f"{row.count:,}" not in answer.text, answer.text


NARRATIVES = ["We're a family of four relocating from Kraków to Brussels next spring; my husband is a postdoc.",
              "My sister lives in Ghent. She is a chemist. We talked about this yesterday.",
              "I was born in Porto and moved here in 2019. My company is small."]


@pytest.mark.parametrize("narrative", NARRATIVES, ids=["krakow", "ghent", "porto"])
@pytest.mark.parametrize("bare", BARE, ids=[b[:40] for b in BARE])
def test_should_give_the_same_figures_after_sentences_about_the_user(answerer, bare, narrative):
    plain = ask(answerer, bare)
    reply = ask(answerer, f"{narrative} {bare}")
    assert reply.status == "answered" and figures(reply.text) == figures(plain.text), f"{reply.text}\n  bare: {plain.text}"


@pytest.mark.parametrize("place,listed", _partners_anywhere(), ids=[p for p, _ in _partners_anywhere()])
def test_should_answer_a_wh_question_and_a_yes_no_question_joined_by_and(answerer, place, listed):
    share = CLUSTER.article_collaboration.share
    answer = ask(answerer, f"What share of the cluster's articles involve collaboration, and is {place} one of the key partner locations?")
    assert f"{share:g}%" in answer.text, answer.text
    assert ("Yes." if listed else "No.") in answer.text and ("No." if listed else "Yes.") not in answer.text, answer.text


@pytest.mark.parametrize("table,plural,unit,row", ROWS, ids=[r.shown for *_, r in ROWS])
def test_should_read_we_as_the_organization_the_user_says_they_work_for(answerer, table, plural, unit, row):
    answer = ask(answerer, f"I'm in the press office at {row.shown} and we'd like to mention our position in the annual report. "
                           f"Can you tell me where we stand among the {plural}, with our count and share?")
    assert f"{row.count:,}" in answer.text and f"{row.share:g}%" in answer.text, answer.text
    assert not any(f"{r.count:,}" in answer.text for r in table.rows if r is not row), answer.text


def test_should_ask_about_the_economys_clusters_after_a_claim_about_the_clusters_economy(answerer):
    economy = CLUSTER.economies[0]
    session = f"economy-{uuid.uuid4().hex}"
    first = ask(answerer, f"Is {CLUSTER.shown} in {economy}?", session)
    assert first.text.startswith("Yes"), first.text
    others = ask(answerer, f"Are there other clusters of {economy} in the top 100?", session)
    only = CLUSTER.membership.kind == "only"
    assert others.text.startswith("No" if only else "Yes") and "top 100" in others.text, others.text


@pytest.mark.parametrize("form", ["{a} is how many percent of {b} in the number of {unit}?", "What percentage of {b}'s {unit} is {a}'s?",
                                  "{a}'s {unit} are what percent of {b}'s?"])
@pytest.mark.parametrize("table,plural,unit,a,b", ROW_PAIRS, ids=[f"{a.shown[:8]}-{b.shown[:8]}" for *_, a, b in ROW_PAIRS])
def test_should_give_one_rows_count_as_a_percentage_of_anothers(answerer, form, table, plural, unit, a, b):
    answer = ask(answerer, form.format(a=a.shown, b=b.shown, unit=unit))
    assert f"{100 * a.count / b.count:.1f}%" in answer.text, answer.text


@pytest.mark.parametrize("table,plural,unit,row", ROWS, ids=[r.shown for *_, r in ROWS])
def test_should_set_a_row_picked_by_its_place_against_the_others_combined(answerer, table, plural, unit, row):
    others = sum(r.count for r in table.rows if r is not row)
    noun = plural.split()[-1][:-1]  # "applicant", "organization"
    answer = ask(answerer, f"How many more {unit} does the {ORDINALS[row.rank]} {noun} have than the other two combined?")
    assert f"{abs(row.count - others):,}" in answer.text and f"{others:,}" in answer.text, answer.text
    claim = ask(answerer, f"Does the {ORDINALS[row.rank]} {noun} have more {unit} than the other two combined?")
    assert claim.text.startswith("Yes" if row.count > others else "No"), claim.text


RATIO_FORMS = ["How many times as many {unit} as {b} does {a} have?", "{a} has how many times as many {unit} as {b}?",
               "How many times more {unit} does {a} have than {b}?", "how many times {b}'s {unit} does {a} have?",
               "By what factor does {a} exceed {b} in {unit}?", "ratio {a} : {b} {unit}", "the ratio of {a} to {b} in {unit}?"]


@pytest.mark.parametrize("form", RATIO_FORMS)
@pytest.mark.parametrize("table,plural,unit,a,b", ROW_PAIRS[::2], ids=[f"{a.shown}-{b.shown}" for *_, a, b in ROW_PAIRS[::2]])
def test_should_divide_by_the_row_said_after_as_or_than_whatever_the_word_order(answerer, table, plural, unit, a, b, form):
    answer = ask(answerer, form.format(unit=unit, a=a.shown, b=b.shown))
    assert f"{a.count / b.count:.2f}".rstrip("0").rstrip(".") in answer.text, answer.text


def _short_forms() -> list[tuple[str, str, int]]:
    """(an organization, its name as people shorten it, its count): "univ of antwerp", "uni antwerp", "R and D"."""
    forms = {"University": ["univ", "uni"], "Research & Development": ["research and development", "R and D"]}
    out = []
    for table in (CLUSTER.top_applicants, CLUSTER.top_publishers):
        for row in table.rows:
            for long, shorts in forms.items():
                if long.lower() in row.shown.lower():
                    for short in shorts:
                        pattern = re.compile(re.escape(long), re.IGNORECASE)
                        out.append((row.shown, pattern.sub(short, row.shown), row.count))
                        if " of " in row.shown:
                            out.append((row.shown, pattern.sub(short, row.shown).replace(" of ", " "), row.count))
    return out


SHORT_FORMS = _short_forms()


@pytest.mark.parametrize("name,short,count", SHORT_FORMS, ids=[s for _, s, _ in SHORT_FORMS])
def test_should_find_an_organization_written_with_short_forms_of_its_words(answerer, name, short, count):
    answer = ask(answerer, f"how many does {short.lower()} have?")
    assert answer.status == "answered" and f"{count:,}" in answer.text, answer.text
    other = next(r for t in (CLUSTER.top_applicants, CLUSTER.top_publishers) for r in t.rows if r.shown != name)
    compared = ask(answerer, f"what is the difference between {other.shown} and {short} in number?")
    assert answer.status == "answered" and f"{count:,}" in compared.text or compared.status == "no_data", compared.text


@pytest.mark.parametrize("table,plural,unit,a,b", ROW_PAIRS[::2], ids=[f"{a.shown}-{b.shown}" for *_, a, b in ROW_PAIRS[::2]])
def test_should_redo_a_comparison_in_the_measure_a_fragment_names(answerer, table, plural, unit, a, b):
    session = f"switch-{uuid.uuid4().hex}"
    ask(answerer, f"Who has the bigger share of {unit}, {a.shown} or {b.shown}?", session)
    counts = ask(answerer, "and in absolute numbers?", session)
    assert f"{abs(a.count - b.count):,}" in counts.text and f"{a.count:,}" in counts.text, counts.text
    session = f"switch-{uuid.uuid4().hex}"
    ask(answerer, f"How many more {unit} does {a.shown} have than {b.shown}?", session)
    shares = ask(answerer, "And in share points?", session)
    gap = abs(a.share - b.share)
    assert f"{gap:g} percentage point" in shares.text or (gap == 0 and "same" in shares.text.lower()), shares.text


NOT_COLLABORATIVE = [("patents", "What share of {them} are NOT filed in collaboration with other inventors?"),
                     ("patents", "what percent of {them} is not filed jointly?"),
                     ("articles", "What share of {them} are not published in collaboration?"),
                     ("articles", "how much of {them} is not co-published with other organisations?")]


@pytest.mark.parametrize("them", ["them", "the cluster's {unit}", "its {unit}"])
@pytest.mark.parametrize("domain,form", NOT_COLLABORATIVE, ids=[f[:40] for _, f in NOT_COLLABORATIVE])
def test_should_give_the_share_made_without_collaboration_when_the_question_negates_it(answerer, domain, form, them):
    share = (CLUSTER.patent_collaboration if domain == "patents" else CLUSTER.article_collaboration).share
    unit = "PCT applications" if domain == "patents" else "scientific articles"
    session = f"notcollab-{uuid.uuid4().hex}"
    ask(answerer, f"What share of {CLUSTER.shown}'s {unit} are made in collaboration?", session)
    answer = ask(answerer, form.format(them=them.format(unit=unit)), session)
    assert f"{100 - share:g}%" in answer.text, answer.text


@pytest.mark.parametrize("the", ["", "the "])
@pytest.mark.parametrize("table,plural,unit,row", ROWS, ids=[r.shown for *_, r in ROWS])
def test_should_set_a_row_against_two_named_rows_combined(answerer, table, plural, unit, row, the):
    others = [r for r in table.rows if r.rank != row.rank]
    names = f" and {the}".join(r.shown for r in others)
    answer = ask(answerer, f"How many more {unit} did {row.shown} have than {the}{names} combined?")
    assert f"{abs(row.count - sum(r.count for r in others)):,}" in answer.text, answer.text


@pytest.mark.parametrize("name", UNKNOWN_ORGS)
@pytest.mark.parametrize("table,plural,unit,row", ROWS[::2], ids=[r.shown for *_, r in ROWS[::2]])
def test_should_refuse_a_sum_with_an_organization_we_lack(answerer, table, plural, unit, row, name):
    answer = ask(answerer, f"How many {unit} did {name} and {row.shown} have together?")
    assert answer.status == "no_data" and name in answer.text, answer.text
    assert "roughly" not in answer.text, answer.text


POSITIONED = [(table, unit, role, row) for _, table, _, unit, _ in TABLES
              for role in [("PCT applicant" if table is CLUSTER.top_applicants else "publisher")] for row in table.rows[1:]]


@pytest.mark.parametrize("table,unit,role,row", POSITIONED, ids=[f"{r}-{row.rank}" for _, _, r, row in POSITIONED])
def test_should_set_the_top_row_against_a_row_picked_by_its_place(answerer, table, unit, role, row):
    top, place = table.rows[0], ORDINALS[row.rank]
    gap = ask(answerer, f"What's the gap in {unit} between the top {role} and the {place} {role}?")
    assert f"{top.count - row.count:,}" in gap.text, gap.text
    points = ask(answerer, f"share of the top {role} minus share of the {place} {role}, how much is it?")
    assert f"{top.share - row.share:g} percentage point" in points.text or top.share == row.share, points.text
    session = f"above-{uuid.uuid4().hex}"
    ask(answerer, f"Who is the {place} {role}?", session)
    above = ask(answerer, f"By how much does it trail the {role} above it?", session)
    assert f"{table.rows[row.rank - 2].count - row.count:,}" in above.text, above.text


OUTSIDE_FORMS = ["What share of the cluster's {unit} comes from {plural} other than the {n} listed?",
                 "Leaving aside the {n} {plural} in the table, what portion of the cluster's {unit} remains?",
                 "Excluding the listed {plural}, what share of {unit} is left?",
                 "Of the three {plural} combined, what fraction is {row}'s?",
                 "What share of the {n} leading {plural}' total output belongs to {row}?",
                 "What's {row}'s count as a share of the top {n} {plural}' combined total?"]


@pytest.mark.parametrize("form", OUTSIDE_FORMS)
@pytest.mark.parametrize("name,table,plural,unit,verb", TABLES, ids=[t[0] for t in TABLES])
def test_should_give_the_share_outside_or_inside_the_listed_rows_combined(answerer, name, table, plural, unit, verb, form):
    row = table.rows[0]
    answer = ask(answerer, form.format(unit=unit, plural=plural, n=len(table.rows), row=row.shown))
    if "{row}" in form:
        part = 100 * row.count / sum(r.count for r in table.rows)
        assert f"{part:.1f}%" in answer.text, answer.text
    else:
        assert f"{100 - sum(r.share for r in table.rows):g}%" in answer.text, answer.text
    assert "roughly" not in answer.text, answer.text


@pytest.mark.parametrize("name,table,plural,unit,verb", TABLES, ids=[t[0] for t in TABLES])
@pytest.mark.parametrize("index", [0, 1, 2])
def test_should_not_bring_back_a_row_the_user_set_aside(answerer, name, table, plural, unit, verb, index):
    row = table.rows[index]
    session = f"aside-{uuid.uuid4().hex}"
    ask(answerer, f"Give me {row.shown}'s share of the {unit}.", session)
    answer = ask(answerer, f"Actually forget {row.shown} — what's the share of the {len(table.rows)} top {plural} combined?", session)
    assert "roughly" not in answer.text and f"{sum(r.share for r in table.rows):g}%" in answer.text, answer.text


NAMED_AND_PLACED = [(table, unit, role, a, b) for _, table, _, unit, _ in TABLES
                    for role in [("PCT applicant" if table is CLUSTER.top_applicants else "publisher")]
                    for a in table.rows for b in table.rows if a.rank != b.rank]


@pytest.mark.parametrize("table,unit,role,a,b", NAMED_AND_PLACED, ids=[f"{a.shown[:10]}+{b.rank}" for *_, a, b in NAMED_AND_PLACED])
def test_should_sum_a_named_row_and_a_row_picked_by_its_place(answerer, table, unit, role, a, b):
    total = f"{a.count + b.count:,}"
    asked = ask(answerer, f"How many {unit} did {a.shown} and the {ORDINALS[b.rank]} {role} have together?")
    assert total in asked.text and "roughly" not in asked.text, asked.text
    session = f"placed-{uuid.uuid4().hex}"
    ask(answerer, f"How many {unit} does {a.shown} have?", session)
    fragment = ask(answerer, f"Fine, then {a.shown} and the {ORDINALS[b.rank]} {role} together?", session)
    assert total in fragment.text and "roughly" not in fragment.text, fragment.text


@pytest.mark.parametrize("name,table,plural,unit,verb", TABLES, ids=[t[0] for t in TABLES])
@pytest.mark.parametrize("measure", ["share", "count"])
def test_should_set_two_rows_picked_by_place_combined_against_the_third(answerer, name, table, plural, unit, verb, measure):
    top, rest = table.rows[0], table.rows[1:]
    value = (lambda r: r.share) if measure == "share" else (lambda r: r.count)  # noqa: E731
    words = f"share of the cluster's {unit}" if measure == "share" else "number of " + unit
    answer = ask(answerer, f"Do the second and third {plural} together reach {top.shown}'s {words}?")
    assert answer.text.startswith("Yes" if sum(value(r) for r in rest) > value(top) else "No"), answer.text


FIGURE_PAIRS = [("How many PCT applications per million inhabitants does {c} have?", "And how many scientific articles per million?",
                 CLUSTER.pct_per_million, CLUSTER.articles_per_million),
                ("How many scientific articles per million inhabitants does {c} publish?", "and patents?",
                 CLUSTER.articles_per_million, CLUSTER.pct_per_million)]


@pytest.mark.parametrize("form", ["How many times bigger is the first figure?", "How many times the first figure is the second?",
                                  "the first figure divided by the second, how many times?"])
@pytest.mark.parametrize("first,second,a,b", FIGURE_PAIRS, ids=["patents-articles", "articles-patents"])
def test_should_read_the_first_and_second_figure_as_the_last_two_answers(answerer, first, second, a, b, form):
    session = f"figures-{uuid.uuid4().hex}"
    ask(answerer, first.format(c=CLUSTER.shown), session)
    ask(answerer, second, session)
    answer = ask(answerer, form, session)
    ratio = max(a, b) / min(a, b)
    assert f"{ratio:.2f}" in answer.text, answer.text
    assert not any(r.shown in answer.text for r in CLUSTER.top_applicants.rows + CLUSTER.top_publishers.rows), answer.text


FRACTIONS = {"a third": 1 / 3, "a quarter": 1 / 4, "two-thirds": 2 / 3, "half": 1 / 2, "a sixth": 1 / 6}


@pytest.mark.parametrize("words,fraction", list(FRACTIONS.items()), ids=list(FRACTIONS))
@pytest.mark.parametrize("table,plural,unit,a,b", ROW_PAIRS[::2], ids=[f"{a.shown}-{b.shown}" for *_, a, b in ROW_PAIRS[::2]])
def test_should_check_a_fraction_of_another_rows_figure(answerer, table, plural, unit, a, b, words, fraction):
    share = ask(answerer, f"Is {a.shown}'s share of the {unit} less than {words} of {b.shown}'s share?")
    assert share.text.startswith("Yes" if a.share / b.share < fraction else "No"), share.text
    count = ask(answerer, f"Does {a.shown} have more than {words} as many {unit} as {b.shown}?")
    assert count.text.startswith("Yes" if a.count / b.count > fraction else "No"), count.text
    assert "Together" not in share.text + count.text, (share.text, count.text)


@pytest.mark.parametrize("words,fraction", list(FRACTIONS.items()), ids=list(FRACTIONS))
@pytest.mark.parametrize("unit,attribute", [("PCT applications", "patent_collaboration"), ("scientific articles", "article_collaboration")])
def test_should_check_a_fraction_claimed_of_the_collaboration_share(answerer, unit, attribute, words, fraction):
    share = getattr(CLUSTER, attribute).share
    answer = ask(answerer, f"Are more than {words} of {CLUSTER.shown}'s {unit} made in collaboration?")
    assert answer.text.startswith("Yes" if share > 100 * fraction else "No"), answer.text


AVERAGES = [("What is the average of {c}'s two collaboration shares, for patents and for scientific articles?",
             (CLUSTER.patent_collaboration.share + CLUSTER.article_collaboration.share) / 2),
            ("mean of {c}'s PCT applications per million and its scientific articles per million?",
             (CLUSTER.pct_per_million + CLUSTER.articles_per_million) / 2),
            ("Mean of {c}'s size rank and intensity rank?", (CLUSTER.rank_size + CLUSTER.rank_intensity) / 2)]


@pytest.mark.parametrize("question,mean", AVERAGES, ids=["collab", "per_million", "ranks"])
def test_should_average_two_figures_of_the_cluster(answerer, question, mean):
    answer = ask(answerer, question.format(c=CLUSTER.shown))
    assert f"{mean:,.1f}".rstrip("0").rstrip(".") in answer.text, answer.text


@pytest.mark.parametrize("name,table,plural,unit,verb", TABLES, ids=[t[0] for t in TABLES])
def test_should_average_the_listed_rows_in_counts_and_in_shares(answerer, name, table, plural, unit, verb):
    n = len(table.rows)
    share = ask(answerer, f"What is the average share held by each of the {n} listed {plural}?")
    assert f"{sum(r.share for r in table.rows) / n:.2f}".rstrip("0").rstrip(".") + "%" in share.text, share.text
    count = ask(answerer, f"How many {unit} do the {n} listed {plural} have on average?")
    assert f"{sum(r.count for r in table.rows) / n:,.1f}".rstrip("0").rstrip(".") in count.text, count.text


@pytest.mark.parametrize("table,plural,unit,a,b", ROW_PAIRS, ids=[f"{a.shown}-{b.shown}" for *_, a, b in ROW_PAIRS])
def test_should_compare_the_rows_of_the_last_two_answers(answerer, table, plural, unit, a, b):
    session = f"lasttwo-{uuid.uuid4().hex}"
    ask(answerer, f"What's the share for {a.shown}?", session)
    ask(answerer, f"And {b.shown}'s?", session)
    tied = ask(answerer, "so they're tied?", session)
    assert tied.text.startswith("Yes" if a.share == b.share else "No"), tied.text
    assert f"{a.share:g}%" in tied.text and f"{b.share:g}%" in tied.text, tied.text
    session = f"lasttwo-{uuid.uuid4().hex}"
    ask(answerer, f"How many {unit} does {a.shown} have?", session)
    ask(answerer, f"what about {b.shown}?", session)
    bigger = ask(answerer, "which of those is bigger, and by how much?", session)
    assert f"{abs(a.count - b.count):,}" in bigger.text and "Together" not in bigger.text, bigger.text


@pytest.mark.parametrize("first,second", [("size", "intensity"), ("intensity", "size")])
@pytest.mark.parametrize("form", ["so the cluster does better on {a} than on {b}?", "it ranks better by {a} than by {b}?"])
def test_should_check_an_order_claimed_between_the_two_rankings(answerer, first, second, form):
    value = {"size": CLUSTER.rank_size, "intensity": CLUSTER.rank_intensity}
    answer = ask(answerer, form.format(a=first, b=second))
    assert answer.text.startswith("Yes" if value[first] < value[second] else "No"), answer.text


@pytest.mark.parametrize("gap_question", ["the difference is how much?", "and the gap between them?", "how far apart?"])
def test_should_give_the_gap_between_two_figures_asked_in_one_message(answerer, gap_question):
    session = f"gap-{uuid.uuid4().hex}"
    ask(answerer, "which percent of patents are made with collaboration and which for articles?", session)
    answer = ask(answerer, gap_question, session)
    gap = abs(CLUSTER.article_collaboration.share - CLUSTER.patent_collaboration.share)
    assert f"{gap:g} percentage points" in answer.text, answer.text


def _cut_names() -> list[tuple[str, str, int]]:
    """(an organization, its printed name cut after three or more words, its count), for every long name."""
    out = []
    for table in (CLUSTER.top_applicants, CLUSTER.top_publishers):
        for row in table.rows:
            words = row.shown.replace("&", "and").split()
            for n in range(3, len(words)):
                if words[n - 1].isalpha() and words[n - 1].lower() not in ("and", "of", "de", "the"):
                    out.append((row.shown, " ".join(words[:n]), row.count))
    return out


CUT_NAMES = _cut_names()


@pytest.mark.parametrize("name,cut,count", CUT_NAMES, ids=[c for _, c, _ in CUT_NAMES])
def test_should_find_an_organization_whose_long_name_is_cut_short(answerer, name, cut, count):
    answer = ask(answerer, f"{cut.lower()} - what is its number?")
    assert answer.status == "answered" and f"{count:,}" in answer.text, answer.text


@pytest.mark.parametrize("name", UNKNOWN_ORGS)
@pytest.mark.parametrize("table,plural,form", [(CLUSTER.top_applicants, "PCT applicants", "Does {n} appear among the top {p}?"),
                                               (CLUSTER.top_publishers, "publishing organizations", "is {n} one of the top {p}?")],
                         ids=["applicants", "publishers"])
def test_should_deny_that_an_organization_we_lack_is_listed_and_name_those_that_are(answerer, table, plural, form, name):
    answer = ask(answerer, form.format(n=name, p=plural))
    assert answer.text.startswith("No") and name in answer.text, answer.text
    assert all(r.shown in answer.text for r in table.rows), answer.text


@pytest.mark.parametrize("table,plural,unit,row", ROWS, ids=[r.shown for *_, r in ROWS])
@pytest.mark.parametrize("true", [True, False])
def test_should_check_a_share_claimed_of_the_row_just_confirmed(answerer, table, plural, unit, row, true):
    session = f"thatshare-{uuid.uuid4().hex}"
    ask(answerer, f"{row.shown} has {row.count:,} {unit}, correct?", session)
    claimed = row.share if true else row.share + 2
    answer = ask(answerer, f"and that's {claimed:g}% of the total?", session)
    assert answer.text.startswith("Yes" if true else "No") and f"{row.share:g}%" in answer.text, answer.text


SMALLER_FIRST = [p for p in ROW_PAIRS if p[3].count < p[4].count]


@pytest.mark.parametrize("table,plural,unit,a,b", SMALLER_FIRST, ids=[f"{a.shown}-{b.shown}" for *_, a, b in SMALLER_FIRST])
def test_should_give_how_many_times_fewer_as_a_factor_above_one(answerer, table, plural, unit, a, b):
    answer = ask(answerer, f"{a.shown} has how many times fewer {unit} than {b.shown}?")
    assert f"{b.count / a.count:.2f}".rstrip("0").rstrip(".") in answer.text, answer.text


RANKINGS = [("size", CLUSTER.rank_size), ("intensity", CLUSTER.rank_intensity)]


@pytest.mark.parametrize("ranking,rank", RANKINGS, ids=[r for r, _ in RANKINGS])
@pytest.mark.parametrize("n", [10, 50, 100])
def test_should_count_the_places_between_a_rank_and_a_threshold_in_every_form(answerer, ranking, rank, n):
    climb = ask(answerer, f"how many place {CLUSTER.shown} must go up for be in top {n} of {ranking} ranking?")
    assert (f"climb {rank - n} place" in climb.text) if rank > n else ("already inside" in climb.text), climb.text
    apart = ask(answerer, f"how many places is {CLUSTER.shown} from the {n}th place in the {ranking} ranking?")
    assert f"{abs(rank - n)} place" in apart.text, apart.text
    session = f"short-{uuid.uuid4().hex}"
    ask(answerer, f"What is {CLUSTER.shown}'s {ranking} rank?", session)
    short = ask(answerer, f"How many places short of the top {n} is that?", session)
    assert f"{rank}" in short.text and ranking in short.text, short.text


@pytest.mark.parametrize("table,plural,unit,row", ROWS, ids=[r.shown for *_, r in ROWS])
def test_should_read_a_rows_own_question_in_its_own_table_after_the_other_table(answerer, table, plural, unit, row):
    other = "publications" if unit == "PCT applications" else "PCT applications"
    session = f"owntable-{uuid.uuid4().hex}"
    ask(answerer, f"How many {other} does the top organisation have?", session)
    answer = ask(answerer, f"{row.shown}'s {row.count:,} are {row.share:g}% of the total. What total does that imply?", session)
    assert answer.status == "answered" and "roughly" in answer.text, answer.text


_PATENT_PLACES = [l.shown for l in CLUSTER.patent_collaboration.locations]
_ARTICLE_PLACES = [l.shown for l in CLUSTER.article_collaboration.locations]
_IN_BOTH = [p for p in _PATENT_PLACES if p in _ARTICLE_PLACES]
_ONLY_CLAIMS = [[p] for p in dict.fromkeys(_PATENT_PLACES + _ARTICLE_PLACES)] + [_IN_BOTH]


@pytest.mark.parametrize("claimed", _ONLY_CLAIMS, ids=["+".join(c) for c in _ONLY_CLAIMS])
def test_should_check_a_claim_that_places_are_the_only_ones_on_both_lists(answerer, claimed):
    names = " and ".join(claimed)
    verb = "is the only location that appears" if len(claimed) == 1 else "are the only locations that appear"
    answer = ask(answerer, f"Just to confirm: {names} {verb} on both of {CLUSTER.shown}'s collaboration lists?")
    assert answer.text.startswith("Yes" if sorted(claimed) == sorted(_IN_BOTH) else "No"), answer.text
    assert all(p in answer.text for p in _IN_BOTH), answer.text


@pytest.mark.parametrize("unit,domain", [("patents", "patent_collaboration"), ("articles", "article_collaboration")])
@pytest.mark.parametrize("name,table,plural,noun,verb", TABLES, ids=[t[0] for t in TABLES])
def test_should_ask_a_table_question_after_partner_places_of_the_table(answerer, unit, domain, name, table, plural, noun, verb):
    session = f"after-places-{uuid.uuid4().hex}"
    listed = ask(answerer, f"the cities who collaborate most with {CLUSTER.shown} for {unit}, which are they?", session)
    assert all(l.shown in listed.text for l in getattr(CLUSTER, domain).locations), listed.text
    word = "applicants" if name == "applicants" else "publishers"
    top = ask(answerer, f"Which organization heads the list of {word}?", session)
    assert top.status == "answered" and table.rows[0].shown in top.text, top.text


@pytest.mark.parametrize("table,plural,unit,row", ROWS, ids=[r.shown for *_, r in ROWS])
def test_should_read_the_economy_of_a_rows_cluster_as_where_the_row_is(answerer, table, plural, unit, row):
    economy = CLUSTER.economies[0]
    answer = ask(answerer, f"{row.shown} is active in {economy}? how many {unit} and what share does it have")
    assert answer.status == "answered" and f"{row.count:,}" in answer.text and f"{row.share:g}%" in answer.text, answer.text


@pytest.mark.parametrize("form", ["How many people does {r} employ in {e}?", "how many people works for {r}?",
                                  "What is {r}'s revenue?", "how many staff has {r} got"])
@pytest.mark.parametrize("table,plural,unit,row", ROWS[::2], ids=[r.shown for *_, r in ROWS[::2]])
def test_should_refuse_what_the_profile_lacks_about_a_row_however_asked(answerer, table, plural, unit, row, form):
    answer = ask(answerer, form.format(r=row.shown, e=CLUSTER.economies[0]))
    assert answer.status == "no_data" and f"{row.count:,}" not in answer.text, answer.text


@pytest.mark.parametrize("words,holds", [("more than double", lambda r: r > 2), ("less than twice", lambda r: r < 2)],
                         ids=["more-than-double", "less-than-twice"])
@pytest.mark.parametrize("table,plural,unit,a,b", ROW_PAIRS, ids=[f"{a.shown}-{b.shown}" for *_, a, b in ROW_PAIRS])
def test_should_check_a_doubling_claimed_of_one_row_against_another(answerer, table, plural, unit, a, b, words, holds):
    direct = ask(answerer, f"Is {a.shown}'s count of {unit} {words} {b.shown}'s?")
    assert direct.text.startswith("Yes" if holds(a.count / b.count) else "No"), direct.text
    session = f"double-{uuid.uuid4().hex}"
    ask(answerer, f"How many {unit} does {a.shown} have?", session)
    follow = ask(answerer, f"and that's {words} {b.shown}'s, isn't it?", session)
    assert follow.text.startswith("Yes" if holds(a.count / b.count) else "No"), follow.text


@pytest.mark.parametrize("economy", ["Belgian", "German", "French"])
@pytest.mark.parametrize("figure", ["patents per million", "scientific articles per million inhabitants"])
def test_should_refuse_a_cluster_figure_set_against_a_whole_economy(answerer, economy, figure):
    answer = ask(answerer, f"How many times more {figure} has {CLUSTER.shown} than the average {economy} region?")
    assert answer.status == "no_data" and f"{CLUSTER.pct_per_million:,}" not in answer.text, answer.text


# -- session 7: claims of both rankings, places we have no profile of, multiples, which partner list ---------
@pytest.mark.parametrize("n", range(CLUSTER.rank_size - 3, CLUSTER.rank_intensity + 4))
@pytest.mark.parametrize("both", ["for both ranking", "in each ranking", "on both rankings"])
def test_should_check_a_top_n_claimed_of_both_rankings_against_each(answerer, n, both):
    reply = ask(answerer, f"{CLUSTER.shown} is in top {n} {both} or not?")
    holds = CLUSTER.rank_size <= n and CLUSTER.rank_intensity <= n
    assert reply.text.startswith("Yes" if holds else "No"), reply.text
    assert str(CLUSTER.rank_size) in reply.text and str(CLUSTER.rank_intensity) in reply.text, reply.text


def _places_without_profile() -> list[str]:
    loaded = {c.shown for c in KB.clusters}
    places = {l.shown for kind in ("patents", "articles") for l in CLUSTER.collaboration(kind).locations}
    return sorted(places - loaded)


PLACE_COMPARISONS = [
    "How many more PCT applications per million does {cluster} have than {place}?",
    "Is {cluster} more intensive than {place}?",
    "Does {cluster} rank higher by size than {place}?",
    "Are {cluster}'s articles per million above {place}'s?",
]


@pytest.mark.parametrize("place", _places_without_profile())
@pytest.mark.parametrize("template", PLACE_COMPARISONS)
def test_should_refuse_a_cluster_figure_compared_with_a_place_we_have_no_profile_of(answerer, place, template):
    reply = ask(answerer, template.format(cluster=CLUSTER.shown, place=place))
    assert reply.status == "no_data", reply.text
    assert norm(place) in norm(reply.text), reply.text
    for figure in (CLUSTER.pct_per_million, CLUSTER.articles_per_million):
        assert str(figure) not in norm(reply.text), reply.text


MULTIPLE_WORDS = {2: ["twice", "double"], 3: ["triple", "three times"]}


def _multiple_claims() -> list[tuple[str, bool]]:
    out = []
    for table, noun in (("applicants", "PCT applications"), ("publishers", "scientific articles")):
        rows = CLUSTER.table(table).rows
        for a in rows:
            for b in rows:
                if a is b:
                    continue
                for n, words in MULTIPLE_WORDS.items():
                    for word in words:
                        out.append((f"Is {a.shown}'s count of {noun} more than {word} {b.shown}'s?", a.count > n * b.count))
    figures = {"articles-per-million figure": CLUSTER.articles_per_million, "PCT-per-million figure": CLUSTER.pct_per_million}
    (big_name, big), (small_name, small) = sorted(figures.items(), key=lambda kv: -kv[1])
    ratio = big / small
    for n in (int(ratio) - 1, int(ratio), int(ratio) + 1, int(ratio) + 2):
        out.append((f"Is the {big_name} of {CLUSTER.shown} more than {n} times its {small_name}?", ratio > n))
        out.append((f"Is the {big_name} of {CLUSTER.shown} at least {n} times as large as its {small_name}?", ratio >= n))
    return out


@pytest.mark.parametrize("question,holds", _multiple_claims(), ids=[q[:70] for q, _ in _multiple_claims()])
def test_should_check_a_multiple_claimed_between_two_figures(answerer, question, holds):
    reply = ask(answerer, question)
    assert reply.status == "answered", reply.text
    assert reply.text.startswith("Yes" if holds else "No"), reply.text


def _partner_list_choices() -> list[tuple[str, str | None]]:
    """(place, the kind of output it ranks higher for, or "same", or the one list it is on) from the profile."""
    ranks: dict[str, dict[str, int]] = {}
    for kind in ("patents", "articles"):
        for i, loc in enumerate(CLUSTER.collaboration(kind).locations, 1):
            ranks.setdefault(loc.shown, {})[kind] = i
    out = []
    for place, by_kind in sorted(ranks.items()):
        if len(by_kind) == 1:
            out.append((place, next(iter(by_kind))))
        else:
            out.append((place, "same" if by_kind["patents"] == by_kind["articles"] else min(by_kind, key=by_kind.get)))
    return out


UNITS = {"patents": "pct applications", "articles": "scientific articles"}


@pytest.mark.parametrize("place,better", _partner_list_choices())
@pytest.mark.parametrize("template", ["Is {place} ranked higher as a partner for patents or for scientific articles?",
                                      "Where is {place} placed higher, patents or articles?",
                                      "Does {place} rank better on the patent list or the article list?"])
def test_should_name_the_partner_list_a_place_ranks_higher_in_without_a_verdict(answerer, place, better, template):
    reply = ask(answerer, template.format(place=place))
    assert reply.status == "answered", reply.text
    assert not reply.text.startswith(("Yes", "No")), reply.text
    if better == "same":
        assert "same" in reply.text.lower(), reply.text
    else:
        assert norm(reply.text).split(":")[0].endswith(UNITS[better]), reply.text


@pytest.mark.parametrize("name,table,plural,unit,verb", TABLES, ids=[t[0] for t in TABLES])
@pytest.mark.parametrize("index", [0, 1, 2])
@pytest.mark.parametrize("form", ["Leaving {row} aside, which two organisations complete the top three {plural}?",
                                  "Setting {row} aside, who are the other top {plural}?"])
def test_should_leave_a_row_set_aside_out_of_the_rows_listed(answerer, name, table, plural, unit, verb, index, form):
    row = table.rows[index]
    reply = ask(answerer, form.format(row=row.shown, plural=plural))
    assert reply.status == "answered", reply.text
    others = [r for r in table.rows if r is not row]
    for other in others:
        assert norm(other.shown) in norm(reply.text), reply.text
    assert norm(row.shown) not in norm(reply.text), reply.text


def _corrected_questions() -> list[tuple[str, list[str], list[str]]]:
    """(a question that corrects itself inside one sentence, what the reply must hold, what it must not)."""
    c = CLUSTER
    out = [
        ("How many PCT applications per million, I mean scientific articles per million, does the cluster have?",
         [str(c.articles_per_million)], [str(c.pct_per_million)]),
        ("How many scientific articles per million, sorry, PCT applications per million, does it have?",
         [str(c.pct_per_million)], [str(c.articles_per_million)]),
        (f"what's the intensity rank of {c.shown}... sorry, I wanted size rank", [str(c.rank_size)], [str(c.rank_intensity)]),
        (f"what's the size rank of {c.shown}, I mean the intensity rank", [str(c.rank_intensity)], [str(c.rank_size)]),
    ]
    for _, table, _, unit, _ in TABLES:
        for row in table.rows:
            out.append((f"What share, I mean how many {unit}, does {row.shown} have?", [str(row.count)], [f"{row.share:g}%"]))
            out.append((f"How many {unit}, I mean what share, does {row.shown} have?", [f"{row.share:g}%"], [str(row.count)]))
    return out


@pytest.mark.parametrize("question,must,must_not", _corrected_questions(), ids=[q[:60] for q, _, _ in _corrected_questions()])
def test_should_answer_what_a_question_corrects_itself_to(answerer, question, must, must_not):
    reply = ask(answerer, question)
    assert reply.status == "answered", reply.text
    for word in must:
        assert word in norm(reply.text), reply.text
    for word in must_not:
        assert word not in norm(reply.text), reply.text


@pytest.mark.parametrize("question", ["Over what time period are the per-million figures calculated?",
                                      "over how many years are the figures counted?", "Over which period do the figures run?",
                                      "What time frame do the per-million-inhabitant numbers cover?"])
def test_should_say_the_period_of_the_per_million_figures(answerer, question):
    reply = ask(answerer, question)
    assert reply.status == "answered", reply.text
    assert "five years" in reply.text, reply.text
    assert "more articles" not in reply.text, reply.text  # "over what period" asks the period, not a comparison


@pytest.mark.parametrize("gap", ["how many places apart are they?", "what's the difference between them?",
                                 "and the gap between the two?"])
def test_should_set_the_two_ranks_just_given_against_each_other(answerer, gap):
    c = CLUSTER
    reply = ask(answerer, f"For {c.shown}, what are the two ranks, and {gap}")
    assert str(c.rank_size) in reply.text and str(c.rank_intensity) in reply.text, reply.text
    assert f"{abs(c.rank_intensity - c.rank_size)} places" in reply.text, reply.text
    session = f"ranks-{uuid.uuid4().hex}"
    ask(answerer, "What rank does the cluster have by size?", session)
    ask(answerer, "and by intensity?", session)
    later = ask(answerer, "so how many places lower is it on intensity?", session)
    assert f"{abs(c.rank_intensity - c.rank_size)} places" in later.text, later.text


@pytest.mark.parametrize(("form", "ranking"), [("How many clusters are bigger than {c}?", "size"),
                                               ("How many clusters are larger than {c}?", "size"),
                                               ("How many clusters are more intensive than {c}?", "intensity"),
                                               ("how many other clusters rank higher by intensity than {c}?", "intensity"),
                                               ("How many clusters are ahead of {c} by size?", "size")])
def test_should_count_the_clusters_ranked_above_one(answerer, form, ranking):
    rank = CLUSTER.rank_size if ranking == "size" else CLUSTER.rank_intensity
    reply = ask(answerer, form.format(c=CLUSTER.shown))
    assert reply.status == "answered", reply.text
    assert f"{rank - 1} clusters rank ahead" in reply.text and ranking in reply.text, reply.text
    session = f"ahead-{uuid.uuid4().hex}"
    other = "intensity" if ranking == "size" else "size"
    ask(answerer, f"What is {CLUSTER.shown}'s rank by {other}?", session)
    later = ask(answerer, form.format(c="it"), session)
    assert f"{rank - 1} clusters rank ahead" in later.text, later.text


def _row_pairs_same_table() -> list[tuple[str, object, object]]:
    return [(unit, a, b) for _, table, _, unit, _ in TABLES for a in table.rows for b in table.rows if a is not b]


@pytest.mark.parametrize("unit,a,b", _row_pairs_same_table(), ids=[f"{a.shown[:8]}-{b.shown[:8]}" for _, a, b in _row_pairs_same_table()])
@pytest.mark.parametrize("form", ["By what percentage does {a}'s count exceed {b}'s?",
                                  "by how much percent is {a} bigger than {b} in number of {unit}?"])
def test_should_give_a_gap_in_percent_of_the_other_row(answerer, unit, a, b, form):
    reply = ask(answerer, form.format(a=a.shown, b=b.shown, unit=unit))
    pct = 100 * (a.count - b.count) / b.count
    assert reply.status == "answered", reply.text
    assert f"{abs(pct):.1f}".rstrip("0").rstrip(".") + "%" in reply.text, reply.text
    assert ("more" if pct >= 0 else "less") in reply.text, reply.text


def _cross_table_pairs() -> list[tuple[object, object]]:
    return [(p, a) for p in CLUSTER.top_publishers.rows for a in CLUSTER.top_applicants.rows]


@pytest.mark.parametrize("p,a", _cross_table_pairs(), ids=[f"{p.shown[:8]}-{a.shown[:8]}" for p, a in _cross_table_pairs()])
def test_should_give_a_count_gap_across_the_two_tables_when_counts_are_asked(answerer, p, a):
    reply = ask(answerer, f"How many more scientific articles did {p.shown} publish than {a.shown} filed PCT applications?")
    assert reply.status == "answered", reply.text
    assert f"{p.count - a.count:,}" in reply.text, reply.text
    assert "percentage points" not in reply.text, reply.text


def _cluster_parts() -> list[str]:
    return [p for p in re.split(r"[\s\-\u2013]+", CLUSTER.shown) if p]


@pytest.mark.parametrize("part", _cluster_parts())
@pytest.mark.parametrize("form", ["How many PCT applications came from the city of {p} alone?",
                                  "What share of the articles come from {p} alone?",
                                  "How many scientific articles per million does {p} itself have?"])
def test_should_refuse_figures_of_one_place_of_a_cluster_named_after_several(answerer, part, form):
    reply = ask(answerer, form.format(p=part))
    assert reply.status == "no_data", reply.text
    for figure in (CLUSTER.pct_per_million, CLUSTER.articles_per_million):
        assert f"{figure:,}" not in reply.text and str(figure) not in reply.text, reply.text


@pytest.mark.parametrize("region", ["European", "Asian", "Western European", "Benelux"])
def test_should_refuse_a_rank_among_some_clusters_the_profile_does_not_rank_it_among(answerer, region):
    reply = ask(answerer, f"Where does {CLUSTER.shown} rank among {region} clusters only?")
    assert reply.status == "no_data", reply.text
    assert str(CLUSTER.rank_size) not in reply.text, reply.text


@pytest.mark.parametrize("question", ["In your opinion, is {c} a better place to do research than {p}?",
                                      "Would you recommend {c} for a new lab?", "in your view, is {c} the best place to invest?"])
def test_should_not_give_an_opinion_as_a_fact(answerer, question):
    place = CLUSTER.article_collaboration.locations[0].shown
    reply = ask(answerer, question.format(c=CLUSTER.shown, p=place))
    assert reply.status in ("no_data", "not_understood"), reply.text


@pytest.mark.parametrize("question,figure", [("articles / 1M ppl", CLUSTER.articles_per_million),
                                             ("pct / 1m?", CLUSTER.pct_per_million),
                                             ("articles per 1m ppl", CLUSTER.articles_per_million)])
def test_should_read_per_million_written_with_a_slash(answerer, question, figure):
    reply = ask(answerer, question)
    assert reply.status == "answered" and f"{figure:,}" in reply.text, reply.text


def test_should_read_co_pub_as_the_article_partners(answerer):
    reply = ask(answerer, "co-pub partner cities")
    for location in CLUSTER.article_collaboration.locations:
        assert location.shown in reply.text, reply.text
    for location in CLUSTER.patent_collaboration.locations:
        if location.shown not in [l.shown for l in CLUSTER.article_collaboration.locations]:
            assert location.shown not in reply.text, reply.text


@pytest.mark.parametrize("kind", ["patents", "articles"])
@pytest.mark.parametrize("index", [0, 1, 2])
def test_should_refuse_the_rank_of_a_partner_place_asked_as_a_cluster(answerer, kind, index):
    locations = CLUSTER.collaboration(kind).locations
    if index >= len(locations):
        pytest.skip("fewer partner places")
    noun = "co-publishing" if kind == "articles" else "co-patenting"
    ordinal = ["top", "second", "third"][index]
    session = f"as-cluster-{uuid.uuid4().hex}"
    ask(answerer, f"Which location is the {ordinal} {noun} partner?", session)
    reply = ask(answerer, "what's its rank as a cluster?", session)
    assert reply.status == "no_data" and locations[index].shown in reply.text, reply.text
    assert str(CLUSTER.rank_size) not in reply.text, reply.text


def _cross_share_claims() -> list[tuple[str, bool, str]]:
    out = []
    for p in CLUSTER.top_publishers.rows:
        for a in CLUSTER.top_applicants.rows:
            ratio = p.share / a.share
            for n in (int(ratio), int(ratio) + 1):
                if n >= 2:
                    out.append((f"Is {p.shown}'s share of articles more than {n} times {a.shown}'s share of PCT applications?",
                                ratio > n, f"{n * a.share:g}%"))
    return out


@pytest.mark.parametrize("question,holds,product", _cross_share_claims(), ids=[q[:70] for q, _, _ in _cross_share_claims()])
def test_should_check_a_multiple_claimed_across_the_two_tables_and_work_it_out(answerer, question, holds, product):
    reply = ask(answerer, question)
    assert reply.text.startswith("Yes" if holds else "No"), reply.text
    assert product in reply.text, reply.text


@pytest.mark.parametrize("n", [7, 8, 9, 10, 11])
def test_should_check_a_multiple_claimed_in_a_follow_up_of_the_two_per_million_figures(answerer, n):
    session = f"multiple-{uuid.uuid4().hex}"
    ask(answerer, f"Is the articles-per-million figure of {CLUSTER.shown} more than 2 times its PCT-per-million figure?", session)
    reply = ask(answerer, f"And is it at least {n} times as large?", session)
    ratio = CLUSTER.articles_per_million / CLUSTER.pct_per_million
    assert reply.text.startswith("Yes" if ratio >= n else "No"), reply.text
    assert f"{n * CLUSTER.pct_per_million:,}" in reply.text, reply.text



REFUSED_THINGS = ["employees", "revenue", "R&D budget", "technology fields"]


@pytest.mark.parametrize("thing", REFUSED_THINGS)
@pytest.mark.parametrize("a,b", [(CLUSTER.top_applicants.rows[0], CLUSTER.top_applicants.rows[2]),
                                 (CLUSTER.top_publishers.rows[1], CLUSTER.top_applicants.rows[1])],
                         ids=["applicants", "across"])
def test_should_keep_refusing_what_the_profile_lacks_in_a_follow_up_naming_another_row(answerer, thing, a, b):
    session = f"lack-{uuid.uuid4().hex}"
    first = ask(answerer, f"How many {thing} does {a.shown} have?", session)
    assert first.status == "no_data", first.text
    follow = ask(answerer, f"and {b.shown}?", session)
    assert follow.status == "no_data", follow.text
    assert str(b.count) not in norm(follow.text), follow.text


@pytest.mark.parametrize("name,table,plural,unit,verb", TABLES, ids=[t[0] for t in TABLES])
def test_should_answer_a_question_embedded_in_a_statement_about_oneself(answerer, name, table, plural, unit, verb):
    short = {"applicants": "patents", "publishers": "articles"}[name]
    for row in table.rows:
        reply = ask(answerer, f"I want know how much {short} {row.shown} have {verb} and which is the percentage.")
        assert f"{row.count:,}" in reply.text and f"{row.share:g}%" in reply.text, reply.text


OTHER_TABLE_WORDS = {"applicants": "publications table", "publishers": "patent applicants"}


@pytest.mark.parametrize("name,table,plural,unit,verb", TABLES, ids=[t[0] for t in TABLES])
@pytest.mark.parametrize("form", ["Does {row} appear anywhere in the {c} profile?", "Is {row} mentioned anywhere in the profile?"])
def test_should_say_whether_a_row_is_listed_and_then_whether_in_the_other_table(answerer, name, table, plural, unit, verb, form):
    for row in table.rows:
        session = f"listed-{uuid.uuid4().hex}"
        first = ask(answerer, form.format(row=row.shown, c=CLUSTER.shown), session)
        assert first.text.startswith("Yes") and row.shown in first.text, first.text
        other = ask(answerer, f"what about in the {OTHER_TABLE_WORDS[name]}?", session)
        assert other.text.startswith("No"), other.text


@pytest.mark.parametrize("first,then", [
    ("Which places does {c} co-patent with most?", "which of those also show up for publications?"),
    ("Who are the top article partners of {c}?", "and which of them are also patent partners?"),
    ("List {c}'s patent collaboration partners.", "which of these are article partners as well?")])
def test_should_answer_which_of_the_listed_places_are_on_the_other_list_too(answerer, first, then):
    both = [l.shown for l in CLUSTER.patent_collaboration.locations
            if l.shown in [a.shown for a in CLUSTER.article_collaboration.locations]]
    only_one = [l.shown for kind in ("patents", "articles") for l in CLUSTER.collaboration(kind).locations if l.shown not in both]
    session = f"both-lists-{uuid.uuid4().hex}"
    ask(answerer, first.format(c=CLUSTER.shown), session)
    reply = ask(answerer, then, session)
    assert reply.status == "answered", reply.text
    for place in both:
        assert place in reply.text, reply.text
    for place in only_one:
        assert place not in reply.text, reply.text


@pytest.mark.parametrize("question", ["Give me both of {c}'s 2024 ranks and tell me which one is the better of the two.",
                                      "what are both of its ranks, and which one is better?",
                                      "Both of {c}'s rankings please, and which of the two is higher?"])
def test_should_give_both_ranks_and_name_the_better_without_a_verdict(answerer, question):
    reply = ask(answerer, question.format(c=CLUSTER.shown))
    assert str(CLUSTER.rank_size) in reply.text and str(CLUSTER.rank_intensity) in reply.text, reply.text
    better = "size" if CLUSTER.rank_size < CLUSTER.rank_intensity else "intensity"
    assert f"higher by {better}" in reply.text, reply.text
    assert "Yes." not in reply.text and "No." not in reply.text, reply.text


@pytest.mark.parametrize("name,table,plural,unit,verb", TABLES, ids=[t[0] for t in TABLES])
def test_should_set_a_rows_share_against_the_others_combined_in_points(answerer, name, table, plural, unit, verb):
    for row in table.rows:
        others = [r for r in table.rows if r is not row]
        reply = ask(answerer, f"By how many percentage points does {row.shown}'s share exceed the combined share of the "
                              f"other two top {plural}?")
        gap = abs(row.share - sum(r.share for r in others))
        assert f"{gap:g} percentage points" in reply.text, reply.text


@pytest.mark.parametrize("kind,noun", [("patents", "PCT applications"), ("articles", "scientific articles")])
def test_should_apply_the_collaboration_share_to_the_per_million_figure(answerer, kind, noun):
    figure = CLUSTER.pct_per_million if kind == "patents" else CLUSTER.articles_per_million
    share = CLUSTER.collaboration(kind).share
    adjective = "collaborative" if kind == "patents" else "co-published"
    reply = ask(answerer, f"how many {adjective} {noun} per million inhabitants does the cluster have?")
    assert f"{figure * share / 100:,.2f}".rstrip("0").rstrip(".") in reply.text, reply.text
    rest = ask(answerer, f"And how much of that {figure} per million is not collaborative then?")
    assert f"{figure * (100 - share) / 100:,.2f}".rstrip("0").rstrip(".") in rest.text, rest.text
    assert "estimate" in reply.text, reply.text


@pytest.mark.parametrize("name,table,plural,unit,verb", TABLES, ids=[t[0] for t in TABLES])
@pytest.mark.parametrize("form,measure", [("Which two {plural} are closest to each other in number of {unit}?", "count"),
                                          ("Which two {plural} have the smallest gap between their counts?", "count"),
                                          ("which two {plural} are closest in share?", "share")])
def test_should_find_the_two_rows_closest_to_each_other(answerer, name, table, plural, unit, verb, form, measure):
    value = (lambda r: r.count) if measure == "count" else (lambda r: r.share)
    ordered = sorted(table.rows, key=value)
    a, b = min(zip(ordered, ordered[1:]), key=lambda pair: value(pair[1]) - value(pair[0]))
    reply = ask(answerer, form.format(plural=plural, unit=unit))
    assert a.shown in reply.text and b.shown in reply.text, reply.text
    gap = value(b) - value(a)
    assert (f"{gap:,}" if measure == "count" else f"{gap:g} percentage points") in reply.text, reply.text


@pytest.mark.parametrize("name,table,plural,unit,verb", TABLES, ids=[t[0] for t in TABLES])
@pytest.mark.parametrize("form", ["If the top three {plural}' {count} {unit} make up {share}% of the cluster's total, roughly how many "
                                  "{unit} does {c} have overall?", "What total do the top three {plural} imply?"])
def test_should_estimate_the_total_implied_by_the_top_rows_together(answerer, name, table, plural, unit, verb, form):
    count = sum(r.count for r in table.rows)
    share = sum(r.share for r in table.rows)
    reply = ask(answerer, form.format(plural=plural, unit=unit, count=count, share=f"{share:g}", c=CLUSTER.shown))
    assert reply.status == "answered", reply.text
    assert f"{round(count / (share / 100)):,}" in reply.text, reply.text
    assert "roughly" in reply.text, reply.text


def _limit_questions() -> list[tuple[str, list[str], list[str]]]:
    out = []
    for name, table, plural, unit, verb in TABLES:
        noun = {"applicants": "applicants", "publishers": "publishers"}[name]
        shares = sorted({r.share for r in table.rows})
        for limit in [shares[0] - 1, *[(a + b) / 2 for a, b in zip(shares, shares[1:])]]:
            limit = float(f"{limit:g}")
            above = [r.shown for r in table.rows if r.share > limit]
            below = [r.shown for r in table.rows if r.share <= limit]
            out.append((f"{noun} over {limit:g}% share?", above, below))
    return out


@pytest.mark.parametrize("question,above,below", _limit_questions(), ids=[q for q, _, _ in _limit_questions()])
def test_should_list_the_rows_over_a_limit_asked_without_a_question_word(answerer, question, above, below):
    reply = ask(answerer, question)
    assert reply.status == "answered" and not reply.text.startswith(("Yes", "No")), reply.text
    for name in above:
        assert name in reply.text, reply.text
