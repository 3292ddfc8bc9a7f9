"""The top applicants and publishers: who is at a rank, one organization's facts, comparisons, sums and implied totals."""
from __future__ import annotations

from typing import Any

from intents.claims import claim_holds, holds, membership, negated, relation, top_n
from intents.pipeline import token_view
from knowledge.base import combine, implied_total
from knowledge.models import RankedRow
from knowledge.normalize import name_key
from intents.answers.base import (
    Ask, COMPANY_WORDS, LESS_WORDS, MEASURE_OF_TABLE, Reply, TABLE_NOUN, TABLE_OF_MEASURE,
    TABLE_PLURAL, UNIT, UNIVERSITY_WORDS, UNLIKELY_TABLE, VERB_PAST, VERB_PRESENT, answer, as_typed,
    count_text, join_names, no_data, ordinal, ordinal_word, say, share_text,
)


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
    if not positions and not numbers and ask.frame.intent == "top_organization" and len(ask.frame.rows) == 1 \
            and (q.follow_up or q.short) and ask.table() and ask.table() != ask.frame.table:
        positions = list(ask.frame.rows)  # "Who is second for PCT?" - "And for articles?": the second there too
    relative = _relative_position(ask)
    if relative is not None:
        tables, positions = [relative[0]], [relative[1]]
        frame.update(table=relative[0], measure=MEASURE_OF_TABLE[relative[0]])
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
            if position < 1:
                return no_data(ask, say("nothing_above", table_plural=TABLE_PLURAL[table], cluster=cluster.shown))
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


def _relative_position(ask: Ask) -> tuple[str, int] | None:
    """"Who is just above it?", "and the one after it?": the rank next to the organization in context."""
    q, frame = ask.question, ask.frame
    if not frame.organization or not q.has("RELATIVE_PREV", "RELATIVE_NEXT") or q.entities.values("organization"):
        return None
    rows = ask.org_rows(frame.organization)
    if not rows:
        return None
    table, row = next(((t, r) for t, r in rows if t == frame.table), rows[0])
    return table, row.rank - 1 if q.has("RELATIVE_PREV") else row.rank + 1


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
            text = say("org_wrong_table_no", name=row.shown, table_plural=TABLE_PLURAL[wanted], cluster=cluster.shown,
                       rank_word=ordinal_word(row.rank), other_plural=TABLE_PLURAL[table])
            claimed = ask.ordinals()[:1] or ([1] if ask.question.has("TOP") else [])
            if claimed and claimed[0] <= len(cluster.table(wanted).rows):
                other = cluster.table(wanted).rows[claimed[0] - 1]
                text += " " + say("claimed_is", position="top" if claimed[0] == 1 else ordinal_word(claimed[0]),
                                  table_noun=TABLE_NOUN[wanted], name=other.shown)
            return ask.reply(text, data={"cluster": cluster.name, **_row_data(table, row)}, organization=row.name)
        if not matching:
            table, row = rows[0]
            similar = [r for r in cluster.table(wanted).rows if set(name_key(r.shown).split()) & set(name_key(row.shown).split()) - {"university", "of"}]
            if similar:  # "How many PCT applications did KU Leuven file?": K.U. Leuven R&D is the applicant
                return no_data(ask, say("org_wrong_table", unit=UNIT[wanted], name=row.shown, table_plural=TABLE_PLURAL[wanted],
                                        cluster=cluster.shown, other_plural=TABLE_PLURAL[table]) + " " + say(
                    "org_similar", other=similar[0].shown, rank_word=ordinal_word(similar[0].rank), table_plural=TABLE_PLURAL[wanted]),
                    organization=row.name)
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
        # "Does Toyota file more than that one?": the organization before "than" is the subject
        words = token_view(q.doc).lower
        named_at = next((e.start for e in q.entities.of("organization")), 0)
        than_at = words.index("than") if "than" in words else len(words)
        names = [named[0], frame.organization] if named_at < than_at and "than" in words else [frame.organization, named[0]]
    elif not named and not ordinals and frame.organization and frame.table and q.has("TOP"):
        rows = cluster.table(frame.table).rows  # "How many fewer than the top one?"
        own = next((r for t, r in ask.org_rows(frame.organization) if t == frame.table), None)
        if own is not None and own is not rows[0]:
            return [(frame.table, own), (frame.table, rows[0])]
        names = []
    elif not named and len(ordinals) == 1 and frame.organization and frame.table:
        rows = cluster.table(frame.table).rows  # "How many fewer does it have than the second?"
        own = next((r for t, r in ask.org_rows(frame.organization) if t == frame.table), None)
        if own is not None and 1 <= ordinals[0] <= len(rows) and rows[ordinals[0] - 1] is not own:
            return [(frame.table, own), (frame.table, rows[ordinals[0] - 1])]
        names = []
    elif not named and frame.organization and q.has("RELATIVE_PREV", "RELATIVE_NEXT"):
        relative = _relative_position(ask)  # "How many more does the one right above it have?"
        rows_of = cluster.table(relative[0]).rows if relative else []
        if relative and 1 <= relative[1] <= len(rows_of):
            own = next(r for t, r in ask.org_rows(frame.organization) if t == relative[0])
            return [(relative[0], rows_of[relative[1] - 1]), (relative[0], own)]
        return no_data(ask, say("nothing_above", table_plural=TABLE_PLURAL[frame.table or "applicants"], cluster=cluster.shown))
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
        names = []
    if not names:
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
        big, small = (a, b) if a.count >= b.count else (b, a)  # "how many times as many": the larger over the smaller
        text = say("compare_ratio", a=big.shown, b=small.shown, verb_past=VERB_PAST[table_a],
                   ratio=f"{big.count / small.count:.2f}".rstrip("0").rstrip("."), unit=UNIT[table_a],
                   a_count=count_text(big.count), b_count=count_text(small.count))
    elif q.has("SHARE") and not q.yes_no and a.share != b.share:  # "by how many percentage points ...?"
        high, low = (a, b) if a.share > b.share else (b, a)
        text = say("compare_shares", high=high.shown, low=low.shown, high_share=share_text(high.share),
                   low_share=share_text(low.share), gap=f"{high.share - low.share:g}", unit=UNIT[table_a])
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
    if len(named) == 1 and q.entities.unknown_terms:
        return _unknown_org(ask, named[0][0])  # "AGFA + K.U. Leuvn R&D": one name we can't read, no sum of other rows
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
        refers = any(w in ("their", "they", "them", "both", "two", "these", "those") for w in token_view(q.doc).lower)
        if len(ordinals) >= 2:
            ranks = sorted(set(ordinals))  # "the first and second applicants together"
        elif refers and len(pair_rows) == 2 and (q.has("THE_TWO") or (not numbers and len(ask.frame.rows) < 2)):
            ranks = sorted(r.rank for r in pair_rows)  # "AGFA? Toyota? What is their combined share?", "these two"
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
    if q.has("OUTSIDE") and rows:  # "what share comes from outside the top three?"
        text = say("combined_outside", rest=share_text(max(0.0, 100 - total.share)), rows=description, share=share_text(total.share),
                   unit=UNIT[table], cluster=cluster.shown)
    elif q.has("AVERAGE") and rows:  # "the average count of the top 3": the sum over the rows listed
        text = say("combined_average", rows=description, average=count_text(round(total.count / len(rows))), unit=UNIT[table],
                   cluster=cluster.shown, count=count_text(total.count))
    elif facets == ["count"]:
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
