"""Answer functions: one per intent, each turning a question and its context into a Reply.

Every fact comes from the knowledge base; every phrasing from replies.yaml. A function that
cannot find what was asked returns a "no_data" reply saying what is missing, never a guess.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import yaml

from intents.context import Frame
from intents.claims import claim_holds, holds, membership, negated, relation, relation_words, top_n
from intents.matcher import Question
from intents.pipeline import cues_of, token_view
from intents.vocabulary import load_vocabulary
from knowledge.base import KnowledgeBase, combine, implied_total
from knowledge.models import ClusterProfile, RankedRow
from knowledge.normalize import name_key

DATA = Path(__file__).parent / "data" / "replies.yaml"
ORDINAL_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh",
                 8: "eighth", 9: "ninth", 10: "tenth"}
TABLE_NOUN = {"applicants": "PCT applicant", "publishers": "publishing organization"}
TABLE_PLURAL = {"applicants": "PCT applicants", "publishers": "publishing organizations"}
UNIT = {"applicants": "PCT applications", "publishers": "scientific articles"}
VERB_PAST = {"applicants": "filed", "publishers": "published"}
VERB_PRESENT = {"applicants": "files", "publishers": "publishes"}
MEASURE_OF_TABLE = {"applicants": "patents", "publishers": "articles"}
TABLE_OF_MEASURE = {"patents": "applicants", "articles": "publishers"}
UNIVERSITY_WORDS = frozenset({"university", "universities", "college", "colleges", "academic", "academia"})
COMPANY_WORDS = frozenset({"company", "companies", "firm", "firms", "business", "businesses", "corporation", "corporations", "corporate"})
UNLIKELY_TABLE = {"university": "applicants", "company": "publishers"}  # a kind the profile can't confirm for that table
LESS_WORDS = frozenset({"less", "fewer", "lower", "smaller", "behind"})
COLLAB_UNIT = {"patents": "PCT applications", "articles": "scientific articles"}


@lru_cache(maxsize=1)
def replies() -> dict[str, Any]:
    with DATA.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def say(template: str, /, **values: Any) -> str:
    return replies()["templates"][template].format(**values)


def ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def ordinal_word(number: int) -> str:
    return ORDINAL_WORDS.get(number, ordinal(number))


def count_text(value: float) -> str:
    return f"{value:,.0f}"


def share_text(value: float) -> str:
    return f"{value:g}%"


def as_typed(text: str, term: str) -> str:
    """`term` as the user wrote it (the matcher sees lower case): 'janssen' -> 'Janssen'."""
    match = re.search(re.escape(term).replace("\\ ", r"\s+"), text, re.IGNORECASE)
    return match.group(0) if match else term


def join_names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


@dataclass
class Reply:
    """What an answer function returns; the Answerer wraps it into the public Answer."""

    text: str
    status: str = "answered"
    data: dict[str, Any] = field(default_factory=dict)
    cluster: ClusterProfile | None = None
    frame: dict[str, Any] = field(default_factory=dict)  # context updates for the session
    suggestions: list[str] = field(default_factory=list)


@dataclass
class Ask:
    """Everything an answer function may read: the question, the conversation and the knowledge."""

    question: Question
    frame: Frame
    knowledge: KnowledgeBase
    cluster: ClusterProfile | None = None

    # -- slots -----------------------------------------------------------------------------
    def said_measures(self) -> list[str]:
        """Which of patents/articles the question itself names."""
        q = self.question
        said = [m for m, cue in (("patents", "PATENT"), ("articles", "ARTICLE")) if q.has(cue)]
        if len(said) == 2:
            said = self._dominant_measure() or said
        return said

    def measures(self) -> list[str]:
        """Which of patents/articles the question is about: said, else carried over, else none."""
        said = self.said_measures()
        if said:
            return said
        return [self.frame.measure] if self.frame.measure else []

    def _dominant_measure(self) -> list[str]:
        """Both cue kinds present ("PCT applications ... with other organisations"): count the strong words."""
        patents = self.question.cues.get("PATENT", 0)
        articles = self.question.cues.get("ARTICLE", 0)
        if patents >= articles + 1:
            return ["patents"]
        if articles >= patents + 1:
            return ["articles"]
        return []

    def table(self) -> str | None:
        measures = self.measures()
        if len(measures) == 1:
            return TABLE_OF_MEASURE[measures[0]]
        if self.frame.table and not measures:
            return self.frame.table
        return None

    def ordinals(self) -> list[int]:
        fractions = {i for cue in cues_of(self.question.doc) if cue.label == "FRACTION" for i in range(cue.start, cue.end)}
        return [int(e.number) for e in self.question.entities.of("ordinal") if e.number and e.start not in fractions]

    def numbers(self) -> list[float]:
        return [e.number for e in self.question.entities.of("number") if e.number is not None]

    def rows_named(self) -> list[tuple[str, RankedRow]]:
        """The organizations named in the question, as (table, row) in the resolved cluster."""
        found = []
        for value in self.question.entities.values("organization"):
            for hit in self.knowledge.find_organization(value):
                if self.cluster is None or hit.cluster.id == self.cluster.id:
                    found.append((hit.table, hit.row))
        return found

    def org_rows(self, name: str) -> list[tuple[str, RankedRow]]:
        return [(hit.table, hit.row) for hit in self.knowledge.find_organization(name)
                if self.cluster is None or hit.cluster.id == self.cluster.id]

    def threshold(self) -> float | None:
        """A percentage the question compares with ("more than half", "a third", "5%"), if any."""
        q = self.question
        if q.has("HALF"):
            return 50.0
        for phrase in q.cue_words.get("FRACTION", []):
            value = load_vocabulary().fractions.get(phrase.lower())
            if value is not None:
                return value
        percents = [e.number for e in q.entities.of("percent") if e.number is not None]
        return percents[0] if percents else None

    @property
    def name(self) -> str:
        return self.cluster.shown if self.cluster else ""

    def reply(self, text: str, status: str = "answered", data: dict[str, Any] | None = None,
              **frame: Any) -> Reply:
        return Reply(text=text, status=status, data=data or {}, cluster=self.cluster, frame=frame)


Answer = Callable[[Ask], Reply]
ANSWERS: dict[str, Answer] = {}


def answer(name: str) -> Callable[[Answer], Answer]:
    """Register an answer function under the name intents.yaml uses."""
    def register(function: Answer) -> Answer:
        ANSWERS[name] = function
        return function
    return register


def no_data(ask: Ask, text: str, **data: Any) -> Reply:
    return Reply(text=text, status="no_data", data=data, cluster=ask.cluster)


def covered(knowledge: KnowledgeBase) -> str:
    return join_names([c.shown for c in knowledge.clusters])


# -- ranks and intensities ---------------------------------------------------------------------

@answer("rank")
def rank(ask: Ask) -> Reply:
    q, cluster = ask.question, ask.cluster
    assert cluster is not None
    rankings = []
    if q.has("SIZE"):
        rankings.append("size")
    if q.has("INTENSITY"):
        rankings.append("intensity")
    if not rankings:
        rankings = [ask.frame.ranking] if ask.frame.ranking and not q.has("RANK") else ["size"]
        if ask.frame.ranking and q.has("RANK") and ask.frame.intent == "rank":
            rankings = [ask.frame.ranking]
    values = {"size": cluster.rank_size, "intensity": cluster.rank_intensity}
    data = {"cluster": cluster.name, **{f"rank_{r}": values[r] for r in rankings}, "edition": cluster.edition}
    limit = (top_n(q.text) or next((int(n) for n in ask.numbers() if n >= 1), None)) if q.yes_no else None
    claims = ask.ordinals() if q.yes_no else []
    if q.yes_no and not claims and limit is None and q.has("TOP", "SIZE") and _superlative(q):
        claims = [1]  # "Is Brussels–Antwerp the largest cluster?"
    texts = []
    if q.yes_no and len(rankings) == 2 and q.has("MORE") and not claims and limit is None:
        better = any(w in ("better", "higher", "above", "ahead") for w in q.cue_words.get("MORE", []))
        worse = any(w in ("worse", "lower", "below", "behind") for w in q.cue_words.get("MORE", []))
        if better or worse:  # "Is it ranked better by size than by intensity?" (the first named)
            first = "intensity" if _first_said_ranking(q) == "intensity" else "size"
            second = "size" if first == "intensity" else "intensity"
            claim = values[first] < values[second] if better else values[first] > values[second]
            texts.append("Yes." if claim else "No.")
    for ranking in rankings:
        value = values[ranking]
        if limit is not None and not claims:
            inside = value <= limit
            texts.append(say("rank_threshold", yes="Yes" if inside else "No", cluster=cluster.shown, rank=ordinal(value),
                             ranking=ranking, edition=cluster.edition, inside="within" if inside else "not in", limit=limit))
        elif claims:
            more_words = q.cue_words.get("MORE", [])
            if any(w in ("higher", "better", "above", "ahead") for w in more_words):
                holds_claim = value < claims[0]  # a higher rank is a smaller number
            elif any(w in ("lower", "worse", "below", "behind") for w in more_words):
                holds_claim = value > claims[0]
            else:
                holds_claim = value == claims[0]
            texts.append(say("rank_claim", yes="Yes" if holds_claim else "No", cluster=cluster.shown,
                             rank=ordinal(value), ranking=ranking, edition=cluster.edition))
        else:
            texts.append(say(f"rank_{ranking}", cluster=cluster.shown, rank=ordinal(value), edition=cluster.edition))
    return ask.reply(" ".join(texts), data=data, ranking=rankings[-1])


def _first_said_ranking(q: Question) -> str:
    for cue in cues_of(q.doc):
        if cue.label in ("SIZE", "INTENSITY"):
            return "size" if cue.label == "SIZE" else "intensity"
    return "size"


def _superlative(q: Question) -> bool:
    return any(t in ("largest", "biggest", "top", "first", "best", "leading") for t in token_view(q.doc).lower)


@answer("per_million")
def per_million(ask: Ask) -> Reply:
    cluster = ask.cluster
    assert cluster is not None
    measures = ask.measures() or ["patents", "articles"]
    texts, data = [], {"cluster": cluster.name, "period": "last five years", "per": "1 million inhabitants"}
    numbers = [n for n in ask.numbers() if n not in (1, 1_000_000)] if ask.question.yes_no else []
    for measure in measures:
        value = cluster.pct_per_million if measure == "patents" else cluster.articles_per_million
        data[f"{measure}_per_million"] = value
        text = say(f"per_million_{measure}", cluster=cluster.shown, value=count_text(value))
        if numbers:  # "Does it have more than 800 PCT applications per million?"
            text = ("Yes. " if holds(value, relation(ask.question.text), numbers[0]) else "No. ") + text
        texts.append(text)
    return ask.reply(" ".join(texts), data=data, measure=measures[-1] if len(measures) == 1 else None)


# -- organizations ------------------------------------------------------------------------------

def _row_data(table: str, row: RankedRow) -> dict[str, Any]:
    return {"table": table, "rank": row.rank, "name": row.name, "shown": row.shown, "count": row.count, "share": row.share}


def _unknown_org(ask: Ask, table: str | None) -> Reply:
    cluster = ask.cluster
    assert cluster is not None
    name = " ".join(as_typed(ask.question.text, term) for term in ask.question.entities.unknown_terms) or "that organization"
    if table:
        listed = join_names([r.shown for r in cluster.table(table).rows])
        text = say("org_missing", name=name, table_plural=TABLE_PLURAL[table], cluster=cluster.shown, listed=listed)
    else:
        text = say("org_missing_any", name=name, cluster=cluster.shown,
                   listed="PCT applicants and publishing organizations")
    return no_data(ask, text, unknown=name)


@answer("top_organization")
def top_organization(ask: Ask) -> Reply:
    q, cluster = ask.question, ask.cluster
    assert cluster is not None
    tables = [ask.table()] if ask.table() else ["applicants", "publishers"]
    positions = ask.ordinals()
    numbers = [int(n) for n in ask.numbers() if 1 <= n <= 20]
    plural = (q.has("LIST", "ORG_PLURAL") or any(w in ("applicants", "publishers") for w in
              q.cue_words.get("PATENT", []) + q.cue_words.get("ARTICLE", []))) and not q.has("TOP_OF_LIST")
    texts, data = [], {"cluster": cluster.name, "rows": []}
    words = set(token_view(q.doc).lower)
    kind = ("university" if words & UNIVERSITY_WORDS else "company" if words & COMPANY_WORDS else None)
    if kind and tables == [UNLIKELY_TABLE[kind]]:
        # "Which university files the most patents?": the profile doesn't say what kind each organization is
        return no_data(ask, say("org_kind_unknown", kind=kind, table_plural=TABLE_PLURAL[tables[0]], cluster=cluster.shown))
    if negated(q.text) and not q.yes_no:  # "Which applicant is not in the top 3?": the profile names no others
        table = tables[0]
        return no_data(ask, say("not_listed_others", n=len(cluster.table(table).rows), table_plural=TABLE_PLURAL[table],
                                cluster=cluster.shown))
    frame: dict[str, Any] = {"table": tables[-1], "measure": MEASURE_OF_TABLE[tables[-1]], "intent": "top_organization"}
    for table in tables:
        rows = cluster.table(table).rows
        if q.has("LEAST") and not positions:
            row = rows[-1]  # the smallest of the rows listed, not of the whole cluster
            texts.append(say("least_listed", n=len(rows), table_plural=TABLE_PLURAL[table], cluster=cluster.shown,
                             unit=UNIT[table], name=row.shown, count=count_text(row.count),
                             share=share_text(row.share)))
            data["rows"].append(_row_data(table, row))
            frame.update(organization=row.name, rows=[row.rank])
            continue
        if positions:
            wanted = positions[:1]
        elif numbers and plural:
            wanted = list(range(1, min(numbers[0], len(rows)) + 1))
            if numbers[0] > len(rows):
                texts.append(say("only_listed", n=len(rows), table_plural=TABLE_PLURAL[table], cluster=cluster.shown))
        elif plural:
            wanted = [r.rank for r in rows]
        else:
            wanted = [1]
        if len(wanted) == 1:
            position = wanted[0]
            if position > len(rows):
                return no_data(ask, say("beyond_table", n=len(rows), table_plural=TABLE_PLURAL[table], cluster=cluster.shown,
                                        position=ordinal_word(position)), table=table, asked_rank=position)
            row = rows[position - 1]
            if q.yes_no and len(tables) == 1:
                return _role_claim(ask, table, row)
            position_text = "top " if position == 1 else f"{ordinal_word(position)}-largest "
            texts.append(say("top_one", position=position_text, table_noun=TABLE_NOUN[table], cluster=cluster.shown,
                             name=row.shown, count=count_text(row.count), unit=UNIT[table], share=share_text(row.share)))
            data["rows"].append(_row_data(table, row))
            frame.update(organization=row.name, rows=[row.rank] if len(tables) == 1 else [])
        else:
            chosen = [r for r in rows if r.rank in wanted]
            listed = join_names([f"{r.shown} ({count_text(r.count)}, {share_text(r.share)})" for r in chosen])
            texts.append(say("top_list", n=len(chosen), table_plural=TABLE_PLURAL[table], cluster=cluster.shown, rows=listed))
            data["rows"].extend(_row_data(table, r) for r in chosen)
            frame.update(organization=None, rows=[r.rank for r in chosen])
    if len(tables) > 1:
        frame.update(table=None, measure=None, rows=[])
    return ask.reply(" ".join(texts), data=data, **frame)


def _role_claim(ask: Ask, table: str, row: RankedRow) -> Reply:
    """"Does the top applicant file more than 200?", "Does the third publisher have 9%?": the claim about that row."""
    q, cluster = ask.question, ask.cluster
    assert cluster is not None
    percents = [e.number for e in q.entities.of("percent") if e.number is not None]
    limit = ask.threshold()
    n = top_n(q.text)
    numbers = [x for x in ask.numbers() if x != n]
    if percents or limit is not None:
        verdict = claim_holds(row.share, q.text, percents or [limit])
    elif numbers:
        verdict = claim_holds(row.count, q.text, numbers)
    else:
        verdict = True  # "Is there a top applicant?"
    text = say("role_fact", yes="Yes" if verdict else "No", position="top" if row.rank == 1 else ordinal_word(row.rank),
               table_noun=TABLE_NOUN[table], cluster=cluster.shown, name=row.shown, count=count_text(row.count),
               unit=UNIT[table], share=share_text(row.share))
    return ask.reply(text, data={"cluster": cluster.name, **_row_data(table, row)}, organization=row.name, table=table,
                     measure=MEASURE_OF_TABLE[table])


def _pick_row(ask: Ask, name: str) -> tuple[str, RankedRow] | Reply:
    """The one row for an organization in this cluster, by the measure asked for when it is in both tables."""
    cluster = ask.cluster
    assert cluster is not None
    rows = ask.org_rows(name)
    measures = ask.said_measures() or (ask.measures() if len(rows) > 1 else [])  # an organization in one table has its own measure
    wanted = TABLE_OF_MEASURE[measures[0]] if len(measures) == 1 else None
    if not rows:
        elsewhere = ask.knowledge.find_organization(name)
        where = join_names(sorted({h.cluster.shown for h in elsewhere}))
        shown = elsewhere[0].row.shown if elsewhere else name
        return no_data(ask, say("org_other_cluster", name=shown, cluster=cluster.shown, where=where or "no cluster"))
    if wanted:
        matching = [(t, r) for t, r in rows if t == wanted]
        if not matching and ask.question.yes_no:
            table, row = rows[0]  # "Is AGFA the top publisher?": no, and where it is listed
            return ask.reply(say("org_wrong_table_no", name=row.shown, table_plural=TABLE_PLURAL[wanted], cluster=cluster.shown,
                                 rank_word=ordinal_word(row.rank), other_plural=TABLE_PLURAL[table]),
                             data={"cluster": cluster.name, **_row_data(table, row)}, organization=row.name)
        if not matching:
            table, row = rows[0]
            return no_data(ask, say("org_wrong_table", unit=UNIT[wanted], name=row.shown, table_plural=TABLE_PLURAL[wanted],
                                    cluster=cluster.shown, other_plural=TABLE_PLURAL[table]), organization=row.name)
        return matching[0]
    return rows[0]


@answer("organization_fact")
def organization_fact(ask: Ask) -> Reply:
    q, cluster = ask.question, ask.cluster
    assert cluster is not None
    named = q.entities.values("organization")
    if not named and q.entities.unknown_terms:
        return _unknown_org(ask, ask.table())
    if not named:
        ambiguous = _organization_named_like_a_place(ask)
        if ambiguous is not None:
            return ambiguous
    name = named[0] if named else ask.frame.organization
    if name is None:
        return _unknown_org(ask, ask.table())
    picked = _pick_row(ask, name)
    if isinstance(picked, Reply):
        return picked
    table, row = picked
    facets = [f for f, cue in (("count", "COUNT"), ("share", "SHARE"), ("rank", "RANK")) if q.has(cue)]
    if not facets and q.has("ORDINAL") or q.has("TOP") and not facets and q.yes_no:
        facets = ["rank"]
    if not facets and ask.frame.facets and (q.follow_up or q.short):
        facets = list(ask.frame.facets)
    values = dict(name=row.shown, verb=VERB_PAST[table], count=count_text(row.count), unit=UNIT[table],
                  cluster=cluster.shown, share=share_text(row.share), rank_word=ordinal_word(row.rank),
                  table_plural=TABLE_PLURAL[table])
    data = {"cluster": cluster.name, **_row_data(table, row)}
    frame = dict(organization=row.name, table=table, measure=MEASURE_OF_TABLE[table], facets=facets)
    if q.yes_no and (q.has("BOTH") or (q.has("PATENT") and q.has("ARTICLE"))):
        # "Is KU Leuven both a top applicant and a top publisher?": it must be in both tables
        tables = {t for t, _ in ask.org_rows(name)}
        both = tables == {"applicants", "publishers"}
        listed = join_names([TABLE_PLURAL[t] for t in sorted(tables)])
        return ask.reply(say("org_both_tables", yes="Yes" if both else "No", name=row.shown, cluster=cluster.shown,
                             listed=listed, only="" if both else "only "), data=data, **frame)
    if q.yes_no:
        claims = ask.ordinals()
        n = top_n(q.text)
        limit = ask.threshold()
        numbers = [x for x in ask.numbers() if n is None or x != n]
        claimed_relation = relation(q.text)
        if n is not None and not claims and limit is None and not numbers:
            inside = row.rank <= n  # "Is Toyota in the top 3 applicants?"
            return ask.reply(say("org_top_n", yes="Yes" if inside else "No", n=n, **values), data=data, **frame)
        if membership(q.text) and not claims and limit is None and not numbers:
            # "Is Toyota one of the top applicants?": listed at all is the claim
            return ask.reply(say("org_claim_yes", **values), data=data, **frame)
        if not claims and limit is None and not numbers and q.has("TOP"):
            claims = [1]  # "Is AGFA the top applicant?"
        if claims:
            claimed = claims[0]
            if claimed == row.rank:
                return ask.reply(say("org_claim_yes", **values), data=data, **frame)
            rows = cluster.table(table).rows
            claimed_name = rows[claimed - 1].shown if claimed <= len(rows) else f"not listed (the profile lists {len(rows)})"
            if claimed <= len(rows):  # "which one is?", "how many does that one have?": the one at the claimed rank
                frame.update(organization=rows[claimed - 1].name)
            return ask.reply(say("org_claim_no", claimed_word=ordinal_word(claimed), claimed_name=claimed_name, **values),
                             data=data, **frame)
        if limit is not None:
            percents = [e.number for e in q.entities.of("percent") if e.number is not None] or [limit]
            return ask.reply(say("org_share_threshold", yes="Yes" if claim_holds(row.share, q.text, percents) else "No",
                                 **values), data=data, **frame)
        if numbers:
            return ask.reply(say("org_threshold", yes="Yes" if claim_holds(row.count, q.text, numbers) else "No",
                                 **values), data=data, **frame)
    if facets == ["count"]:
        text = say("org_count", **values)
    elif facets == ["share"]:
        text = say("org_share", **values)
    elif facets == ["rank"]:
        text = say("org_rank", **values)
    elif set(facets) == {"count", "share"}:
        text = say("org_count_share", **values)
    else:
        text = say("org_all", **values)
    return ask.reply(text, data=data, **frame)


def _organization_named_like_a_place(ask: Ask) -> Reply | None:
    """"And Antwerp?" after a question about an organization: the University of Antwerp, or the cluster?"""
    cluster = ask.cluster
    words = {e.text.lower() for e in ask.question.entities.items if e.type in ("cluster", "location")}
    content = set(ask.question.cues) - {"FOLLOW", "FIRST_PERSON_OR_IT", "AND_ALSO"}
    if cluster is None or not words or content:
        return None  # only a bare "and Antwerp?" is ambiguous
    rows = [row for kind in ("applicants", "publishers") for row in cluster.table(kind).rows
            if words & set(name_key(row.shown).split())]
    if not rows:
        return None
    options = [row.shown for row in rows] + [f"the {cluster.shown} cluster as a whole"]
    return Reply(say("which_one", options=" or ".join(options)), status="clarify", cluster=cluster,
                 data={"choices": [row.name for row in rows] + [cluster.name]},
                 suggestions=[f"How many scientific articles did {rows[0].shown} publish?", f"Tell me about {cluster.shown}."])


@answer("organization_clusters")
def organization_clusters(ask: Ask) -> Reply:
    names = ask.question.entities.values("organization")
    hits = ask.knowledge.find_organization(names[0])
    where = join_names([f"{h.cluster.shown} ({ordinal(h.row.rank)} of its {TABLE_PLURAL[h.table]}, {count_text(h.row.count)} {UNIT[h.table]})"
                        for h in hits])
    reply = Reply(say("org_clusters", name=hits[0].row.shown, where=where),
                  data={"organization": hits[0].row.name, "clusters": [h.cluster.name for h in hits]},
                  cluster=hits[0].cluster if len({h.cluster.id for h in hits}) == 1 else None)
    reply.frame = {"organization": hits[0].row.name, "table": hits[0].table}
    return reply


def _two_rows(ask: Ask) -> list[tuple[str, RankedRow]] | Reply:
    """The two rows a comparison is about: named, carried over, or picked by ordinal in the last table."""
    q, cluster = ask.question, ask.cluster
    assert cluster is not None
    named = q.entities.values("organization")
    if len(named) < 2 and q.entities.unknown_terms:
        return _unknown_org(ask, ask.table())
    ordinals = ask.ordinals()
    frame = ask.frame
    if len(named) >= 2:
        names = named[:2]
    elif len(named) == 1 and frame.organization and name_key(frame.organization) != name_key(named[0]):
        names = [frame.organization, named[0]]
    elif not named and not ordinals and frame.intent == "compare_organizations" and len(frame.rows) == 2 and frame.table:
        rows = cluster.table(frame.table).rows  # "By how many?" after "Which of the two filed more?"
        return [(frame.table, rows[frame.rows[0] - 1]), (frame.table, rows[frame.rows[1] - 1])]
    elif not named and not ordinals and frame.organization and frame.previous_organization:
        names = [frame.previous_organization, frame.organization]  # "which of the two", "them"
    elif len(ordinals) >= 2:
        table = ask.table() or ask.frame.table or "applicants"
        rows = cluster.table(table).rows
        if max(ordinals[:2]) > len(rows):
            return no_data(ask, say("beyond_table", n=len(rows), table_plural=TABLE_PLURAL[table], cluster=cluster.shown,
                                    position=ordinal_word(max(ordinals[:2]))))
        return [(table, rows[ordinals[0] - 1]), (table, rows[ordinals[1] - 1])]
    else:
        example = " or ".join(r.shown for r in cluster.top_publishers.rows[:2])
        return Reply(say("compare_which_two", example=example), status="clarify", cluster=cluster)
    picked = []
    for name in names:
        result = _pick_row(ask, name)
        if isinstance(result, Reply):
            return result
        picked.append(result)
    if picked[0][0] != picked[1][0]:
        both = [ask.org_rows(r.name) for _, r in picked]
        common = {t for t, _ in both[0]} & {t for t, _ in both[1]}
        if common:
            table = common.pop()
            return [next((t, r) for t, r in rows if t == table) for rows in both]
    return picked


@answer("compare_organizations")
def compare_organizations(ask: Ask) -> Reply:
    cluster = ask.cluster
    assert cluster is not None
    if ask.question.yes_no and len(ask.question.entities.values("organization")) >= 3:
        three = _three_way_claim(ask)
        if three is not None:
            return three
    rows = _two_rows(ask)
    if isinstance(rows, Reply):
        return rows
    (table_a, a), (table_b, b) = rows
    if table_a != table_b:
        return no_data(ask, say("compare_tables", a=a.shown, b=b.shown, a_unit=UNIT[table_a], b_unit=UNIT[table_b]))
    q = ask.question
    diff = a.count - b.count
    data = {"cluster": cluster.name, "a": _row_data(table_a, a), "b": _row_data(table_b, b), "difference": diff}
    frame = dict(organization=a.name, table=table_a, measure=MEASURE_OF_TABLE[table_a], rows=[a.rank, b.rank])
    which = q.has("WHO") or "or" in q.cue_words.get("COMPARE", []) and not q.has("COUNT")
    fewer = any(w in LESS_WORDS for w in q.cue_words.get("MORE", []))
    if which and diff != 0 and not q.yes_no:
        winner, loser = (a, b) if (diff > 0) != fewer else (b, a)
        text = say("compare_which_fewer" if fewer else "compare_which", winner=winner.shown, loser=loser.shown,
                   verb_present=VERB_PRESENT[table_a], unit=UNIT[table_a], cluster=cluster.shown,
                   w_count=count_text(winner.count), l_count=count_text(loser.count), diff=count_text(abs(diff)))
        frame["organization"] = winner.name
    elif q.has("TIMES") and b.count and not q.yes_no:
        text = say("compare_ratio", a=a.shown, b=b.shown, verb_past=VERB_PAST[table_a], ratio=f"{a.count / b.count:.2f}".rstrip("0").rstrip("."),
                   unit=UNIT[table_a], a_count=count_text(a.count), b_count=count_text(b.count))
    elif diff == 0:
        text = say("compare_same", a=a.shown, b=b.shown, verb_past=VERB_PAST[table_a], unit=UNIT[table_a], a_count=count_text(a.count))
    else:
        text = say("compare_diff", a=a.shown, b=b.shown, verb_past=VERB_PAST[table_a], diff=count_text(abs(diff)),
                   more="more" if diff > 0 else "fewer", unit=UNIT[table_a], a_count=count_text(a.count), b_count=count_text(b.count))
    if q.yes_no:
        text = _compare_claim(ask, a, b, table_a, fewer, text)
    return ask.reply(text, data=data, **frame)


def _three_way_claim(ask: Ask) -> Reply | None:
    """"Is KU Leuven R&D between AGFA and Toyota?", "Does AGFA file more than the other two combined?"."""
    q, cluster = ask.question, ask.cluster
    assert cluster is not None
    picked = []
    for name in q.entities.values("organization")[:3]:
        result = _pick_row(ask, name)
        if isinstance(result, Reply):
            return result
        picked.append(result)
    tables = {t for t, _ in picked}
    if len(tables) != 1:
        return None
    table = tables.pop()
    (_, a), (_, b), (_, c) = picked
    words = token_view(q.doc).lower
    unit = UNIT[table]
    if "between" in words:
        low, high = sorted((b.count, c.count))
        verdict = low <= a.count <= high
        text = f"{a.shown} has {count_text(a.count)} {unit}, {b.shown} {count_text(b.count)} and {c.shown} {count_text(c.count)}."
    elif q.has("TOGETHER", "TOTAL"):
        total = b.count + c.count
        fewer = any(w in LESS_WORDS for w in q.cue_words.get("MORE", []))
        verdict = a.count < total if fewer else a.count > total
        text = f"{a.shown} has {count_text(a.count)} {unit}; {b.shown} and {c.shown} together have {count_text(total)}."
    else:
        return None
    return ask.reply(("Yes. " if verdict else "No. ") + text, data={"cluster": cluster.name, "rows": [
        _row_data(table, r) for r in (a, b, c)]}, table=table, organization=a.name)


def _compare_claim(ask: Ask, a: RankedRow, b: RankedRow, table: str, fewer: bool, text: str) -> str:
    """Yes or No to a comparison: of counts or (if asked) shares; a ratio ("three times as much"),
    a gap ("a gap larger than 100"), equality ("the same as") or plain more/fewer."""
    q = ask.question
    words = token_view(q.doc).lower
    rank_words = {"below", "behind", "after", "above", "ahead", "before", "lower", "higher"} & set(words)
    if q.has("RANK") and rank_words:  # "Does Toyota rank below K.U. Leuven R&D?": a higher rank is a smaller number
        verdict = a.rank > b.rank if rank_words & {"below", "behind", "after", "lower"} else a.rank < b.rank
        return ("Yes. " if verdict else "No. ") + (f"{a.shown} ranks {ordinal_word(a.rank)} and {b.shown} {ordinal_word(b.rank)} "
                                                   f"among the {TABLE_PLURAL[table]} of {ask.cluster.shown if ask.cluster else ''}.")
    by_share = q.has("SHARE")
    value_a, value_b = (a.share, b.share) if by_share else (a.count, b.count)
    numbers = [n for n in ask.numbers()]
    times = {"twice": 2.0, "double": 2.0}
    if q.has("TIMES") and value_b:
        limit = next((times[w] for w in words if w in times), numbers[0] if numbers else None)
        ratio = value_a / value_b
        claimed = relation(q.text)
        if limit and claimed in ("==", "~"):
            verdict = abs(ratio - limit) <= 0.1 * limit  # "twice", "three times as many": about that ratio
        else:
            verdict = holds(ratio, claimed, limit) if limit else ratio > 1
        detail = f"The ratio is {ratio:.2f}".rstrip("0").rstrip(".") + "."
        if by_share:
            detail = f"{a.shown} has {share_text(a.share)} and {b.shown} {share_text(b.share)}: a ratio of {ratio:.2f}".rstrip("0").rstrip(".") + "."
        return ("Yes. " if verdict else "No. ") + (detail + " " + text if not by_share else detail)
    if numbers and any(w in ("gap", "difference", "margin", "by") for w in words):
        verdict = claim_holds(abs(value_a - value_b), q.text, numbers)  # "is the gap larger than 100?"
        return ("Yes. " if verdict else "No. ") + text
    if any(w in ("same", "equal", "equally", "as") for w in words):
        verdict = value_a == value_b  # "the same number", "as many as", "the same share"
        if by_share:
            return ("Yes. " if verdict else "No. ") + f"{a.shown} has {share_text(a.share)} of the cluster's {UNIT[table]} and {b.shown} {share_text(b.share)}."
        return ("Yes. " if verdict else "No. ") + text
    verdict = value_a < value_b if fewer else value_a > value_b
    if by_share:
        return ("Yes. " if verdict else "No. ") + f"{a.shown} has {share_text(a.share)} of the cluster's {UNIT[table]} and {b.shown} {share_text(b.share)}."
    return ("Yes. " if verdict else "No. ") + text


@answer("combined")
def combined(ask: Ask) -> Reply:
    q, cluster = ask.question, ask.cluster
    assert cluster is not None
    named = ask.rows_named()
    numbers = [int(n) for n in ask.numbers() if 1 <= n <= 20]
    table = ask.table() or (named[0][0] if named else None) or ask.frame.table or "applicants"
    rows_all = cluster.table(table).rows
    if len(named) >= 2:
        rows = [r for t, r in named if t == table]
        description = join_names([r.shown for r in rows])
    else:
        ordinals = [n for n in ask.ordinals() if 1 <= n <= len(rows_all)]
        pair = [ask.org_rows(n) for n in (ask.frame.previous_organization, ask.frame.organization) if n]
        pair_rows = [r for rows in pair for t, r in rows if t == table]
        refers = any(w in ("their", "they", "them", "both", "two") for w in token_view(q.doc).lower)
        if len(ordinals) >= 2:
            ranks = sorted(set(ordinals))  # "the first and second applicants together"
        elif refers and not numbers and len(pair_rows) == 2 and len(ask.frame.rows) < 2:
            ranks = sorted(r.rank for r in pair_rows)  # "AGFA? Toyota? What is their combined share?"
        elif numbers:
            ranks = list(range(1, min(numbers[0], len(rows_all)) + 1))
        elif len(ask.frame.rows) >= 2 and ask.frame.table == table:
            ranks = ask.frame.rows
        else:
            ranks = [r.rank for r in rows_all]
        rows = [r for r in rows_all if r.rank in ranks]
        description = f"the top {len(rows)} {TABLE_PLURAL[table]}" if ranks == list(range(1, len(rows) + 1)) else join_names([r.shown for r in rows])
    total = combine(rows)
    facets = [f for f, cue in (("count", "COUNT"), ("share", "SHARE")) if q.has(cue)]
    if not facets and ask.frame.intent == "combined" and ask.frame.facets and (q.follow_up or q.short):
        facets = list(ask.frame.facets)
    values = dict(rows=description, verb_past=VERB_PAST[table], count=count_text(total.count), unit=UNIT[table],
                  cluster=cluster.shown, share=share_text(total.share), low=share_text(total.share_range[0]),
                  high=share_text(total.share_range[1]))
    if facets == ["count"]:
        text = say("combined_count", **values)
    elif facets == ["share"]:
        text = say("combined_share", **values)
    else:
        text = say("combined_both", **values)
    text = text[0].upper() + text[1:]
    if q.yes_no:  # "Do the top 3 publishers account for more than 50%?", "... file more than 400?"
        limit = ask.threshold()
        others = [n for n in ask.numbers() if n != len(rows) and n not in numbers]
        if limit is not None:
            claim = holds(total.share, relation(q.text), limit)
            low, high = total.share_range
            unsure = low < limit < high  # the rounded shares leave it open
            text = (("Probably yes. " if claim else "Probably not. ") if unsure else ("Yes. " if claim else "No. ")) + text
        elif others:
            text = ("Yes. " if holds(total.count, relation(q.text), others[0]) else "No. ") + text
    data = {"cluster": cluster.name, "table": table, "ranks": [r.rank for r in rows], "count": total.count,
            "share": total.share, "share_range": list(total.share_range)}
    return ask.reply(text, data=data, table=table, rows=[r.rank for r in rows],
                     measure=MEASURE_OF_TABLE[table], facets=facets, organization=None)


@answer("implied_total")
def implied(ask: Ask) -> Reply:
    cluster = ask.cluster
    assert cluster is not None
    q = ask.question
    measures = (["patents", "articles"] if q.has("PATENT") and q.has("ARTICLE") else ask.measures()) or ["patents", "articles"]
    named = ask.rows_named()
    texts, data = [], {"cluster": cluster.name, "approximate": True}
    for measure in measures:
        table = TABLE_OF_MEASURE[measure]
        row = next((r for t, r in named if t == table), cluster.table(table).rows[0])
        estimate = implied_total(row.count, row.share)
        if estimate is None:
            continue
        value = round(estimate.value, -1)
        texts.append(say("implied", value=count_text(value), unit=UNIT[table], name=row.shown, count=count_text(row.count),
                         share=share_text(row.share), low=count_text(estimate.low), high=count_text(estimate.high)))
        data[measure] = {"estimate": value, "low": estimate.low, "high": estimate.high, "from": row.name}
    if not texts:
        return no_data(ask, "The shares in the profile are too small to estimate the cluster's total.")
    return ask.reply(" ".join(texts), data=data, measure=measures[-1] if len(measures) == 1 else None)


# -- collaboration ------------------------------------------------------------------------------

@answer("collaboration_share")
def collaboration_share(ask: Ask) -> Reply:
    cluster = ask.cluster
    assert cluster is not None
    measures = ask.measures() or ["patents", "articles"]
    q = ask.question
    limit = ask.threshold() if q.yes_no else None
    texts, data = [], {"cluster": cluster.name}
    if q.yes_no and len(measures) == 2 and q.has("MORE") and limit is None:
        first = _first_said_measure(q)  # "Are articles more collaborative than patents?"
        other = "patents" if first == "articles" else "articles"
        a_share, b_share = cluster.collaboration(first).share, cluster.collaboration(other).share
        fewer = any(w in LESS_WORDS for w in q.cue_words.get("MORE", []))
        claim = a_share < b_share if fewer else a_share > b_share
        texts.append("Yes." if claim else "No.")
    negation = negated(q.text) and not q.yes_no
    for measure in measures:
        share = cluster.collaboration(measure).share
        data[f"{measure}_collaboration_share"] = share
        if limit is not None:
            texts.append(say("collab_threshold", yes="Yes" if holds(share, relation(q.text), limit) else "No",
                             share=share_text(share), cluster=cluster.shown, unit=COLLAB_UNIT[measure],
                             done="filed" if measure == "patents" else "published",
                             relation=relation_words(relation(q.text), share, limit), limit=_limit_text(limit, q)))
        elif negation:  # "What share is not collaborative?": the rest, from the same rounded figure
            texts.append(say("collab_share_without", rest=share_text(100 - share), share=share_text(share), cluster=cluster.shown,
                             unit=COLLAB_UNIT[measure], done="filed" if measure == "patents" else "published"))
        else:
            texts.append(say(f"collab_share_{measure}", share=share_text(share), cluster=cluster.shown))
    return ask.reply(" ".join(texts), data=data, measure=measures[-1] if len(measures) == 1 else None)


def _first_said_measure(q: Question) -> str:
    """Of patents and articles, the one the question names first."""
    for cue in cues_of(q.doc):
        if cue.label in ("PATENT", "ARTICLE"):
            return "patents" if cue.label == "PATENT" else "articles"
    return "patents"


def _limit_text(value: float, question: Question) -> str:
    """How to name the limit the user gave: 'half', 'a third', or a percentage."""
    if value == 50 and question.has("HALF"):
        return "half"
    fractions = question.cue_words.get("FRACTION", [])
    return fractions[0].lower() if fractions else share_text(round(value, 1))


def _place_names(ask: Ask) -> list[tuple[str, str]]:
    """(as typed, canonical) for the places named: our locations, clusters read as places, and others."""
    places = []
    for item in ask.question.entities.items:
        if item.type in ("location", "place", "place_economy"):
            places.append((item.text, item.value))
        elif item.type == "cluster" and ask.cluster is not None and item.value != ask.cluster.id:
            other = ask.knowledge.cluster(item.value)  # another cluster named as a partner location
            places.append((item.text, other.name if other else item.value))
    return places


@answer("collaboration_places")
def collaboration_places(ask: Ask) -> Reply:
    q, cluster = ask.question, ask.cluster
    assert cluster is not None
    measures = ask.measures()
    places = _place_names(ask)
    both_lists = q.has("BOTH") and len(places) < 2  # with two places, "both" means the two places
    if both_lists or not measures:
        measures = ["patents", "articles"] if (places or both_lists or not measures) else measures
    if len(places) > 1 and ask.said_measures():
        measures = ask.said_measures()
    data: dict[str, Any] = {"cluster": cluster.name}
    for measure in ("patents", "articles"):
        data[f"{measure}_locations"] = [loc.name for loc in cluster.collaboration(measure).locations]
    ordinals = ask.ordinals()
    singular = not q.has("LIST") and not any(w.endswith("s") for w in q.cue_words.get("LOCATION_WORD", []) + q.cue_words.get("COLLAB", []))
    claimed = ordinals[0] if ordinals else (1 if q.has("TOP") and singular and not membership(q.text) else None)
    if len(places) > 1 and q.yes_no:
        # "Are Gent and Cologne both article partners?": each must be in the list(s)
        replies = [_collaboration_with_place(ask, place, measures, claimed, data) for place in places[:3]]
        verdicts = [r.text.split(".")[0] for r in replies]
        overall = "Yes" if all(v == "Yes" for v in verdicts) else "No"
        texts = [re.sub(r"^(?:Yes|No|Partly)\. ", "", r.text) for r in replies]
        return ask.reply(f"{overall}. " + " ".join(texts), data=data)
    if places:
        return _collaboration_with_place(ask, places[0], measures, claimed, data)
    texts = []
    for measure in measures:
        locations = cluster.collaboration(measure).locations
        position = ordinals[0] if ordinals else (1 if claimed == 1 else None)
        if position is not None and position > len(locations):
            return no_data(ask, say("collab_beyond", n=len(locations), cluster=cluster.shown, unit=COLLAB_UNIT[measure]))
        if position is not None:
            texts.append(say("collab_nth", cluster=cluster.shown, unit=COLLAB_UNIT[measure], place=locations[position - 1].shown,
                             position="top" if position == 1 else ordinal_word(position)))
        else:
            texts.append(say("collab_places", cluster=cluster.shown, unit=COLLAB_UNIT[measure], places=join_names([l.shown for l in locations])))
    return ask.reply(" ".join(texts), data=data, measure=measures[-1] if len(measures) == 1 else None)


def _collaboration_with_place(ask: Ask, named: tuple[str, str], measures: list[str], claimed: int | None,
                              data: dict[str, Any]) -> Reply:
    """A place asked about: is it among the partners (at the claimed position), and where."""
    q, cluster = ask.question, ask.cluster
    assert cluster is not None
    shown, value = named
    keys = {name_key(value), name_key(shown)}
    inside, outside = [], []
    for measure in measures:
        locations = cluster.collaboration(measure).locations
        position = next((i for i, loc in enumerate(locations, 1) if keys & {name_key(n) for n in KnowledgeBase.names_of(loc)}), None)
        (inside if position else outside).append((measure, position))
    place = next((loc.shown for m in ("patents", "articles") for loc in cluster.collaboration(m).locations
                  if keys & {name_key(n) for n in KnowledgeBase.names_of(loc)}), value)
    frame = dict(location=place, measure=measures[0] if len(measures) == 1 else None)
    yes = ("Yes. " if q.yes_no else "")
    if claimed is not None and inside and q.yes_no:
        # "Is Gent the top partner?": at the claimed position in every list asked about, some, or none
        matches = [m for m, p in inside if p == claimed]
        others = [m for m in measures if m not in matches]
        if matches and not others:
            return ask.reply(say("collab_position_yes", place=place, cluster=cluster.shown, position=ordinal_word(claimed),
                                 unit=" and ".join(COLLAB_UNIT[m] for m in matches)), data=data, **frame)
        if matches:
            return ask.reply(say("collab_position_partial", place=place, cluster=cluster.shown, position=ordinal_word(claimed),
                                 unit=COLLAB_UNIT[matches[0]], other=COLLAB_UNIT[others[0]]), data=data, **frame)
        measure, position = inside[0]
        locations = cluster.collaboration(measure).locations
        text = say("collab_position", yes="No", place=place, cluster=cluster.shown, position=ordinal_word(position),
                   unit=COLLAB_UNIT[measure], claimed=ordinal_word(claimed),
                   claimed_place=locations[claimed - 1].shown if claimed <= len(locations) else "not listed")
        return ask.reply(text, data=data, **frame)
    if inside and not outside:
        where = " and ".join(f"{COLLAB_UNIT[m]} ({ordinal_word(p)})" for m, p in inside)
        if len(inside) > 1:
            where = "both " + where
        return ask.reply(yes + say("collab_member", place=place, cluster=cluster.shown, where=where), data=data, **frame)
    if inside:
        m_out = outside[0][0]
        partly = ("Partly. " if not q.has("BOTH") else "No. ") if q.yes_no else ""
        return ask.reply(partly + say("collab_member_partial", place=place, cluster=cluster.shown, inside=COLLAB_UNIT[inside[0][0]],
                                      rank_text=ordinal_word(inside[0][1]), outside=COLLAB_UNIT[m_out],
                                      places=join_names([l.shown for l in cluster.collaboration(m_out).locations])), data=data, **frame)
    measure = measures[0] if len(measures) == 1 else None
    units = COLLAB_UNIT[measure] if measure else "PCT applications or scientific articles"
    listed = join_names([l.shown for l in cluster.collaboration(measure).locations]) if measure else \
        "; ".join(f"{join_names([l.shown for l in cluster.collaboration(m).locations])} for {COLLAB_UNIT[m]}" for m in ("patents", "articles"))
    if q.yes_no and (q.has("TOP") or "among" in q.text.lower() or claimed is not None):
        return ask.reply(say("collab_member_no", place=place, cluster=cluster.shown, unit=units, places=listed), data=data, **frame)
    return ask.reply(say("collab_not_top", place=place, cluster=cluster.shown, unit=units, places=listed), data=data, **frame)


@answer("collaboration_both")
def collaboration_both(ask: Ask) -> Reply:
    cluster = ask.cluster
    assert cluster is not None
    if ask.question.has("ORG_WORD", "ORG_PLURAL") and not ask.question.has("LOCATION_WORD", "COLLAB"):
        return _organizations_in_both(ask)  # "Which organizations appear in both lists?": the two tables
    patents = cluster.patent_collaboration.locations
    articles = {name_key(n) for loc in cluster.article_collaboration.locations for n in KnowledgeBase.names_of(loc)}
    common = [loc.shown for loc in patents if {name_key(n) for n in KnowledgeBase.names_of(loc)} & articles]
    data = {"cluster": cluster.name, "common": common}
    if not common:
        return ask.reply(say("collab_none_both", cluster=cluster.shown,
                             patents=join_names([l.shown for l in patents]),
                             articles=join_names([l.shown for l in cluster.article_collaboration.locations])), data=data)
    return ask.reply(say("collab_both", places=join_names(common), cluster=cluster.shown), data=data)


def _organizations_in_both(ask: Ask) -> Reply:
    cluster = ask.cluster
    assert cluster is not None
    publishers = {name_key(n) for row in cluster.top_publishers.rows for n in KnowledgeBase.names_of(row)}
    common = [row.shown for row in cluster.top_applicants.rows
              if {name_key(n) for n in KnowledgeBase.names_of(row)} & publishers]
    if common:
        return ask.reply(say("orgs_both", names=join_names(common), cluster=cluster.shown), data={"common": common})
    return ask.reply(say("orgs_none_both", cluster=cluster.shown), data={"common": []})


# -- economies ------------------------------------------------------------------------------------

@answer("economy_of_cluster")
def economy_of_cluster(ask: Ask) -> Reply:
    cluster = ask.cluster
    assert cluster is not None
    text = say("economy_of", cluster=cluster.shown, economies=join_names(cluster.economies))
    named = ask.question.entities.of("economy") + ask.question.entities.of("place_economy")
    if ask.question.yes_no and named:
        inside = any(name_key(e.value) == name_key(x) for e in named for x in cluster.economies)
        text = ("Yes. " if inside else "No. ") + text
    return ask.reply(text, data={"cluster": cluster.name, "economies": cluster.economies}, economy=cluster.economies[0])


@answer("economy_clusters")
def economy_clusters(ask: Ask) -> Reply:
    q, kb = ask.question, ask.knowledge
    unknown = q.entities.of("place_economy")
    if unknown and not q.entities.of("economy"):
        return no_data(ask, say("economy_missing", economy=unknown[0].value, covered=covered(kb)), economy=unknown[0].value)
    named = q.entities.values("economy")
    economy = named[0] if named else ask.frame.economy or (ask.cluster.economies[0] if ask.cluster else None)
    if economy is None:
        return Reply(say("unknown_cluster_choice", covered=covered(kb)), status="clarify")
    clusters = kb.clusters_of_economy(economy)
    data = {"economy": economy, "clusters": [c.name for c in clusters]}
    if not clusters:
        return no_data(ask, say("economy_missing", economy=economy, covered=covered(kb)), **data)
    first = clusters[0]
    membership = first.membership
    ask.cluster = ask.cluster or first
    if membership.kind == "only" and len(clusters) == 1:
        data["count"] = 1
        words = token_view(q.doc).lower
        others = q.yes_no and any(w in ("other", "another", "else", "others", "second") for w in words)
        numbers = [n for n in ask.numbers() if n != 100]  # "the top 100" names the ranking, not a count
        if q.yes_no and numbers:
            claim = holds(1, relation(q.text), numbers[0])  # "Does Belgium have more than one cluster?"
            template = "economy_only_yes" if claim else "economy_only_no_other"
        else:
            template = "economy_only_no_other" if others else "economy_only_yes" if q.yes_no else "economy_only"
        return ask.reply(say(template, cluster=first.shown, economy=economy, edition=first.edition), data=data, economy=economy)
    if q.yes_no and q.has("ONLY"):
        return ask.reply(say("economy_only_no", sentence=membership.sentence), data=data, economy=economy)
    if q.yes_no and membership.count:
        numbers = [n for n in ask.numbers() if n != 100]
        claim = holds(membership.count, relation(q.text), numbers[0]) if numbers else True
        return ask.reply(("Yes. " if claim else "No. ") + membership.sentence, data=data, economy=economy)
    if membership.count and q.has("COUNT"):
        data["count"] = membership.count
        return ask.reply(say("economy_count", economy=economy, count=membership.count, s="" if membership.count == 1 else "s",
                             edition=first.edition, sentence=membership.sentence), data=data, economy=economy)
    text = say("economy_loaded", economy=economy, clusters=join_names([c.shown for c in clusters]))
    if membership.kind != "other":
        text += " " + membership.sentence
    return ask.reply(text, data=data, economy=economy)


# -- whole clusters -------------------------------------------------------------------------------

@answer("overview")
def overview(ask: Ask) -> Reply:
    c = ask.cluster
    assert c is not None
    applicant, publisher = c.top_applicants.rows[0], c.top_publishers.rows[0]
    membership = c.membership.sentence if c.membership.kind != "other" else c.membership.sentence
    text = say("overview", cluster=c.shown, economies=join_names(c.economies), rank_size=ordinal(c.rank_size), edition=c.edition,
               rank_intensity=ordinal(c.rank_intensity), pct=count_text(c.pct_per_million), articles=count_text(c.articles_per_million),
               top_applicant=applicant.shown, top_applicant_count=count_text(applicant.count), top_publisher=publisher.shown,
               top_publisher_count=count_text(publisher.count), membership=membership)
    data = c.model_dump(mode="json", include={"name", "economies", "rank_size", "rank_intensity", "pct_per_million", "articles_per_million"})
    return ask.reply(text, data=data, organization=None, rows=[])


MEASURE_NAMES = {"rank_size": "size", "rank_intensity": "intensity", "pct_per_million": "PCT applications per million inhabitants",
                 "articles_per_million": "scientific articles per million inhabitants"}


def _measure(ask: Ask) -> str:
    q = ask.question
    if q.has("PER_MILLION"):
        return "articles_per_million" if q.has("ARTICLE") and not q.has("PATENT") else "pct_per_million"
    if q.has("INTENSITY"):
        return "rank_intensity"
    return "rank_size"


def _measure_value(cluster: ClusterProfile, measure: str) -> str:
    value = getattr(cluster, measure)
    return ordinal(value) if measure.startswith("rank") else count_text(value)


@answer("best_cluster")
def best_cluster(ask: Ask) -> Reply:
    kb = ask.knowledge
    measure = _measure(ask)
    ranked = kb.ranked(measure)  # type: ignore[arg-type]
    best = ranked[0]
    data = {"measure": measure, "ranking": [{"cluster": c.name, measure: getattr(c, measure)} for c in ranked]}
    if len(ranked) == 1:
        return Reply(say("best_cluster_one", cluster=best.shown, value=_measure_value(best, measure), measure=MEASURE_NAMES[measure]),
                     status="no_data", data=data, cluster=best)
    return Reply(say("best_cluster", n=len(ranked), cluster=best.shown, measure=MEASURE_NAMES[measure],
                     value=_measure_value(best, measure)), data=data, cluster=best)


@answer("compare_clusters")
def compare_clusters(ask: Ask) -> Reply:
    kb = ask.knowledge
    ids = ask.question.entities.values("cluster")[:2]
    a, b = (kb.cluster(i) for i in ids)
    assert a is not None and b is not None
    measure = _measure(ask)
    data = {"measure": measure, "a": {"cluster": a.name, measure: getattr(a, measure)}, "b": {"cluster": b.name, measure: getattr(b, measure)}}
    return Reply(say("compare_clusters", measure=MEASURE_NAMES[measure], a=a.shown, b=b.shown, a_value=_measure_value(a, measure),
                     b_value=_measure_value(b, measure)), data=data)


# -- what the profiles do not give -------------------------------------------------------------------

@answer("unavailable_fields")
def unavailable_fields(ask: Ask) -> Reply:
    cluster = ask.cluster
    assert cluster is not None
    return no_data(ask, say("unavailable_fields", cluster=cluster.shown), missing="technology fields")


@answer("unavailable_time")
def unavailable_time(ask: Ask) -> Reply:
    cluster = ask.cluster
    assert cluster is not None
    return no_data(ask, say("unavailable_time", cluster=cluster.shown, edition=cluster.edition), missing="other editions")


@answer("unavailable_attribute")
def unavailable_attribute(ask: Ask) -> Reply:
    """Employees, revenue, citations, per-year counts, an organization's intensity: not in the profiles."""
    q, cluster = ask.question, ask.cluster
    assert cluster is not None
    words = q.cue_words.get("UNAVAILABLE_ATTRIBUTE")
    if words:
        thing = f"that information (“{words[0]}”)"
    elif q.entities.of("location"):
        thing = "counts or shares of joint PCT applications or articles per partner location, only the top partners in order"
    else:
        thing = "figures per million inhabitants, intensity ranks or collaboration shares"
    named = ask.rows_named() or [(hit.table, hit.row) for name in q.entities.values("organization")
                                 for hit in ask.knowledge.find_organization(name)][:1]
    if named:
        table, row = named[0]
        text = say("unavailable_attribute_org", thing=thing, name=row.shown, table_plural=TABLE_PLURAL[table],
                   cluster=cluster.shown, unit=UNIT[table])
    else:
        text = say("unavailable_attribute", cluster=cluster.shown, thing=thing)
    return no_data(ask, text, missing=thing)


@answer("unavailable_reason")
def unavailable_reason(ask: Ask) -> Reply:
    """"Why is AGFA the top applicant?": the profiles give figures, not their causes."""
    cluster = ask.cluster
    assert cluster is not None
    return no_data(ask, say("unavailable_reason", cluster=cluster.shown), missing="reasons")


@answer("definition")
def definition(ask: Ask) -> Reply:
    """What the figures cover: the period and edition are in the profile; definitions of terms are not."""
    cluster = ask.cluster
    assert cluster is not None
    if ask.question.has("PERIOD"):
        return ask.reply(say("period", cluster=cluster.shown, edition=cluster.edition), data={"edition": cluster.edition,
                                                                                          "period": "last five years"})
    return no_data(ask, say("unavailable_definition", cluster=cluster.shown), missing="definitions")


@answer("unavailable_population")
def unavailable_population(ask: Ask) -> Reply:
    cluster = ask.cluster
    assert cluster is not None
    return no_data(ask, say("unavailable_population", cluster=cluster.shown, pct=count_text(cluster.pct_per_million),
                            articles=count_text(cluster.articles_per_million)), missing="population")


# -- conversation -----------------------------------------------------------------------------------

@answer("greeting")
def greeting(ask: Ask) -> Reply:
    return Reply(say("greeting", edition=ask.knowledge.edition, covered=covered(ask.knowledge)))


@answer("thanks")
def thanks(ask: Ask) -> Reply:
    return Reply(say("thanks", covered=covered(ask.knowledge)))


@answer("help")
def help_reply(ask: Ask) -> Reply:
    return Reply(say("help", edition=ask.knowledge.edition, covered=covered(ask.knowledge), examples="{examples}"))
