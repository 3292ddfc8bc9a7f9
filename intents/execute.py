"""Run a settled frame against the knowledge base and write the reply from templates.

One function per operation family; each gathers values with the operators, decides a verdict when
the frame claims something, and fills a template of replies.yaml named by operation and measure.
"Yes"/"No" come from the verdict, written by the template, never patched in afterwards.
"""
from __future__ import annotations

import math

from dataclasses import dataclass, field
from typing import Any

from intents import operators as op
from intents.frame import Claim, Frame, Ref, Selector
from intents.operators import Row
from intents.realise import (words, without_verdict, words_partly, count_text, join_names, ordinal, ordinal_word, say, share_text, TABLE_NOUN, TABLE_PLURAL,
                             UNIT, VERB_PAST, VERB_PRESENT, PARTNER_UNIT, verdict_word)
from intents.resolve import collection_of, measures_of, organizations_in
from knowledge.base import KnowledgeBase
from intents.text import matching_form
from knowledge.normalize import name_key
from knowledge.models import ClusterProfile
from knowledge.schema import Schema

TABLES = ("applicants", "publishers")
PARTNER_LISTS = ("patent_partners", "article_partners")
DOMAIN_OF = {"applicants": "patents", "publishers": "articles", "patent_partners": "patents", "article_partners": "articles"}


@dataclass
class Outcome:
    """A reply with its facts: text, status, the rows it showed and the ones it was about (for follow-ups)."""

    text: str
    status: str = "answered"
    data: dict[str, Any] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)  # rows shown, in order
    focus: list[Row] = field(default_factory=list)  # the rows the answer is about ("it", "they")
    intent: str = ""


def refuse(text: str, **data: Any) -> Outcome:
    return Outcome(text, "no_data", data)


def row_data(row: Row) -> dict[str, Any]:
    return {"table": row.collection, "rank": row.rank, "name": row.name, "shown": row.shown, "count": row.count,
            "share": row.share}


class Executor:
    def __init__(self, knowledge: KnowledgeBase, schema: Schema) -> None:
        self.kb = knowledge
        self.schema = schema

    def run(self, frame: Frame) -> Outcome:
        outcome = self._run(frame)
        if frame.yes_no and "verdict" not in outcome.data and outcome.status == "answered":
            said = outcome.text.split(".", 1)[0]
            if said in (verdict_word(True), verdict_word(False)):
                outcome.data["verdict"] = said == verdict_word(True)  # every written verdict is also data
        return outcome

    def _run(self, frame: Frame) -> Outcome:
        cluster = self.kb.cluster(frame.subject) if frame.subject else None
        collection = frame.collection or collection_of(frame, self.kb, self.schema, cluster)
        frame.collection = collection
        if collection is None:
            return Outcome("", "not_understood")
        if collection == "clusters_all":
            return self._clusters(frame)
        if collection == "economy":
            return self._economy(frame)
        if collection == "organization_clusters":
            return self._organization_clusters(frame)
        if cluster is None:
            return Outcome("", "clarify")
        frame.measures = measures_of(frame, collection, self.schema) if collection not in PARTNER_LISTS + ("partners",) else []
        if collection == "clusters":
            outcome = self._cluster(frame, cluster)
        elif collection in TABLES or collection == "tables":
            outcome = self._tables(frame, cluster, collection)
        else:
            outcome = self._partners(frame, cluster, collection)
        outcome.data.setdefault("cluster", cluster.name)
        return outcome

    # -- the cluster's own measures -----------------------------------------------------------------
    def _cluster(self, frame: Frame, c: ClusterProfile) -> Outcome:
        measures = frame.measures
        if frame.operation == "ahead":  # "How many clusters are ahead of it?": those ranked above it
            texts, data = [], {}
            for measure in [m for m in measures if m in ("rank_size", "rank_intensity")] or ["rank_size"]:
                rank = int(cluster_value(c, measure, None))
                ranking = "size" if measure == "rank_size" else "intensity"
                texts.append(say("clusters_ahead", cluster=c.shown, n=rank - 1, rank=ordinal(rank), ranking=ranking,
                                 s="" if rank - 1 == 1 else "s"))
                data[f"ahead_{ranking}"] = rank - 1
            return Outcome(" ".join(texts), data={**data, "edition": c.edition}, intent="ahead.rank")
        if frame.operation == "describe" and not measures:
            return self._overview(c)
        if not measures and frame.operation not in ("estimate", "aggregate", "ratio") and not frame.said and not frame.claims:
            # A bare name ("Brussels–Antwerp?") asks for the overview; a name among words we can't explain
            # ("the weather in Brussels", "a good restaurant in Antwerp") asks something else.
            return self._overview(c) if frame.coverage >= 1.0 or frame.fragment else Outcome("", "not_understood")
        if set(measures) == {"per_million", "collab_share"} and ("count" in frame.said or frame.values) \
                and frame.operation in ("", "complement", "aggregate", "estimate"):
            # "Applied to the 712 per million, how many collaborative PCT applications per million is that?": the share of
            # the figure, as arithmetic on two printed figures (the share is rounded)
            without = frame.operation == "complement" or frame.negated
            texts, data = [], {}
            chosen = [frame.domain] if frame.domain in ("patents", "articles") else ["patents", "articles"]
            named = [d for d in chosen if any(v.value == cluster_value(c, "per_million", d) for v in frame.values)]
            for domain in named or chosen:  # "that 712 per million": the figure written says which
                share = c.collaboration(domain).share
                part = 100 - share if without else share
                figure = cluster_value(c, "per_million", domain)
                value = round(figure * part / 100, 2)
                texts.append(say("per_million_collab", part=share_text(part), figure=count_text(figure), unit=UNIT[domain],
                                 cluster=c.shown, value=f"{value:,.2f}".rstrip("0").rstrip("."),
                                 kind=words()["collab_kind"]["without" if without else "with"]))
                data[f"{domain}_collab_per_million"] = value
            return Outcome(" ".join(texts), data={**data, "edition": c.edition}, intent="estimate.collab_per_million")
        top_claims = [cl for cl in frame.claims if cl.unit == "top_n"]
        if top_claims and (frame.operation == "difference" or "difference" in frame.ops or "count" in frame.said and "rank" in frame.said) \
                and not frame.yes_no:  # "how many places must it go up to be in the top 50?"
            return self._distance_to_top(c, measures, int(top_claims[0].value))
        places = [int(r.value) for r in frame.against if r.kind == "rank" and r.value.isdigit()]
        if places and any(m.startswith("rank") for m in measures) and not frame.yes_no \
                and (frame.operation in ("difference", "more", "less") or "count" in frame.said):
            return self._distance_to_place(c, measures, places[0])  # "how many places is it above the 100th place?"
        domains = _domains(frame)
        if frame.operation == "aggregate" and measures == ["per_million"] and len(domains) == 2:
            # "add its PCT applications per million to its articles per million": the two figures summed
            total = c.pct_per_million + c.articles_per_million
            return Outcome(say("per_million_sum", cluster=c.shown, pct=count_text(c.pct_per_million),
                               articles=count_text(c.articles_per_million), total=count_text(total)),
                           data={"per_million_sum": total, "edition": c.edition}, intent="aggregate.per_million")
        if frame.operation == "aggregate" and any(m.startswith("rank") for m in measures):
            frame.operation, frame.ops = "", [o for o in frame.ops if o != "aggregate"]  # "both rankings plus the figure"
        if frame.operation in ("estimate", "aggregate") or ("count" in frame.said or "total" in frame.said) and not measures:
            if "collab_share" in measures:
                return self._collab_count(c, domains)
            return self._implied_totals(c, domains)
        if "population" in measures:
            return refuse(say("unavailable_population", cluster=c.shown, pct=count_text(c.pct_per_million),
                              articles=count_text(c.articles_per_million)), missing="population")
        both_ranks = {"rank_size", "rank_intensity"} <= set(measures)
        gap_claims = both_ranks and bool(frame.claims) and all(cl.unit in ("count", "places") for cl in frame.claims)
        if frame.operation == "ratio" and frame.claims and all(cl.unit == "ratio" for cl in frame.claims):
            # "Is the articles-per-million figure more than nine times the PCT one?": the ratio, checked against the claim
            pair = self._measure_pair(frame, c, measures, domains)
            if pair is not None and isinstance(pair.data.get("ratio"), (int, float)):
                verdict = all(op.holds(pair.data["ratio"], cl) for cl in frame.claims)
                pair.text = f"{verdict_word(verdict)}. {pair.text}"
                second = [d for d in domains if d != (frame.first_domain or domains[0])]
                if measures == ["per_million"] and second:  # "more than nine times its PCT-per-million figure": 9 x 712
                    pair.text += _claimed_multiples(frame.claims, float(cluster_value(c, "per_million", second[0])), count_text)
                pair.data["verdict"] = verdict
                return pair
        if frame.operation in ("difference", "more", "less", "ratio", "average") and (not frame.claims or gap_claims) or (
                frame.yes_no and both_ranks and (not frame.claims or gap_claims)):
            pair = self._measure_pair(frame, c, measures, domains)
            if pair is not None:
                return pair
        texts: list[str] = []
        data: dict[str, Any] = {}
        verdicts: list[bool] = []
        claims = list(frame.claims)
        shared = [cl for cl in claims if len(measures) >= 2 and cl.measure is None and all(_claim_fits(cl, m) for m in measures)
                  and all(m in ("rank_size", "rank_intensity") for m in measures)] if frame.yes_no else []
        if shared:  # "in the top 55 both by size and by intensity?": one claim of both ranks, one verdict
            verdict = all(op.holds(cluster_value(c, m, None), cl, lower_is_better=True) for m in measures for cl in shared)
            facts = [self._cluster_fact(c, m, None, cluster_value(c, m, None), frame) for m in measures]
            return Outcome(f"{verdict_word(verdict)}. " + " ".join(facts),
                           data={m: cluster_value(c, m, None) for m in measures} | {"verdict": verdict, "edition": c.edition},
                           intent="verify." + "+".join(measures))
        for measure in measures:
            for domain in (domains if measure in ("per_million", "collab_share") else [None]):
                value = cluster_value(c, measure, domain)
                mine = [cl for cl in claims if _claim_fits(cl, measure) and (cl.domain is None or domain is None or cl.domain == domain)
                        ] if frame.yes_no or claims else []
                if measure == "economy" and any(cl.unit == "economy" for cl in claims):
                    claimed = [cl for cl in claims if cl.unit == "economy"]
                    inside = all(any(self.kb.find_economy(cl.text) == e or cl.text.lower() == e.lower() for e in c.economies)
                                 for cl in claimed)
                    verdicts.append(inside)
                    texts.append(self._cluster_fact(c, measure, domain, value, frame))
                    for cl in claimed:
                        claims.remove(cl)
                    continue
                if measure == "collab_share" and (frame.operation == "complement" or frame.negated and not frame.yes_no):
                    text = say("collab_share_without", rest=share_text(op.complement(value)), share=share_text(value),
                               cluster=c.shown, unit=UNIT[domain], done=_done(domain))
                    if mine:
                        verdicts.append(all(op.holds(op.complement(value), cl) for cl in mine))
                        for cl in mine:
                            claims.remove(cl)
                    texts.append(text)
                    data[f"{domain}_without_collaboration"] = op.complement(value)
                    continue
                text = self._cluster_fact(c, measure, domain, value, frame)
                if mine:
                    verdict = all(op.holds(value, cl, lower_is_better=measure.startswith("rank")) for cl in mine)
                    verdicts.append(verdict)
                    for cl in mine:
                        claims.remove(cl)
                elif frame.yes_no and measure == "membership" and not frame.negated:
                    verdicts.append(c.membership.kind == "only")
                elif frame.yes_no and measure == "others" and not frame.negated:
                    verdicts.append(c.membership.kind != "only")
                texts.append(text)
                data[measure if domain is None else f"{domain}_{measure}"] = value if not isinstance(value, list) else value
        if not texts:
            return Outcome("", "not_understood")
        years = [cl for cl in frame.claims if cl.unit == "years"]
        if frame.yes_no and years and self.schema.period_years and any(m in ("per_million", "period") for m in measures):
            verdicts.append(all(op.holds(self.schema.period_years, cl) for cl in years))  # "... covers the last ten years?"
        text = " ".join(texts)
        if verdicts:  # one verdict for all the values claimed: "53rd by size and 57th by intensity?" is a No
            data["verdict"] = all(verdicts)
            text = f"{verdict_word(all(verdicts))}. {text}"
        return Outcome(text, data={**data, "edition": c.edition}, intent="lookup." + "+".join(measures))

    def _cluster_fact(self, c: ClusterProfile, measure: str, domain: str | None, value: Any, frame: Frame) -> str:
        if measure == "rank_size":
            return say("rank_size", cluster=c.shown, rank=ordinal(value), edition=c.edition)
        if measure == "rank_intensity":
            return say("rank_intensity", cluster=c.shown, rank=ordinal(value), edition=c.edition)
        if measure == "per_million":
            return say(f"per_million_{domain}", cluster=c.shown, value=count_text(value))
        if measure == "collab_share":
            return say(f"collab_share_{domain}", share=share_text(value), cluster=c.shown)
        if measure == "economy":
            return say("economy_of", cluster=c.shown, economies=join_names(c.economies))
        if measure in ("membership", "others"):
            return c.membership.sentence
        if measure == "period":
            return say("period", cluster=c.shown, edition=c.edition)
        return ""

    def _measure_pair(self, frame: Frame, c: ClusterProfile, measures: list[str], domains: list[str]) -> Outcome | None:
        """Two measures of one cluster set against each other: its two ranks, or a figure for patents and articles."""
        if ({"rank_size", "rank_intensity"} <= set(measures) and (frame.operation or frame.yes_no)) or (
                frame.operation == "average" and "ranks" in frame.said) or (frame.operation == "difference" and measures == ["rank_size"]
                                                                and "rank" in frame.said and "size" not in frame.said):
            if frame.operation == "average":
                mean = (c.rank_size + c.rank_intensity) / 2
                return Outcome(say("rank_average", cluster=c.shown, size=ordinal(c.rank_size), intensity=ordinal(c.rank_intensity),
                                   mean=f"{mean:g}"), data={"average_rank": mean}, intent="average.rank")
            better, worse = ("size", "intensity") if c.rank_size <= c.rank_intensity else ("intensity", "size")
            values = {"size": c.rank_size, "intensity": c.rank_intensity}
            gap = abs(c.rank_size - c.rank_intensity)
            verdict, holding = "", None
            if frame.yes_no:
                order = [m for m in frame.said if m in ("size", "intensity")]
                first = order[0] if order else "size"
                claimed_better = frame.operation != "less"
                # "The intensity rank is 5 places below the size rank?": the number of places is claimed too
                gaps = [cl for cl in frame.claims if cl.unit in ("count", "places")]
                holds = all(op.holds(gap, cl) for cl in gaps)
                ordered = (first == better) == claimed_better if frame.operation in ("more", "less") or not gaps else True
                holding = ordered and holds
                verdict = verdict_word(holding) + ". "
            pair_data: dict[str, Any] = {"rank_size": c.rank_size, "rank_intensity": c.rank_intensity, "places_apart": gap}
            if holding is not None:
                pair_data["verdict"] = holding
            return Outcome(verdict + say("rank_pair", cluster=c.shown, better=better, worse=worse, better_rank=ordinal(values[better]),
                               worse_rank=ordinal(values[worse]), gap=gap, s="" if gap == 1 else "s"),
                           data=pair_data,
                           intent="compare.rank")
        for measure in ("per_million", "collab_share"):
            if measure in measures and len(domains) == 2:
                a, b = (cluster_value(c, measure, d) for d in ("articles", "patents"))
                if frame.operation == "ratio":
                    return Outcome(say(f"{measure}_ratio", cluster=c.shown, articles=_fmt(measure, a), patents=_fmt(measure, b),
                                       ratio=_ratio_text(a / b)), data={"ratio": a / b}, intent=f"ratio.{measure}")
                if frame.operation == "average":  # "the average of its two collaboration shares"
                    mean = (a + b) / 2
                    shown = f"{mean:,.1f}".rstrip("0").rstrip(".") + ("%" if measure == "collab_share" else "")
                    return Outcome(say(f"{measure}_average", cluster=c.shown, articles=_fmt(measure, a), patents=_fmt(measure, b),
                                       mean=shown), data={"average": mean}, intent=f"average.{measure}")
                text = say(f"{measure}_gap", cluster=c.shown, articles=_fmt(measure, a), patents=_fmt(measure, b),
                           gap=_fmt(measure, abs(a - b)) if measure != "collab_share" else f"{abs(a - b):g}")
                if frame.yes_no and frame.operation in ("more", "less"):
                    first = a if (frame.first_domain or "articles") == "articles" else b
                    second = b if first is a else a
                    text = f"{verdict_word((first > second) == (frame.operation == 'more'))}. {text}"
                return Outcome(text, data={"difference": abs(a - b)}, intent=f"compare.{measure}")
        return None

    def _distance_to_place(self, c: ClusterProfile, measures: list[str], place: int) -> Outcome:
        """"How many places is it above the 100th place in the size ranking?": the places between its rank and that one."""
        texts, data = [], {}
        for measure in [m for m in measures if m.startswith("rank")]:
            rank = int(cluster_value(c, measure, None))
            ranking = "size" if measure == "rank_size" else "intensity"
            gap = abs(place - rank)
            side = "above" if rank < place else "below"
            texts.append(say(f"places_{side}", cluster=c.shown, rank=ordinal(rank), ranking=ranking, place=ordinal(place),
                             gap=gap, s="" if gap == 1 else "s"))
            data[f"places_from_{place}_{ranking}"] = place - rank
        return Outcome(" ".join(texts), data=data, intent="compare.rank.place")

    def _distance_to_top(self, c: ClusterProfile, measures: list[str], n: int) -> Outcome:
        """"How many places would it need to climb to get into the top 50?": its rank less n."""
        texts, data = [], {}
        for measure in [m for m in measures if m.startswith("rank")] or ["rank_size"]:
            rank = cluster_value(c, measure, None)
            ranking = "size" if measure == "rank_size" else "intensity"
            gap = rank - n
            template = "distance_to_top" if gap > 0 else "inside_top"
            texts.append(say(template, cluster=c.shown, rank=ordinal(rank), ranking=ranking, n=n, gap=gap, s="" if gap == 1 else "s"))
            data[f"places_to_top_{n}_{ranking}"] = max(gap, 0)
        return Outcome(" ".join(texts), data=data, intent="compare.rank.top_n")

    def _overview(self, c: ClusterProfile) -> Outcome:
        a, p = c.top_applicants.rows[0], c.top_publishers.rows[0]
        text = say("overview", cluster=c.shown, economies=join_names(c.economies), rank_size=ordinal(c.rank_size),
                   edition=c.edition, rank_intensity=ordinal(c.rank_intensity), pct=count_text(c.pct_per_million),
                   articles=count_text(c.articles_per_million), top_applicant=a.shown, top_applicant_count=count_text(a.count),
                   top_publisher=p.shown, top_publisher_count=count_text(p.count), membership=c.membership.sentence)
        return Outcome(text, data={"rank_size": c.rank_size, "rank_intensity": c.rank_intensity}, intent="describe.cluster")

    def _top_row_total(self, c: ClusterProfile, domain: str):  # type: ignore[no-untyped-def]
        """The domain's top row and the cluster total its count and share imply (None when the share can't bound it)."""
        row = op.table_rows(c, self.schema.organizations(domain))[0]
        return row, op.estimate_total(row)

    def _implied_totals(self, c: ClusterProfile, domains: list[str]) -> Outcome:
        texts, data = [], {}
        for domain in domains:
            row, total = self._top_row_total(c, domain)
            if total is None:
                continue
            texts.append(say("implied", name=row.shown, count=count_text(row.count or 0), unit=UNIT[domain],
                             share=share_text(row.share or 0), value=_about(total.value),
                             low=count_text(total.low), high=count_text(total.high)))
            data[f"{domain}_implied_total"] = round(total.value)
        if not texts:
            return refuse(say("no_total", cluster=c.shown))
        return Outcome(" ".join(texts), data=data, intent="estimate.total")

    def _collab_count(self, c: ClusterProfile, domains: list[str]) -> Outcome:
        texts, data = [], {}
        for domain in domains:
            _, total = self._top_row_total(c, domain)
            if total is None:
                continue
            share = c.collaboration(domain).share  # type: ignore[arg-type]
            value = round(total.value * share / 100, -1)
            texts.append(say("collab_count_estimate", value=count_text(value), unit=UNIT[domain], cluster=c.shown,
                             share=share_text(share), total=count_text(round(total.value, -1)), done=_done(domain)))
            data[f"{domain}_collaborative_estimate"] = value
        return Outcome(" ".join(texts), data=data, intent="estimate.collab_share")

    # -- organizations --------------------------------------------------------------------------
    def _tables(self, frame: Frame, c: ClusterProfile, collection: str) -> Outcome:
        tables = [collection] if collection in TABLES else list(TABLES)
        named = organizations_in(self.kb, c, frame.refs)
        foreign = [ref for ref, ts in organizations_in(self.kb, c, frame.against) if not ts]
        unplaced_named = [ref for ref, ts in named if not ts]
        if (foreign or unplaced_named) and (frame.operation in ("more", "less", "difference", "compare") or frame.choice):
            across = self._rows_across_clusters(frame, tables)
            if across is not None:
                return across
        if foreign and not unplaced_named and frame.operation in ("more", "less", "difference", "compare") \
                and (frame.selector.kind != "none" or any(ts for _, ts in named)):
            return self._against_elsewhere(frame, c, tables, foreign[0])
        unplaced = [ref for ref, ts in named if not ts]
        clusters_named = list(dict.fromkeys(r.value for r in frame.refs if r.kind == "cluster"))
        if unplaced and frame.yes_no and len(clusters_named) >= 2:
            per_cluster = self._claims_per_cluster(frame, clusters_named)
            if per_cluster is not None:
                return per_cluster
        if unplaced:
            return self._org_elsewhere(unplaced[0], c, frame)
        if named and collection in TABLES:
            wrong = [ref for ref, ts in named if collection not in ts]
            if wrong:
                return self._wrong_table(wrong[0], c, collection, frame)
        if collection == "tables" and frame.operation in ("difference", "more", "less", "ratio", "compare") and named:
            sides = [(ref, ts) for ref, ts in named + organizations_in(self.kb, c, frame.against) if ts]
            if len(sides) == 2 and len({ts[0] for _, ts in sides}) == 2:
                return self._shares_across_tables(frame, c, sides[:2])
        if frame.operation == "closest_pair" and not named:
            return self._closest_pair(frame, c, tables)
        if frame.operation == "intersect":
            both = op.intersect(op.table_rows(c, "applicants"), op.table_rows(c, "publishers"))
            if both:
                return Outcome(say("orgs_both", names=join_names([r.shown for r in both]), cluster=c.shown),
                               rows=both, intent="intersect.organizations")
            return Outcome(say("orgs_none_both", cluster=c.shown), intent="intersect.organizations")
        texts: list[str] = []
        outcome = Outcome("")
        verdicts: list[bool] = []
        for table in tables:
            mine = frame
            if len(tables) > 1 and any(cl.domain for cl in frame.claims):
                mine = frame.copy()  # "KU Leuven has over 8,000 articles and AGFA fewer than 200 patent applications?"
                mine.claims = [cl for cl in frame.claims if cl.domain in (None, DOMAIN_OF[table])]
            part = self._table(mine, c, table, named)
            if part.status != "answered" and len(tables) == 1:
                return part
            if part.status == "answered":
                if isinstance(part.data.get("verdict"), bool) and len(tables) > 1:
                    verdicts.append(part.data["verdict"])
                    part.text = without_verdict(part.text)
                texts.append(part.text)
                outcome.rows += part.rows
                outcome.focus += part.focus
                outcome.data.setdefault("rows", []).extend(part.data.get("rows", []))
                for key, value in part.data.items():
                    if key != "rows":
                        outcome.data[key] = value
                outcome.intent = part.intent
        if not texts:
            return part
        outcome.text = " ".join(texts)
        if verdicts:  # one verdict for the claims about both tables
            outcome.data["verdict"] = all(verdicts)
            outcome.text = f"{verdict_word(all(verdicts))}. {outcome.text}"
        return outcome

    def _table(self, frame: Frame, c: ClusterProfile, table: str, named: list[tuple[Ref, list[str]]]) -> Outcome:
        rows = op.table_rows(c, table)
        mine = [op.select_named(rows, ref.value) for ref, ts in named if table in ts]
        mine += [r for ref in frame.refs if ref.kind == "rank" for r in op.select_rank(rows, [int(ref.value)])]
        mine = [r for r in mine if r is not None]
        if frame.values and not mine and (frame.wants == "organization" or frame.noun == "organization"):
            # "Which organisation is behind 123 of the applications?": the row with that figure
            found = [r for r in rows if all(op.holds(float(r.count if v.unit == "count" else r.share or 0), v)
                                            for v in frame.values)]
            if found:
                mine = found
        against = [op.select_named(rows, ref.value) for ref, ts in organizations_in(self.kb, c, frame.against) if table in ts]
        against += [r for ref in frame.against if ref.kind == "rank" for r in op.select_rank(rows, [int(ref.value)])]
        against = [r for r in against if r is not None]
        chosen = self._select(frame, rows, mine, c, table)
        if isinstance(chosen, Outcome):
            return chosen
        operation = frame.operation
        if frame.selector.kind == "other" and len(mine) == 1 and not against and not frame.anchors \
                and operation in ("more", "less", "difference", "ratio", "compare"):
            against = [r for r in rows if r is not mine[0]]  # "than the other two listed publishers combined"
            chosen = mine
            # The frame remembers the rows it meant, so a follow-up ("how does that look in shares?") means them too.
            frame.against = [Ref("organization", r.name, r.shown) for r in against]
            frame.selector = Selector()
        part_of_sum = operation == "ratio" and "aggregate" in frame.ops and frame.selector.kind in ("top_n", "all", "listed")
        if operation in ("more", "less", "difference", "ratio", "compare", "same") and mine and not against \
                and frame.selector.kind in ("rank", "last", "top_n", "last_n", "ends") and not part_of_sum:
            picked = self._select(frame, rows, [], c, table)
            if isinstance(picked, list) and any(r not in mine for r in picked):
                # "Is KU Leuven's share bigger than the second and third publishers' together?": the rows at those
                # places are the other side
                against, chosen = [r for r in picked if r not in mine], mine
        if operation in ("more", "less", "difference", "ratio", "same", "compare") and not against and frame.anchors \
                and frame.selector.kind in ("prev", "next") and len(chosen) == 1:
            anchor = op.select_named(rows, frame.anchors[0].value)
            if anchor is not None and anchor is not chosen[0]:
                against = [anchor]  # "How many more does the one right above it have?": that one against "it"
        if (frame.choice or operation in ("more", "less") and not frame.yes_no) and "aggregate" in frame.ops \
                and len(mine) >= 3 and not against:
            # "Which is larger: KU Leuven's count, or the University of Antwerp and ULB combined?": one against the sum
            return self._one_against_sum(frame, c, table, mine[0], mine[1:])
        if operation in ("difference", "more", "less") and "aggregate" in frame.ops and len(mine) == 1 and not against \
                and frame.selector.kind == "other":
            # "How many more does the first publisher have than the other two combined?"
            return self._one_against_sum(frame, c, table, mine[0], [r for r in rows if r is not mine[0]])
        if operation == "same" and len(mine) == 1 and not against and not frame.yes_no \
                and (frame.wants == "organization" or frame.noun == "organization"):
            return self._same_value(frame, c, table, mine[0], rows)  # "Which applicant has the same share as Toyota?"
        if part_of_sum and len(mine) == 1 and not against:
            group = rows if frame.selector.kind in ("all", "listed") else self._select(frame, rows, [], c, table)
            if isinstance(group, list) and len(group) >= 2 and mine[0] in group:
                return self._part_of_sum(frame, c, table, mine[0], group)
        if operation in ("more", "less", "difference", "ratio", "compare", "same") or (frame.choice and len(chosen + against) == 2) \
                or (against and frame.yes_no) or (len(mine) == 2 and operation == "" and frame.yes_no and frame.choice):
            return self._compare(frame, c, table, chosen, against)
        summed = operation == "aggregate" or "aggregate" in frame.ops and frame.plural or "total" in frame.said and frame.plural
        # ("the three leading publishers' total", "roughly what percentage of the top three's combined filings")
        summed = summed or operation == "ratio" and "aggregate" in frame.ops  # "AGFA's count as a share of the three's total"
        if summed and len(mine) == 1 and frame.selector.kind in ("top_n", "last_n", "all", "listed") \
                and ("share" in frame.said or operation == "ratio" or any(cl.unit == "percent" for cl in frame.claims)):
            group = rows if frame.selector.kind in ("all", "listed") else self._select(frame, rows, [], c, table)
            if isinstance(group, list) and len(group) >= 2 and mine[0] in group:
                # "what fraction of the top three's articles is KU Leuven's?", "more than 60% of the three combined?"
                return self._part_of_sum(frame, c, table, mine[0], group)
        picked = [r for r in rows if r.rank in frame.selector.ranks and r not in mine] if frame.selector.kind == "rank" else []
        if operation == "aggregate" and mine and picked:
            if frame.yes_no and len(mine) == 1 and len(picked) >= 2 and not frame.claims:
                # "Do the second and third publishers together reach KU Leuven's share?": their sum against that row
                return self._sum_against(frame, c, table, picked, mine)
            # "AGFA and the second applicant together?": the named rows and the rows at those places, summed
            return self._aggregate(frame, c, table, sorted(mine + picked, key=lambda r: r.rank))
        if operation == "aggregate" and len(mine) == 1 and (frame.refers_two or frame.selector.kind == "other") \
                and len(rows) == 3:
            # "Setting KU Leuven aside, how many articles do those two publish combined?": the two other rows
            return self._aggregate(frame, c, table, [r for r in rows if r is not mine[0]])
        if operation == "aggregate" and len(mine) == 1 and len(chosen) == 1:
            return self._estimate(c, table, chosen[0])  # "how many in total, if KU Leuven's 8,613 are 31%?"
        if operation == "estimate" and len(chosen) > 1 and len(mine) != 1 and "total" in frame.said \
                and not any(r.kind == "organization" for r in frame.refs):
            return self._estimate_from_rows(c, table, chosen)  # "if the top three's 444 are 14%, how many overall?"
        if operation in ("aggregate", "average", "complement") or "total" in frame.said and len(chosen) > 1:
            return self._aggregate(frame, c, table, chosen if len(chosen) > 1 or mine else rows)
        if operation == "estimate" and len(chosen) > 1 and len(mine) != 1:
            return self._aggregate(frame, c, table, chosen)  # "roughly how many do the top three have": an exact sum
        if operation == "estimate" or ("total" in frame.said and len(chosen) <= 1):
            row = chosen[0] if chosen else rows[0]
            return self._estimate(c, table, row)
        limits = [cl for cl in frame.claims if cl.relation in (">", ">=", "<", "<=") and cl.unit in ("count", "percent")]
        if limits and not frame.yes_no and not mine and operation in ("", "list", "more", "less"):
            return self._filter(c, table, rows, limits)  # "which applicants filed more than 125?"
        pairs = _claims_of_rows(frame, mine) if frame.yes_no and len(mine) > 1 else []
        if pairs:
            return self._verify_each(c, table, pairs)  # "AGFA's share is 6% and Toyota's 4%?": each its own value
        if frame.yes_no and len(chosen) > 1 and any(cl.unit in ("count", "percent") for cl in frame.claims):
            return self._aggregate(frame, c, table, chosen)  # "Do the top three file more than 400?": together
        if frame.yes_no and chosen and not frame.choice:
            return self._verify_rows(frame, c, table, chosen, rows)
        return self._describe_rows(frame, c, table, chosen, rows)

    def _select(self, frame: Frame, rows: list[Row], mine: list[Row], c: ClusterProfile, table: str) -> list[Row] | Outcome:
        """The rows a frame is about, less the rows it sets aside ("leaving KU Leuven aside, the top three")."""
        chosen = self._select_rows(frame, rows, mine, c, table)
        set_aside = {r.value for r in frame.left_out}
        if set_aside and isinstance(chosen, list):
            kept = [r for r in chosen if r.name not in set_aside]
            return kept or chosen
        return chosen

    def _select_rows(self, frame: Frame, rows: list[Row], mine: list[Row], c: ClusterProfile, table: str) -> list[Row] | Outcome:
        """The rows a frame is about: named ones, else by its selector, else the top (or all, when plural)."""
        selector = frame.selector
        kind = selector.kind
        if kind == "nearest" and frame.anchors:
            anchor = op.select_named(rows, frame.anchors[0].value)
            others = [r for r in rows if r is not anchor]
            if anchor is None or not others:
                return refuse(say("not_in_table", table_plural=TABLE_PLURAL[table], cluster=c.shown))
            measure = "share" if "share" in frame.said and "count" not in frame.said else "count"
            gap = lambda r: abs(float(getattr(r, measure) or 0) - float(getattr(anchor, measure) or 0))  # noqa: E731
            least = min(gap(r) for r in others)
            return [r for r in others if gap(r) == least]  # "which applicant is closest to Toyota?"
        if kind in ("prev", "next", "above", "below") and (frame.anchors or mine):
            anchors = [op.select_named(rows, a.value) for a in frame.anchors] or mine
            anchor = anchors[0]
            if anchor is None:
                return refuse(say("not_in_table", table_plural=TABLE_PLURAL[table], cluster=c.shown))
            if selector.n:  # "two places below KU Leuven": exactly that many places away
                found = op.select_relative(rows, anchor, -selector.n if kind in ("prev", "above") else selector.n)
                if found is None:
                    side = "above" if kind in ("prev", "above") else "below"
                    return refuse(say(f"nothing_{side}", name=anchor.shown, table_plural=TABLE_PLURAL[table], cluster=c.shown,
                                      n=len(rows)))
                return [found]
            if kind in ("above", "below"):
                found_rows = [r for r in rows if (r.rank < anchor.rank if kind == "above" else r.rank > anchor.rank)]
                if not found_rows:
                    side = "above" if kind == "above" else "below"
                    return refuse(say(f"nothing_{side}", name=anchor.shown, table_plural=TABLE_PLURAL[table],
                                      cluster=c.shown, n=len(rows)))
                return found_rows
            found = op.select_relative(rows, anchor, -1 if kind == "prev" else 1)
            if found is None:
                side = "above" if kind == "prev" else "below"
                return refuse(say(f"nothing_{side}", name=anchor.shown, table_plural=TABLE_PLURAL[table], cluster=c.shown,
                                  n=len(rows)))
            return [found]
        if kind == "other" and frame.anchors:
            taken = {op.select_named(rows, a.value) for a in frame.anchors}
            rest = [r for r in rows if r not in taken]
            if rest and len(rest) < len(rows):
                return rest
        if kind == "between" and len(frame.anchors) == 2:
            ends = [op.select_named(rows, a.value) for a in frame.anchors]
            if None in ends:
                return refuse(say("not_in_table", table_plural=TABLE_PLURAL[table], cluster=c.shown))
            middle = op.select_between(rows, ends[0], ends[1])  # type: ignore[arg-type]
            if not middle:
                return refuse(say("none_between", a=ends[0].shown, b=ends[1].shown, table_plural=TABLE_PLURAL[table]))  # type: ignore[union-attr]
            return middle
        if kind in ("top_n", "last_n") and frame.operation in ("complement", "aggregate", "average") \
                and (selector.n or 0) > len(rows):
            # "the top five applicants together": the sum of rows the profile doesn't give is not the sum of those it does
            return refuse(say("not_listed_others", n=len(rows), table_plural=TABLE_PLURAL[table], cluster=c.shown),
                          asked_rows=selector.n)
        if kind == "top_n" and frame.operation in ("complement", "aggregate", "average"):
            return op.select_top(rows, selector.n or len(rows))
        if kind == "last_n" and frame.operation in ("complement", "aggregate", "average"):
            return rows[-(selector.n or len(rows)):]  # "what do the last two publish together?"  # "outside the top three": the selection, not the rows in focus
        if mine:
            return mine
        if kind == "rank":
            picked = op.select_rank(rows, selector.ranks)
            if not picked:
                return refuse(say("beyond_table", n=len(rows), table_plural=TABLE_PLURAL[table], cluster=c.shown,
                                  position=ordinal_word(max(selector.ranks))), asked_rank=max(selector.ranks))
            return picked
        if kind == "last":
            return rows[-1:]
        if kind == "ends":
            return [rows[0], rows[-1]] if len(rows) > 1 else rows  # "the gap between the top and the bottom one"
        if kind == "top_n":
            n = selector.n or len(rows)
            return op.select_top(rows, n)
        if kind == "last_n":
            return rows[-(selector.n or len(rows)):]
        if kind == "all" or frame.plural or frame.operation in ("list", "aggregate", "average", "complement"):
            return rows
        if frame.claims and frame.yes_no and any(cl.unit == "top_n" for cl in frame.claims):
            return rows
        return rows[:1]

    def _describe_rows(self, frame: Frame, c: ClusterProfile, table: str, chosen: list[Row], rows: list[Row]) -> Outcome:
        data = {"rows": [row_data(r) for r in chosen]}
        if frame.selector.kind == "top_n" and frame.selector.n and frame.selector.n > len(rows):
            note = say("only_listed", n=len(rows), table_plural=TABLE_PLURAL[table], cluster=c.shown) + " "
        else:
            note = ""
        if len(chosen) > 1:
            listed = join_names([f"{r.shown} ({count_text(r.count or 0)}, {share_text(r.share or 0)})" for r in chosen])
            if frame.selector.kind in ("above", "below") and frame.anchors:
                anchor = op.select_named(rows, frame.anchors[0].value)
                return Outcome(say(f"rows_{frame.selector.kind}", name=anchor.shown if anchor else "", rows=listed,
                                   table_plural=TABLE_PLURAL[table]), data=data, rows=chosen,
                               focus=[anchor] if anchor else chosen, intent=f"list.{table}.{frame.selector.kind}")
            if [r.rank for r in chosen] != [r.rank for r in rows[:len(chosen)]]:
                # "the last two", "KU Leuven R&D and Toyota": not the top n, so each with its place
                placed = join_names([f"{ordinal_word(r.rank)}, {r.shown} ({count_text(r.count or 0)}, {share_text(r.share or 0)})"
                                     for r in chosen])
                return Outcome(say("rows_placed", n=len(rows), table_plural=TABLE_PLURAL[table], cluster=c.shown, rows=placed),
                               data=data, rows=chosen, focus=chosen, intent=f"list.{table}")
            return Outcome(note + say("top_list", n=len(chosen), table_plural=TABLE_PLURAL[table], cluster=c.shown, rows=listed),
                           data=data, rows=chosen, focus=chosen, intent=f"list.{table}")
        row = chosen[0]
        measures = [m for m in frame.measures if m in ("count", "share", "rank")]
        named = any(r.kind == "organization" for r in frame.refs) or bool(frame.anchors) and frame.selector.kind == "none"
        if not named:
            if frame.selector.kind == "last":
                text = say("least_listed", n=len(rows), table_plural=TABLE_PLURAL[table], cluster=c.shown, unit=UNIT[DOMAIN_OF[table]],
                           name=row.shown, count=count_text(row.count or 0), share=share_text(row.share or 0))
            else:
                position = "top " if row.rank == 1 else f"{ordinal_word(row.rank)}-largest "
                text = say("top_one", position=position, table_noun=TABLE_NOUN[table], cluster=c.shown, name=row.shown,
                           count=count_text(row.count or 0), unit=UNIT[DOMAIN_OF[table]], share=share_text(row.share or 0))
            return Outcome(text, data=data, rows=[row], focus=[row], intent=f"lookup.{table}.name")
        values = dict(name=row.shown, verb=VERB_PAST[table], count=count_text(row.count or 0), unit=UNIT[DOMAIN_OF[table]],
                      cluster=c.shown, share=share_text(row.share or 0), rank_word=ordinal_word(row.rank),
                      table_plural=TABLE_PLURAL[table])
        key = "+".join(m for m in ("count", "share", "rank") if m in measures) or "all"
        template = {"count": "org_count", "share": "org_share", "count+share": "org_count_share", "rank": "org_rank",
                    "count+rank": "org_rank", "share+rank": "org_all", "count+share+rank": "org_all", "all": "org_all"}[key]
        return Outcome(say(template, **values), data=data, rows=[row], focus=[row], intent=f"lookup.{table}.{key}")

    def _verify_each(self, c: ClusterProfile, table: str, pairs: list[tuple[Row, Claim]]) -> Outcome:
        """Values claimed row by row: one verdict for all of them, then each row's fact."""
        verdict = all(op.holds(float((row.count if claim.unit == "count" else row.share) or 0), claim) for row, claim in pairs)
        facts = []
        for row, claim in pairs:
            values = dict(name=row.shown, verb=VERB_PAST[table], count=count_text(row.count or 0), unit=UNIT[DOMAIN_OF[table]],
                          cluster=c.shown, share=share_text(row.share or 0))
            facts.append(say("org_count" if claim.unit == "count" else "org_share", **values))
        rows = [row for row, _ in pairs]
        return Outcome(f"{verdict_word(verdict)}. " + " ".join(facts), data={"rows": [row_data(r) for r in rows], "verdict": verdict},
                       rows=rows, focus=rows, intent=f"verify.{table}.each")

    def _verify_rows(self, frame: Frame, c: ClusterProfile, table: str, chosen: list[Row], rows: list[Row]) -> Outcome:
        """A claim about a row: its count, share, rank, place in the top n; every value must hold."""
        row = chosen[0]
        named = any(r.kind == "organization" for r in frame.refs)
        verdicts: list[bool] = []
        for claim in frame.claims:
            value = {"count": row.count, "percent": row.share, "ordinal": row.rank, "top_n": row.rank}.get(claim.unit)
            if value is None:
                continue
            verdicts.append(op.holds(float(value), claim, lower_is_better=claim.unit == "ordinal"))
        if not frame.claims and (frame.selector.kind == "top" and named and frame.plural or frame.selector.kind == "listed"):
            verdicts.append(True)  # "Is Toyota one of the top applicants?": every listed row is
        elif not frame.claims and frame.selector.kind in ("top", "rank", "last") and named:
            expected = {"top": [1], "last": [rows[-1].rank]}.get(frame.selector.kind, frame.selector.ranks)
            verdicts.append(row.rank in expected)
        for claim in frame.claims:
            if claim.unit == "rows" and len(frame.anchors) == 2:
                ends = [op.select_named(rows, a.value) for a in frame.anchors]
                if None not in ends:
                    low, high = sorted(e.rank for e in ends)  # type: ignore[union-attr]
                    verdicts.append(low < row.rank < high)
        if not frame.claims and not named and frame.selector.kind != "none":
            verdicts.append(True)  # "Is there a top applicant?"
        data = {"rows": [row_data(row)]}
        if not verdicts:
            return self._describe_rows(frame, c, table, chosen, rows)
        verdict = all(verdicts)
        text = say("org_verdict", yes=verdict_word(verdict), name=row.shown, rank_word=ordinal_word(row.rank),
                   table_plural=TABLE_PLURAL[table], cluster=c.shown, count=count_text(row.count or 0),
                   unit=UNIT[DOMAIN_OF[table]], share=share_text(row.share or 0))
        if frame.negated:
            text = text.split(". ", 1)[1]
        if not verdict and named:
            claimed_rank = next((int(cl.value) for cl in frame.claims if cl.unit == "ordinal"), None)
            if claimed_rank is None and frame.selector.kind == "top":
                claimed_rank = 1
            other = next((r for r in rows if r.rank == claimed_rank and r is not row), None)
            if other is not None:
                text += " " + say("claimed_is", position="top" if other.rank == 1 else ordinal_word(other.rank),
                                  table_noun=TABLE_NOUN[table], name=other.shown)
                # "Is ULB the second publisher?" - "No ... the second is UAntwerp" - "how many does that one have?"
                return Outcome(text, data={**data, "verdict": verdict}, rows=[row, other], focus=[other],
                               intent=f"verify.{table}")
        return Outcome(text, data={**data, "verdict": verdict}, rows=[row], focus=[row], intent=f"verify.{table}")

    def _compare(self, frame: Frame, c: ClusterProfile, table: str, chosen: list[Row], against: list[Row]) -> Outcome:
        against = [r for i, r in enumerate(against) if all(r is not o for o in against[:i])]
        sides = chosen + against
        if len(against) >= 2 and len(chosen) == 1 and "aggregate" in frame.ops:
            return self._one_against_sum(frame, c, table, chosen[0], against)
        if frame.operation == "aggregate" or (len(chosen) >= 2 and against):
            return self._sum_against(frame, c, table, chosen, against)
        sides = [r for i, r in enumerate(sides) if all(r is not o for o in sides[:i])]
        if len(sides) < 2:  # also a row set against itself ("it" read as the leader it is compared with)
            listed = op.table_rows(c, table)
            example = f'"{listed[0].shown} or {listed[1].shown}?"' if len(listed) >= 2 else ""
            return Outcome(say("compare_which_two", example=example), "clarify")
        a, b = sides[0], sides[1]
        unit = UNIT[DOMAIN_OF[table]]
        data = {"rows": [row_data(a), row_data(b)]}
        if frame.operation == "same":
            measure = "share" if "share" in frame.said else "count"
            va, vb = (a.share, b.share) if measure == "share" else (a.count, b.count)
            verdict = va == vb
            text = say("compare_equal", a=a.shown, b=b.shown, a_value=_row_value(a, measure), b_value=_row_value(b, measure),
                       unit=unit if measure == "count" else "share of the " + unit)
            if frame.yes_no:
                text = f"{verdict_word(verdict)}. {text}"
            return Outcome(text, data={**data, "verdict": verdict}, rows=[a, b], focus=[a, b], intent=f"verify.{table}.same")
        if frame.yes_no and len(against) > 1 and frame.operation in ("more", "less"):
            others = [r for r in sides if r is not a]
            more = frame.operation == "more"
            verdict = all(((a.count or 0) > (o.count or 0)) == more for o in others)
            text = say("compare_many", name=a.shown, count=count_text(a.count or 0), unit=unit,
                       others=join_names([f"{o.shown} ({count_text(o.count or 0)})" for o in others]))
            return Outcome(f"{verdict_word(verdict)}. {text}", data={**data, "verdict": verdict}, rows=sides, focus=[a],
                           intent=f"verify.{table}.compare")
        ratio_claims = [cl for cl in frame.claims if cl.unit == "ratio"]
        if frame.operation == "ratio" and "less" in frame.ops and not ratio_claims and (a.count or 0) < (b.count or 0):
            a, b = b, a  # "how many times fewer than KU Leuven is that?": how many times the other has as many
        if frame.operation == "ratio" and "share" in frame.said and "count" not in frame.said:
            value = op.ratio(a.share or 0, b.share or 0)
            text = say("compare_share_ratio", a=a.shown, b=b.shown, ratio=_ratio_text(value or 0), unit=unit,
                       a_share=share_text(a.share or 0), b_share=share_text(b.share or 0))
            if ratio_claims and value is not None:
                text = f"{verdict_word(all(op.holds(round(value, 2), cl) for cl in ratio_claims))}. {text}"
                text += _claimed_multiples(ratio_claims, b.share or 0, share_text)
            return Outcome(text, data={**data, "ratio": value}, rows=[a, b], focus=[a, b], intent=f"ratio.{table}.share")
        if frame.operation == "ratio":
            value = op.ratio(a.count or 0, b.count or 0)
            # the same ratio as a percentage ("in percentage terms", "as a percentage of AGFA's"): 27% more, 63% of
            relative = say("relative_more", pct=_percent_text(100 * ((value or 0) - 1))) if 1 <= (value or 0) < 2 else \
                say("relative_fewer", pct=_percent_text(100 * (value or 0)), b=b.shown) if (value or 0) < 1 else ""
            if "percent_of" in frame.ops:  # "AGFA is how many percent of Toyota?": the percentage, whichever is larger
                relative = say("relative_fewer", pct=_percent_text(100 * (value or 0)), b=b.shown)
            text = say("compare_ratio", a=a.shown, b=b.shown, verb_past=VERB_PAST[table], ratio=_ratio_text(value or 0),
                       unit=unit, a_count=count_text(a.count or 0), b_count=count_text(b.count or 0), relative=relative)
            if ratio_claims and value is not None:
                text = f"{verdict_word(all(op.holds(round(value, 2), cl) for cl in ratio_claims))}. {text}"
                text += _claimed_multiples(ratio_claims, b.count or 0, count_text)
            return Outcome(text, data={**data, "ratio": value}, rows=[a, b], focus=[a, b], intent=f"ratio.{table}")
        if "relative" in frame.said and frame.operation in ("difference", "more", "less"):
            # "by how much percent is KU Leuven R&D bigger than Toyota?": the gap in percent of the other's figure
            shares = "share" in frame.said and "count" not in frame.said
            va, vb = (a.share or 0, b.share or 0) if shares else (a.count or 0, b.count or 0)
            if vb:
                pct = 100.0 * (va - vb) / vb
                text = say("compare_relative", a=a.shown, a_value=share_text(va) if shares else count_text(va), b=b.shown,
                           b_value=share_text(vb) if shares else count_text(vb), pct=_percent_text(abs(pct)),
                           more="more" if pct >= 0 else "less", unit="share" if shares else unit)
                return Outcome(text, data={**data, "relative": round(pct, 2)}, rows=[a, b], focus=[a, b],
                               intent=f"compare.{table}.relative")
        if "points" in frame.said or "share" in frame.said and "count" not in frame.said:
            high, low = (a, b) if (a.share or 0) >= (b.share or 0) else (b, a)
            gap = (high.share or 0) - (low.share or 0)
            return Outcome(say("compare_shares", high=high.shown, high_share=share_text(high.share or 0), low=low.shown,
                               low_share=share_text(low.share or 0), gap=f"{gap:g}", unit=unit),
                           data=data, rows=[a, b], focus=[a, b], intent=f"compare.{table}.share")
        if "rank" in frame.said and frame.operation in ("more", "less") and frame.yes_no \
                and not any(cl.unit == "count" for cl in frame.claims):
            higher = a.rank < b.rank  # "Does Toyota rank below KU Leuven R&D?": a place claimed
            verdict = higher if frame.operation == "more" else not higher
            # "Toyota comes right after AGFA": the number of places between them is claimed too
            verdict = verdict and all(op.holds(abs(a.rank - b.rank), cl) for cl in frame.claims if cl.unit == "places")
            return Outcome(f"{verdict_word(verdict)}. " + say("compare_ranks", a=a.shown, b=b.shown, a_rank=ordinal_word(a.rank),
                                                              b_rank=ordinal_word(b.rank), gap=abs(a.rank - b.rank),
                                                              s="" if abs(a.rank - b.rank) == 1 else "s",
                                                              table_plural=TABLE_PLURAL[table]),
                           data={**data, "verdict": verdict}, rows=[a, b], focus=[a, b], intent=f"verify.{table}.rank")
        if "rank" in frame.said and frame.operation == "difference":
            gap = abs(a.rank - b.rank)
            text = say("compare_ranks", a=a.shown, b=b.shown, a_rank=ordinal_word(a.rank), b_rank=ordinal_word(b.rank),
                       gap=gap, s="" if gap == 1 else "s", table_plural=TABLE_PLURAL[table])
            place_claims = [cl for cl in frame.claims if cl.unit == "places"]
            if frame.yes_no and place_claims:  # "within 2 places of each other?"
                verdict = all(op.holds(gap, cl) for cl in place_claims)
                return Outcome(f"{verdict_word(verdict)}. {text}", data={**data, "verdict": verdict}, rows=[a, b], focus=[a, b],
                               intent=f"verify.{table}.rank")
            return Outcome(text, data=data, rows=[a, b], focus=[a, b], intent=f"compare.{table}.rank")
        diff = abs((a.count or 0) - (b.count or 0))
        count_claims = [cl for cl in frame.claims if cl.unit == "count"]
        if count_claims and frame.yes_no:  # "Is the gap between AGFA and KU Leuven R&D larger than 100?"
            verdict = all(op.holds(diff, cl) for cl in count_claims)
            if frame.operation in ("more", "less"):  # "AGFA is ahead of Toyota by 72": the direction is claimed too
                verdict = verdict and (((a.count or 0) > (b.count or 0)) == (frame.operation == "more"))
            text = say("compare_gap", a=a.shown, b=b.shown, diff=count_text(diff), unit=unit,
                       a_count=count_text(a.count or 0), b_count=count_text(b.count or 0))
            return Outcome(f"{verdict_word(verdict)}. {text}", data={**data, "difference": diff, "verdict": verdict},
                           rows=[a, b], focus=[a, b], intent=f"verify.{table}.difference")
        if a.count == b.count:
            return Outcome(say("compare_same", a=a.shown, b=b.shown, verb_past=VERB_PAST[table], unit=unit,
                               a_count=count_text(a.count or 0)), data=data, rows=[a, b], focus=[a, b], intent=f"compare.{table}")
        winner, loser = (a, b) if (a.count or 0) > (b.count or 0) else (b, a)
        template = "compare_which"
        if frame.choice and winner is b and not frame.wants:
            template, winner, loser = "compare_which_fewer", a, b  # "Does Toyota file more or fewer than X?": Toyota first
        text = say(template, winner=winner.shown, verb_present=VERB_PRESENT[table], unit=unit, cluster=c.shown,
                   w_count=count_text(winner.count or 0), l_count=count_text(loser.count or 0), loser=loser.shown,
                   diff=count_text(diff))
        if frame.yes_no and not frame.choice:
            claimed_more = frame.operation != "less"
            verdict = ((a.count or 0) > (b.count or 0)) == claimed_more
            text = f"{verdict_word(verdict)}. {text}"
        return Outcome(text, data={**data, "difference": diff}, rows=[a, b], focus=[a, b], intent=f"compare.{table}")

    def _same_value(self, frame: Frame, c: ClusterProfile, table: str, row: Row, rows: list[Row]) -> Outcome:
        """The other rows with the named row's count (or share, when a share is asked)."""
        measure = "share" if "share" in frame.said and "count" not in frame.said else "count"
        same = [r for r in rows if r is not row and getattr(r, measure) == getattr(row, measure)]
        value = share_text(row.share or 0) if measure == "share" else f"{count_text(row.count or 0)} {UNIT[DOMAIN_OF[table]]}"
        if not same:
            text = say("same_value_none", name=row.shown, value=value, table_plural=TABLE_PLURAL[table], cluster=c.shown)
        else:
            text = say("same_value", name=row.shown, value=value, others=join_names([r.shown for r in same]),
                       table_plural=TABLE_PLURAL[table], cluster=c.shown)
        return Outcome(text, data={"rows": [row_data(r) for r in same], measure: getattr(row, measure)}, rows=same,
                       focus=same or [row], intent=f"same.{table}.{measure}")

    def _closest_pair(self, frame: Frame, c: ClusterProfile, tables: list[str]) -> Outcome:
        """"Which two applicants are closest to each other in number of applications?": the two rows of a table whose
        counts (or shares, when asked) are nearest, and the gap between them."""
        shares = "share" in frame.said and "count" not in frame.said
        texts, rows, data = [], [], {}
        for table in tables:
            listed = op.table_rows(c, table)
            if len(listed) < 2:
                continue
            value = (lambda r: r.share or 0) if shares else (lambda r: r.count or 0)  # noqa: E731
            ordered = sorted(listed, key=value)
            a, b = min(zip(ordered, ordered[1:]), key=lambda pair: value(pair[1]) - value(pair[0]))
            high, low = (b, a) if value(b) >= value(a) else (a, b)
            gap = value(high) - value(low)
            shown = share_text if shares else count_text
            texts.append(say("closest_pair", cluster=c.shown, a=high.shown, a_value=shown(value(high)), b=low.shown, b_value=shown(value(low)),
                             table_plural=TABLE_PLURAL[table], gap=f"{gap:g}" if shares else count_text(gap),
                             unit=words()["gap_units"]["share"]["many"] if shares else UNIT[DOMAIN_OF[table]]))
            rows += [high, low]
            data["difference_points" if shares else "difference"] = gap
        if not texts:
            return Outcome("", "not_understood")
        return Outcome(" ".join(texts), data={"rows": [row_data(r) for r in rows], **data}, rows=rows, focus=rows,
                       intent="compare.closest_pair")

    def _shares_across_tables(self, frame: Frame, c: ClusterProfile, sides: list[tuple[Ref, list[str]]]) -> Outcome:
        """"How many points bigger is KU Leuven's share of articles than AGFA's share of patents?": shares of two
        tables compare in points (counts of different units do not)."""
        rows = [op.select_named(op.table_rows(c, ts[0]), ref.value) for ref, ts in sides]
        a, b = rows  # type: ignore[misc]
        if a is None or b is None:
            return Outcome("", "not_understood")
        if frame.operation == "ratio" and ("share" in frame.said or (b.count or 0) == 0):
            value = op.ratio(a.share or 0, b.share or 0) or 0.0  # "How many times bigger is KU Leuven's share than AGFA's?"
            text = say("ratio_shares_across", a=a.shown, a_share=share_text(a.share or 0), a_unit=UNIT[DOMAIN_OF[a.collection]],
                       b=b.shown, b_share=share_text(b.share or 0), b_unit=UNIT[DOMAIN_OF[b.collection]], ratio=_ratio_text(value))
            ratio_claims = [cl for cl in frame.claims if cl.unit == "ratio"]
            if ratio_claims:  # "Is KU Leuven's share of articles more than five times AGFA's share of patents?"
                text = f"{verdict_word(all(op.holds(round(value, 2), cl) for cl in ratio_claims))}. {text}"
                text += _claimed_multiples(ratio_claims, b.share or 0, share_text)
            return Outcome(text, data={"rows": [row_data(a), row_data(b)], "ratio": value}, rows=[a, b], focus=[a, b],
                           intent="ratio.tables.share")
        if frame.operation == "ratio":
            value = op.ratio(a.count or 0, b.count or 0) or 0.0  # "How many articles does KU Leuven publish for every one of AGFA's applications?"
            text = say("ratio_counts_across", a=a.shown, a_count=count_text(a.count or 0), a_unit=UNIT[DOMAIN_OF[a.collection]],
                       b=b.shown, b_count=count_text(b.count or 0), b_unit=UNIT[DOMAIN_OF[b.collection]], ratio=_ratio_text(value))
            return Outcome(text, data={"rows": [row_data(a), row_data(b)], "ratio": value}, rows=[a, b], focus=[a, b],
                           intent="ratio.tables")
        if "count" in frame.said and "share" not in frame.said and frame.operation in ("difference", "more", "less"):
            # "How many more articles did KU Leuven publish than KU Leuven R&D filed PCT applications?": as asked, in counts
            diff = (a.count or 0) - (b.count or 0)
            text = say("compare_counts_across", a=a.shown, a_count=count_text(a.count or 0), a_unit=UNIT[DOMAIN_OF[a.collection]],
                       b=b.shown, b_count=count_text(b.count or 0), b_unit=UNIT[DOMAIN_OF[b.collection]],
                       diff=count_text(abs(diff)), more="more" if diff >= 0 else "fewer")
            return Outcome(text, data={"rows": [row_data(a), row_data(b)], "difference": abs(diff)}, rows=[a, b], focus=[a, b],
                           intent="compare.tables.count")
        gap = abs((a.share or 0) - (b.share or 0))
        text = say("compare_shares_across", a=a.shown, a_share=share_text(a.share or 0), a_unit=UNIT[DOMAIN_OF[a.collection]],
                   b=b.shown, b_share=share_text(b.share or 0), b_unit=UNIT[DOMAIN_OF[b.collection]], gap=f"{gap:g}")
        return Outcome(text, data={"rows": [row_data(a), row_data(b)], "difference_points": gap}, rows=[a, b], focus=[a, b],
                       intent="compare.tables.share")

    def _one_against_sum(self, frame: Frame, c: ClusterProfile, table: str, row: Row, others: list[Row]) -> Outcome:
        """"Does AGFA file more than KU Leuven R&D and Toyota combined?": one row against the sum of others."""
        count, share, _ = op.aggregate(others)
        unit = UNIT[DOMAIN_OF[table]]
        if "share" in frame.said and "count" not in frame.said or "points" in frame.said:  # "by how many percentage points"
            gap = (row.share or 0) - share
            text = say("one_against_sum_share", name=row.shown, share=share_text(row.share or 0), unit=unit,
                       others=join_names([r.shown for r in others]), others_share=share_text(share), gap=f"{abs(gap):g}")
            if frame.yes_no:
                text = f"{verdict_word((gap > 0) == (frame.operation != 'less'))}. {text}"
            return Outcome(text, data={"rows": [row_data(r) for r in [row] + others], "difference_points": gap},
                           rows=[row] + others, focus=[row], intent=f"compare.{table}.sum.share")
        diff = (row.count or 0) - count
        text = say("one_against_sum", name=row.shown, count=count_text(row.count or 0), unit=unit,
                   others=join_names([r.shown for r in others]), others_count=count_text(count), diff=count_text(abs(diff)),
                   more="more" if diff >= 0 else "fewer")
        if frame.yes_no:
            text = f"{verdict_word((diff > 0) == (frame.operation != 'less'))}. {text}"
        return Outcome(text, data={"rows": [row_data(r) for r in [row] + others], "difference": diff},
                       rows=[row] + others, focus=[row], intent=f"compare.{table}.sum")

    def _sum_against(self, frame: Frame, c: ClusterProfile, table: str, chosen: list[Row], against: list[Row]) -> Outcome:
        count, share, _ = op.aggregate(chosen)
        other = against[0] if against else None
        unit = UNIT[DOMAIN_OF[table]]
        if other is None:
            return self._aggregate(frame, c, table, chosen)
        if "share" in frame.said and "count" not in frame.said:
            # "Do the article shares of UAntwerp and ULB added up beat KU Leuven's?": shares, in points
            gap = share - (other.share or 0)
            text = say("sum_against_share", rows=join_names([r.shown for r in chosen]), share=share_text(share), unit=unit,
                       other=other.shown, other_share=share_text(other.share or 0), gap=f"{abs(gap):g}")
            if frame.yes_no:
                text = f"{verdict_word((gap > 0) == (frame.operation != 'less'))}. {text}"
            return Outcome(text, data={"rows": [row_data(r) for r in chosen + [other]], "difference_points": gap},
                           rows=chosen + [other], focus=chosen, intent=f"compare.{table}.sum.share")
        diff = count - (other.count or 0)
        text = say("sum_against", rows=join_names([r.shown for r in chosen]), count=count_text(count), unit=unit,
                   other=other.shown, other_count=count_text(other.count or 0), diff=count_text(abs(diff)),
                   more="more" if diff >= 0 else "fewer")
        if frame.yes_no:
            verdict = (diff > 0) == (frame.operation != "less")
            text = f"{verdict_word(verdict)}. {text}"
        return Outcome(text, data={"rows": [row_data(r) for r in chosen + [other]], "difference": diff},
                       rows=chosen + [other], focus=chosen, intent=f"compare.{table}.sum")

    def _aggregate(self, frame: Frame, c: ClusterProfile, table: str, chosen: list[Row]) -> Outcome:
        count, share, (low, high) = op.aggregate(chosen)
        names = join_names([r.shown for r in chosen]) if len(chosen) < 3 or frame.refs else f"the top {len(chosen)} {TABLE_PLURAL[table]}"
        unit = UNIT[DOMAIN_OF[table]]
        data = {"rows": [row_data(r) for r in chosen], "count": count, "share": share}
        if frame.operation == "complement":
            return Outcome(say("combined_outside", rest=share_text(op.complement(share)), cluster=c.shown, unit=unit, rows=names,
                               share=share_text(share)), data={**data, "outside_share": op.complement(share)},
                           rows=chosen, focus=chosen, intent=f"complement.{table}")
        if frame.operation == "average" and "share" in frame.said and "count" not in frame.said:
            mean = share / len(chosen)  # "the average share held by each of the three listed applicants"
            return Outcome(say("combined_average_share", rows=names, average=f"{mean:.2f}".rstrip("0").rstrip("."),
                               unit=unit, cluster=c.shown, share=share_text(share)),
                           data={**data, "average_share": mean}, rows=chosen, focus=chosen, intent=f"average.{table}.share")
        if frame.operation == "average":
            return Outcome(say("combined_average", rows=names, average=f"{count / len(chosen):,.1f}".rstrip("0").rstrip("."),
                               unit=unit, cluster=c.shown, count=count_text(count)),
                           data=data, rows=chosen, focus=chosen, intent=f"average.{table}")
        values = dict(rows=names, verb_past=VERB_PAST[table], count=count_text(count), unit=unit, cluster=c.shown,
                      share=share_text(share), low=share_text(low), high=share_text(high))
        if "share" in frame.said and "count" not in frame.said and not any(cl.unit == "count" for cl in frame.claims):
            text = say("combined_share", **values)
        else:
            text = say("combined_both", **values)
        if frame.yes_no and frame.claims:
            verdicts = [op.holds(count if cl.unit == "count" else share, cl) for cl in frame.claims if cl.unit in ("count", "percent")]
            if verdicts:
                text = f"{verdict_word(all(verdicts))}. {text}"
        return Outcome(text, data=data, rows=chosen, focus=chosen, intent=f"aggregate.{table}")

    def _filter(self, c: ClusterProfile, table: str, rows: list[Row], limits: list[Claim]) -> Outcome:
        found = op.filter_rows(rows, limits)
        unit = UNIT[DOMAIN_OF[table]]
        limit = " and ".join(
            f"{words()['limit_share' if cl.unit == 'percent' else 'limit'][cl.relation]} "
            + (share_text(cl.value) if cl.unit == "percent" else f"{count_text(cl.value)} {unit}") for cl in limits)
        values = dict(n=len(rows), table_plural=TABLE_PLURAL[table], cluster=c.shown, limit=limit)
        if not found:
            listed = join_names([f"{r.shown} ({count_text(r.count or 0)}, {share_text(r.share or 0)})" for r in rows])
            return Outcome(say("rows_meeting_none", has=words()["have"]["one"], listed=listed, **values),
                           data={"rows": [row_data(r) for r in rows]}, rows=rows, focus=[], intent=f"filter.{table}")
        shown = join_names([f"{r.shown} ({count_text(r.count or 0)}, {share_text(r.share or 0)})" for r in found])
        return Outcome(say("rows_meeting", rows=shown, have=words()["have"]["one" if len(found) == 1 else "many"], **values),
                       data={"rows": [row_data(r) for r in found]}, rows=found, focus=found, intent=f"filter.{table}")

    def _part_of_sum(self, frame: Frame, c: ClusterProfile, table: str, row: Row, group: list[Row]) -> Outcome:
        part = op.part_of(row, group)
        if part is None:
            return refuse(say("no_total", cluster=c.shown))
        total = sum(r.count or 0 for r in group)
        text = say("part_of_sum", name=row.shown, count=count_text(row.count or 0), unit=UNIT[DOMAIN_OF[table]],
                   part=f"{part:.1f}%", total=count_text(total), rows=join_names([r.shown for r in group]),
                   verb_past=VERB_PAST[table])
        claims = [cl for cl in frame.claims if cl.unit == "percent"]
        if frame.yes_no and claims:
            text = f"{verdict_word(all(op.holds(round(part, 1), cl) for cl in claims))}. {text}"
        return Outcome(text, data={"rows": [row_data(r) for r in group], "part": round(part, 2), "count": total},
                       rows=group, focus=[row], intent=f"part.{table}")

    def _estimate_from_rows(self, c: ClusterProfile, table: str, group: list[Row]) -> Outcome:
        """The cluster's total implied by several rows: their exact sum over the sum of their rounded shares (each
        share may be off by half a point, so the range widens with every row)."""
        count = sum(r.count or 0 for r in group)
        share = sum(r.share or 0 for r in group)
        slack = 0.5 * len(group)
        if share - slack <= 0:
            return refuse(say("no_total", cluster=c.shown))
        value = count / (share / 100)
        text = say("implied_rows", rows=join_names([r.shown for r in group]), count=count_text(count), unit=UNIT[DOMAIN_OF[table]],
                   share=share_text(share), value=_about(value), low=count_text(math.ceil(count / ((share + slack) / 100))),
                   high=count_text(math.floor(count / ((share - slack) / 100))))
        return Outcome(text, data={"rows": [row_data(r) for r in group], "implied_total": round(value)}, rows=group, focus=[],
                       intent=f"estimate.{table}.rows")

    def _estimate(self, c: ClusterProfile, table: str, row: Row) -> Outcome:
        total = op.estimate_total(row)
        if total is None:
            return refuse(say("no_total", cluster=c.shown))
        text = say("implied", name=row.shown, count=count_text(row.count or 0), unit=UNIT[DOMAIN_OF[table]],
                   share=share_text(row.share or 0), value=_about(total.value), low=count_text(total.low),
                   high=count_text(total.high))
        return Outcome(text, data={"rows": [row_data(row)], "implied_total": round(total.value)}, rows=[row], focus=[],
                       intent=f"estimate.{table}")

    def _rows_across_clusters(self, frame: Frame, tables: list[str]) -> Outcome | None:
        """"Does Shell file more PCT applications than Bayer?": two named rows, each listed in one loaded cluster only,
        of tables of one kind; None unless the names settle both rows."""
        sides = [r for r in frame.refs + frame.against if r.kind == "organization"]
        if len(sides) != 2 or frame.selector.kind not in ("none", "top"):
            return None
        found = []
        for ref in sides:
            hits = [h for h in self.kb.find_organization(ref.value) if h.table in tables]
            if len({(h.cluster.id, h.table) for h in hits}) != 1:
                return None
            found.append(hits[0])
        if found[0].table != found[1].table or found[0].cluster.id == found[1].cluster.id:
            return None
        rows = [op.select_named(op.table_rows(h.cluster, h.table), h.row.name) for h in found]
        if None in rows:
            return None
        (a, ca), (b, cb) = [(r, h.cluster) for r, h in zip(rows, found)]  # type: ignore[misc]
        if "share" in frame.said and "count" not in frame.said:
            gap = (a.share or 0) - (b.share or 0)  # "the larger share of its own cluster's patents, Bayer or AGFA?"
            text = say("shares_elsewhere", a=a.shown, a_cluster=ca.shown, a_share=share_text(a.share or 0),
                       b=b.shown, b_cluster=cb.shown, b_share=share_text(b.share or 0), unit=UNIT[DOMAIN_OF[found[0].table]],
                       gap=f"{abs(gap):g}")
            if frame.yes_no:
                text = f"{verdict_word((gap > 0) == (frame.operation != 'less'))}. {text}"
            return Outcome(text, data={"rows": [row_data(a), row_data(b)], "difference_points": gap}, rows=[a, b], focus=[a, b],
                           intent=f"compare.{found[0].table}.clusters.share")
        diff = (a.count or 0) - (b.count or 0)
        text = say("against_elsewhere", rows=a.shown, together="", cluster=ca.shown, count=count_text(a.count or 0),
                   unit=UNIT[DOMAIN_OF[found[0].table]], other=b.shown, other_cluster=cb.shown, other_count=count_text(b.count or 0),
                   diff=count_text(abs(diff)), more="more" if diff >= 0 else "fewer")
        if frame.yes_no:
            text = f"{verdict_word((diff > 0) == (frame.operation != 'less'))}. {text}"
        rows = [a, b]
        return Outcome(text, data={"rows": [row_data(r) for r in rows], "difference": diff}, rows=rows, focus=rows,
                       intent=f"compare.{found[0].table}.clusters")

    def _against_elsewhere(self, frame: Frame, c: ClusterProfile, tables: list[str], ref: Ref) -> Outcome:
        """"Do Cologne's three top publishers together publish more than CNRS alone?": rows of this cluster against a
        row of another loaded cluster's table of the same kind (counts of one unit compare across clusters)."""
        hits = [h for h in self.kb.find_organization(ref.value) if h.table in tables]
        if not hits:
            return self._org_elsewhere(ref, c)
        hit = hits[0]
        rows = op.table_rows(c, hit.table)
        mine = [r for r in (op.select_named(rows, x.value) for x, ts in organizations_in(self.kb, c, frame.refs) if hit.table in ts)
                if r is not None]
        chosen = self._select(frame, rows, mine, c, hit.table)
        if isinstance(chosen, Outcome):
            return chosen
        other = op.table_rows(hit.cluster, hit.table)
        theirs = next((r for r in other if name_key(r.name) == name_key(hit.row.name)), None)
        if not chosen or theirs is None:
            return self._org_elsewhere(ref, c)
        count = sum(r.count or 0 for r in chosen)
        diff = count - (theirs.count or 0)
        text = say("against_elsewhere", rows=join_names([r.shown for r in chosen]), together=" together" if len(chosen) > 1 else "",
                   cluster=c.shown, count=count_text(count), unit=UNIT[DOMAIN_OF[hit.table]], other=theirs.shown,
                   other_cluster=hit.cluster.shown, other_count=count_text(theirs.count or 0), diff=count_text(abs(diff)),
                   more="more" if diff >= 0 else "fewer")
        if frame.yes_no:
            text = f"{verdict_word((diff > 0) == (frame.operation != 'less'))}. {text}"
        return Outcome(text, data={"rows": [row_data(r) for r in chosen + [theirs]], "difference": diff},
                       rows=chosen + [theirs], focus=chosen, intent=f"compare.{hit.table}.clusters")

    def _claims_per_cluster(self, frame: Frame, clusters: list[str]) -> Outcome | None:
        """"So AGFA leads Brussels–Antwerp's applicants and Bayer leads Cologne's?": each organization's claim checked in
        the cluster named that lists it; one verdict for all."""
        orgs = [r for r in frame.refs if r.kind == "organization"]
        texts, verdicts, rows = [], [], []
        for cluster in clusters:
            mine = [r for r in orgs if any(h.cluster.id == cluster for h in self.kb.find_organization(r.value))]
            if not mine:
                continue
            probe = frame.copy()
            probe.subject, probe.collection = cluster, None
            probe.refs = mine
            outcome = self.run(probe)
            if outcome.data.get("verdict") is None:
                return None
            verdicts.append(bool(outcome.data["verdict"]))
            texts.append(without_verdict(outcome.text))
            rows += outcome.rows
        if not verdicts or sum(1 for r in orgs if any(h.cluster.id in clusters for h in self.kb.find_organization(r.value))) < len(orgs):
            return None
        return Outcome(f"{verdict_word(all(verdicts))}. " + " ".join(texts), data={"rows": [row_data(r) for r in rows],
                       "verdict": all(verdicts)}, rows=rows, focus=rows, intent="verify.clusters.rows")

    def _org_elsewhere(self, ref: Ref, c: ClusterProfile, frame: Frame | None = None) -> Outcome:
        hits = self.kb.find_organization(ref.value)
        where = join_names(sorted({h.cluster.shown for h in hits}))
        shown = hits[0].row.shown if hits else ref.value
        if frame is not None and frame.yes_no and hits and not frame.negated:
            # "Shell is Cologne's top applicant, right?": not among Cologne's listed rows, so No, with Cologne's own
            table = hits[0].table
            top = op.table_rows(c, table)[0]
            text = say("org_other_cluster_no", name=shown, cluster=c.shown, where=where, table_plural=TABLE_PLURAL[table],
                       table_noun=TABLE_NOUN[table], top=top.shown)
            return Outcome(f"{verdict_word(False)}. {text}", data={"rows": [row_data(top)], "verdict": False}, rows=[top],
                           focus=[top], intent=f"verify.{table}.elsewhere")
        return refuse(say("org_other_cluster", name=shown, cluster=c.shown, where=where or "no cluster"))

    def _wrong_table(self, ref: Ref, c: ClusterProfile, wanted: str, frame: Frame) -> Outcome:
        hit = next(h for h in self.kb.find_organization(ref.value) if h.cluster.id == c.id)
        other = hit.table
        if frame.yes_no:
            text = say("org_wrong_table_no", name=hit.row.shown, table_plural=TABLE_PLURAL[wanted], cluster=c.shown,
                       rank_word=ordinal_word(hit.row.rank), other_plural=TABLE_PLURAL[other])
            claimed = next((int(cl.value) for cl in frame.claims if cl.unit == "ordinal"), 1 if frame.selector.kind == "top" else None)
            rows = op.table_rows(c, wanted)
            if claimed is not None and claimed <= len(rows):
                text += " " + say("claimed_is", position="top" if claimed == 1 else ordinal_word(claimed),
                                  table_noun=TABLE_NOUN[wanted], name=rows[claimed - 1].shown)
            return Outcome(text,
                           data={"rows": [row_data(Row(other, hit.row.rank, hit.row.name, hit.row.shown, hit.row.count, hit.row.share))]})
        similar = _similar_row(hit.row.shown, op.table_rows(c, wanted))
        if similar is not None:  # "How many PCT applications did KU Leuven file?": K.U. Leuven R&D is the applicant
            text = say("org_similar_answer", name=hit.row.shown, other_plural=TABLE_PLURAL[other], table_plural=TABLE_PLURAL[wanted],
                       similar=similar.shown, rank_word=ordinal_word(similar.rank), count=count_text(similar.count or 0),
                       unit=UNIT[DOMAIN_OF[wanted]], share=share_text(similar.share or 0))
            return Outcome(text, data={"rows": [row_data(similar)]}, rows=[similar], focus=[similar],
                           intent=f"lookup.{wanted}.similar")
        return refuse(say("org_wrong_table", unit=UNIT[DOMAIN_OF[wanted]], name=hit.row.shown, table_plural=TABLE_PLURAL[wanted],
                          cluster=c.shown, other_plural=TABLE_PLURAL[other]), organization=hit.row.name)

    # -- partner locations ------------------------------------------------------------------------
    def _partners(self, frame: Frame, c: ClusterProfile, collection: str) -> Outcome:
        lists = [collection] if collection in PARTNER_LISTS else list(PARTNER_LISTS)
        rows = {name: op.table_rows(c, name) for name in PARTNER_LISTS}
        places = [r for r in frame.refs if r.kind == "location"] + [r for r in frame.refs if r.kind == "cluster" and r.value != c.id]
        lacking_place = frame.lacking.get("place")
        if places and frame.yes_no and frame.operation == "intersect" and "membership" in frame.said and not lacking_place:
            # "Paris is the only location that appears on both lists?": the places in both, set against those named
            both = op.intersect(rows["patent_partners"], rows["article_partners"])
            verdict = {r.name for r in both} == {p.value for p in places}
            text = f"{verdict_word(verdict)}. " + (say("collab_both", places=join_names([r.shown for r in both]), cluster=c.shown,
                                                      n=len(both)) if both else
                                                  say("collab_none_both", cluster=c.shown,
                                                      patents=join_names([r.shown for r in rows["patent_partners"]]),
                                                      articles=join_names([r.shown for r in rows["article_partners"]])))
            return Outcome(text, rows=both, focus=both, data={"rows": [row_data(r) for r in both], "verdict": verdict},
                           intent="verify.partners.only")
        if places or lacking_place:
            return self._partner_membership(frame, c, lists, rows, places, lacking_place)
        if frame.operation in ("intersect",) or (frame.operation == "" and "intersect" in frame.said):
            both = op.intersect(rows["patent_partners"], rows["article_partners"])
            if both:
                return Outcome(say("collab_both", places=join_names([r.shown for r in both]), cluster=c.shown, n=len(both)),
                               rows=both, focus=both, data={"rows": [row_data(r) for r in both], "count": len(both)},
                               intent="intersect.partners")
            return Outcome(say("collab_none_both", cluster=c.shown, patents=join_names([r.shown for r in rows["patent_partners"]]),
                               articles=join_names([r.shown for r in rows["article_partners"]])), intent="intersect.partners")
        if frame.operation == "union" or (frame.operation == "aggregate" and "count" in frame.said and len(lists) == 2):
            names: list[Row] = []
            for name in PARTNER_LISTS:
                names += [r for r in rows[name] if r.name not in {n.name for n in names}]
            return Outcome(say("collab_union", n=len(names), cluster=c.shown, places=join_names([r.shown for r in names])),
                           data={"rows": [row_data(r) for r in names], "count": len(names)}, rows=names, focus=names,
                           intent="union.partners")
        if frame.operation == "exclusive":  # "Which places are only in one of the two lists?": each with its list
            only = [(r, name) for name in PARTNER_LISTS for r in op.missing(rows[name], rows[other_list(name)])]
            if not only:
                return Outcome(say("collab_exclusive_none", cluster=c.shown), intent="exclusive.partners")
            places = join_names([f"{r.shown} ({PARTNER_UNIT[name]} only)" for r, name in only])
            shown = [r for r, _ in only]
            return Outcome(say("collab_exclusive", places=places, cluster=c.shown, n=len(only)), rows=shown, focus=shown,
                           data={"rows": [row_data(r) for r in shown], "count": len(only)}, intent="exclusive.partners")
        if frame.operation == "missing":
            source = lists[0] if len(lists) == 1 else ("article_partners" if frame.first_domain == "articles" else "patent_partners")
            target = other_list(source)
            gone = op.missing(rows[source], rows[target])
            if not gone:
                return Outcome(say("collab_missing_none", cluster=c.shown, source=PARTNER_UNIT[source], target=PARTNER_UNIT[target]))
            return Outcome(say("collab_missing", places=join_names([r.shown for r in gone]), verb="is" if len(gone) == 1 else "are",
                               cluster=c.shown, source=PARTNER_UNIT[source], target=PARTNER_UNIT[target]), rows=gone, focus=gone,
                           data={"rows": [row_data(r) for r in gone]}, intent="missing.partners")
        if frame.yes_no and len(lists) == 2 and frame.selector.kind in ("rank", "top", "last") and not frame.plural:
            # "Is the number one patent partner also the number one article partner?": the same place at that position?
            picked = [op.select_rank(rows[name], frame.selector.ranks) if frame.selector.kind == "rank" else
                      rows[name][:1] if frame.selector.kind == "top" else rows[name][-1:] for name in lists]
            if all(picked):
                same = name_key(picked[0][0].name) == name_key(picked[1][0].name)
                texts = [say("collab_nth", cluster=c.shown, position=ordinal_word(p[0].rank) if p[0].rank > 1 else "top",
                             unit=PARTNER_UNIT[name], place=p[0].shown) for name, p in zip(lists, picked)]
                shown = [p[0] for p in picked]
                return Outcome(f"{verdict_word(same)}. " + " ".join(texts), data={"rows": [row_data(r) for r in shown], "verdict": same},
                               rows=shown, focus=shown, intent="verify.partners.same")
        texts, shown, data_rows = [], [], []
        for name in lists:
            listed = rows[name]
            if frame.selector.kind == "rank":
                picked = op.select_rank(listed, frame.selector.ranks)
                if not picked:
                    texts.append(say("collab_beyond", n=len(listed), cluster=c.shown, unit=PARTNER_UNIT[name]))
                    continue
                texts.append(say("collab_nth", cluster=c.shown, position=ordinal_word(picked[0].rank), unit=PARTNER_UNIT[name],
                                 place=picked[0].shown))
                shown += picked
            elif frame.selector.kind in ("top",) and not frame.plural:
                texts.append(say("collab_nth", cluster=c.shown, position="top", unit=PARTNER_UNIT[name], place=listed[0].shown))
                shown.append(listed[0])
            elif frame.selector.kind == "last":
                texts.append(say("collab_nth", cluster=c.shown, position="last listed", unit=PARTNER_UNIT[name],
                                 place=listed[-1].shown))
                shown.append(listed[-1])
            elif "count" in frame.said and not frame.plural is False:
                texts.append(say("collab_count_places", n=len(listed), cluster=c.shown, unit=PARTNER_UNIT[name],
                                 places=join_names([r.shown for r in listed])))
                shown += listed
            else:
                texts.append(say("collab_places", cluster=c.shown, unit=PARTNER_UNIT[name], places=join_names([r.shown for r in listed])))
                shown += listed
        data_rows = [row_data(r) for r in shown]
        if texts and not shown:
            return refuse(" ".join(texts), rows=[])  # "and the fourth?": beyond every list asked about
        return Outcome(" ".join(texts), data={"rows": data_rows}, rows=shown, focus=shown, intent="list.partners")

    def _partner_membership(self, frame: Frame, c: ClusterProfile, lists: list[str], rows: dict[str, list[Row]],
                            places: list[Ref], lacking_place: str | None) -> Outcome:
        names = [(p.text or p.value, p.value) for p in places]
        if lacking_place:
            names.append((lacking_place, lacking_place))
        texts, focus, verdicts = [], [], []
        partial = False
        claimed_rank = next((int(cl.value) for cl in frame.claims if cl.unit == "ordinal"), None)
        if claimed_rank is None and frame.selector.kind == "rank" and frame.yes_no:
            claimed_rank = frame.selector.ranks[0]
        if frame.selector.kind == "top" and frame.yes_no and claimed_rank is None and not frame.plural \
                and frame.selector.kind != "listed":
            claimed_rank = 1  # "Is Gent the top partner?"; "among the top partners" claims only a place in the list
        ranks_of = {cl.row: int(cl.value) for cl in frame.claims if cl.unit == "ordinal" and cl.row}
        unbound = next((int(cl.value) for cl in frame.claims if cl.unit == "ordinal" and not cl.row), None)
        if ranks_of and unbound is None and frame.selector.kind == "top" and frame.yes_no:
            unbound = 1  # "Amsterdam–Rotterdam is the top one and Gent is third": the top is the other place's
        for typed, value in names:
            display = self._place_display(value)
            if ranks_of:
                claimed_rank = ranks_of.get(value, unbound)
            inside, outside = [], []
            for name in lists:
                found = op.select_named(rows[name], value)
                (inside if found else outside).append((name, found))
            for name, found in inside:
                focus.append(found)
            same_place = "same" in frame.ops and len(lists) == 2 and "rank" in frame.said
            if frame.choice and len(inside) == 2:  # "ranked higher for patents or for articles?": which list, no Yes/No
                (name_a, row_a), (name_b, row_b) = sorted(inside, key=lambda pair: pair[1].rank)
                if row_a.rank == row_b.rank:
                    texts.append(say("collab_same_place", place=display, cluster=c.shown, rank=ordinal_word(row_a.rank)))
                else:
                    texts.append(say("collab_better_list", place=display, cluster=c.shown, unit=PARTNER_UNIT[name_a],
                                     rank=ordinal_word(row_a.rank), other_unit=PARTNER_UNIT[name_b],
                                     other_rank=ordinal_word(row_b.rank)))
                continue
            if frame.choice and len(inside) == 1 and len(lists) == 2:  # in one list only: that one, no Yes/No
                (name_a, row_a), (name_b, _) = inside[0], outside[0]
                texts.append(say("collab_one_list", place=display, cluster=c.shown, unit=PARTNER_UNIT[name_a],
                                 rank=ordinal_word(row_a.rank), other_unit=PARTNER_UNIT[name_b]))
                continue
            if frame.yes_no and same_place:  # "Is Gent in the same place in both lists?": its two ranks, one against the other
                verdicts.append(len(inside) == 2 and inside[0][1].rank == inside[1][1].rank)
            elif frame.yes_no:
                if claimed_rank is not None:
                    holding = [f for _, f in inside if f.rank == claimed_rank]
                    verdicts.append(bool(inside) and len(holding) == len(inside) and not outside)
                    partial = partial or (bool(holding) and len(holding) < len(lists))
                elif frame.domain is None and len(lists) == 2 and "intersect" not in frame.ops:
                    verdicts.append(bool(inside))  # "Does it collaborate with Cologne on anything?": in either list
                else:
                    verdicts.append(bool(inside) and not outside)
                    partial = partial or (bool(inside) and bool(outside))
            if inside:
                rank_text = join_names([f"{ordinal_word(f.rank)} for {PARTNER_UNIT[n]}" for n, f in inside])
                text = say("collab_member_ranks", place=display, cluster=c.shown, where=rank_text)
                if outside:
                    text += " " + say("collab_not_in", place=display, unit=join_names([PARTNER_UNIT[n] for n, _ in outside]),
                                      places=join_names([r.shown for n, _ in outside for r in rows[n]]))
            else:
                text = say("collab_member_no", place=display, cluster=c.shown, unit=join_names([PARTNER_UNIT[n] for n, _ in outside]),
                           places="; ".join(join_names([r.shown for r in rows[n]]) for n, _ in outside))
                if not frame.yes_no:
                    text = f"{verdict_word(False)}. {text}"  # "And Cologne is on the article list as well?": a no all the same
            texts.append(text)
        if frame.yes_no and claimed_rank is not None and verdicts and not all(verdicts):
            for name in lists:
                holder = next((r for r in rows[name] if r.rank == claimed_rank), None)
                if holder is not None:  # "Is Paris the top collaborator for articles?" - no: Amsterdam–Rotterdam is
                    texts.append(say("collab_nth", cluster=c.shown, position="top" if claimed_rank == 1 else ordinal_word(claimed_rank),
                                     unit=PARTNER_UNIT[name], place=holder.shown))
        text = " ".join(texts)
        if verdicts:
            text = f"{verdict_word(all(verdicts))}. {text}"
        if partial and not all(verdicts) and frame.domain != "both" and frame.operation != "intersect":
            # "Is Gent the top partner?" holds for one table of two; "... for both patents and articles?" is a No
            text = f"{words_partly()}. " + text.split(". ", 1)[1]
        data: dict[str, Any] = {"rows": [row_data(r) for r in focus]}
        if verdicts:
            data["verdict"] = all(verdicts)
        return Outcome(text, data=data, rows=focus, focus=focus, intent="verify.partners")

    def _place_display(self, value: str) -> str:
        cluster = self.kb.cluster(value)
        if cluster is not None:
            return cluster.shown
        hits = self.kb.find_location(value)
        return hits[0].location.shown if hits else value

    def _organization_clusters(self, frame: Frame) -> Outcome:
        """"Which cluster is AGFA in?": every loaded cluster whose tables list it."""
        ref = next(r for r in frame.refs if r.kind == "organization")
        hits = self.kb.find_organization(ref.value)
        where = join_names([f"{h.cluster.shown} ({ordinal_word(h.row.rank)} among its {TABLE_PLURAL[h.table]})" for h in hits])
        text = say("org_clusters", name=hits[0].row.shown, where=where)
        if any(m in frame.said for m in ("count", "share")):
            for cluster in dict.fromkeys(h.cluster.id for h in hits):  # "Bayer has how many, and in which cluster is it?"
                probe = frame.copy()
                probe.wants, probe.subject, probe.collection, probe.refers = None, cluster, None, False
                figures = self.run(probe)
                if figures.status == "answered":
                    text += " " + figures.text
        return Outcome(text, data={"clusters": sorted({h.cluster.name for h in hits})}, intent="lookup.organization.clusters")

    # -- an economy's clusters -----------------------------------------------------------------------
    def _economy(self, frame: Frame) -> Outcome:
        economy = next(r.value for r in frame.refs if r.kind == "economy")
        clusters = self.kb.clusters_of_economy(economy)
        if not clusters:
            return refuse(say("economy_missing", economy=economy, covered=join_names([c.shown for c in self.kb.clusters])))
        first = clusters[0]
        membership = first.membership
        data = {"economy": economy, "clusters": [c.name for c in clusters]}
        if membership.kind == "only" and len(clusters) == 1:
            count_claims = [cl for cl in frame.claims if cl.unit == "count"]
            if frame.yes_no:
                verdict = all(op.holds(1, cl) for cl in count_claims) if count_claims else "membership" in frame.said
                template = "economy_only_yes" if verdict else "economy_only_no_other"
            else:
                template = "economy_only"
            return Outcome(say(template, cluster=first.shown, economy=economy, edition=first.edition), data={**data, "count": 1},
                           intent="lookup.economy.clusters")
        places = [r for r in frame.refs if r.kind == "location"] + [{"value": p} for p in [frame.lacking.get("place")] if p]
        if membership.count and places:
            # "Is Eindhoven one of the three Dutch clusters?": the profile counts the economy's clusters, naming only ours
            place = places[0].value if isinstance(places[0], Ref) else places[0]["value"]
            return refuse(say("economy_unnamed", economy=economy, count=membership.count, clusters=join_names([c.shown for c in clusters]),
                              place=place), **data)
        if membership.count and frame.selector.kind == "other" and "count" not in frame.said:
            # "Name the other German clusters that made the top 100": only their number is in the profile
            return refuse(say("economy_others_unnamed", economy=economy, count=membership.count,
                              clusters=join_names([c.shown for c in clusters])), **data)
        if membership.count and ("count" in frame.said or frame.yes_no):
            text = say("economy_count", economy=economy, count=membership.count, s="" if membership.count == 1 else "s",
                       edition=first.edition, sentence=membership.sentence)
            count_claims = [cl for cl in frame.claims if cl.unit == "count"]
            if frame.yes_no and count_claims:  # "Amsterdam–Rotterdam is one of 4 Dutch clusters, correct?"
                verdict = all(op.holds(membership.count, cl) for cl in count_claims)
                return Outcome(f"{verdict_word(verdict)}. {text}", data={**data, "count": membership.count, "verdict": verdict},
                               intent="verify.economy.clusters")
            return Outcome(text, data={**data, "count": membership.count}, intent="lookup.economy.clusters")
        text = say("economy_loaded", economy=economy, clusters=join_names([c.shown for c in clusters]))
        return Outcome(text + (" " + membership.sentence if membership.kind != "other" else ""), data=data,
                       intent="list.economy.clusters")

    def _cluster_rows(self, frame: Frame, a: ClusterProfile, b: ClusterProfile) -> Outcome:
        """The rows at one place of two clusters' tables, side by side."""
        table = "publishers" if frame.domain == "articles" else "applicants"
        rank = frame.selector.ranks[0] if frame.selector.kind == "rank" and frame.selector.ranks else 1
        picked = [next((r for r in op.table_rows(c, table) if r.rank == rank), None) for c in (a, b)]
        if None in picked:
            return refuse(say("beyond_table", n=3, table_plural=TABLE_PLURAL[table], cluster=a.shown, position=ordinal_word(rank)))
        ra, rb = picked  # type: ignore[misc]
        gap = abs((ra.count or 0) - (rb.count or 0))
        text = say("cluster_rows_compare", a_cluster=a.shown, b_cluster=b.shown, position="top" if rank == 1 else ordinal_word(rank),
                   table_noun=TABLE_NOUN[table], a_name=ra.shown, b_name=rb.shown, verb_past=VERB_PAST[table],
                   a_count=count_text(ra.count or 0), b_count=count_text(rb.count or 0), unit=UNIT[DOMAIN_OF[table]],
                   gap=count_text(gap))
        return Outcome(text, data={"rows": [row_data(ra), row_data(rb)], "gap": gap}, rows=[ra, rb], focus=[ra, rb],
                       intent=f"compare.clusters.{table}")

    # -- all clusters -----------------------------------------------------------------------------
    def _clusters(self, frame: Frame) -> Outcome:
        """The loaded clusters set side by side by one measure: two compared, the best or worst, all ranked."""
        clusters = self.kb.clusters
        named = [self.kb.cluster(r.value) for r in frame.refs + frame.against if r.kind == "cluster"]
        named = [c for i, c in enumerate(named) if c is not None and all(c.id != o.id for o in named[:i] if o is not None)]
        measure = _cluster_measure(frame)
        value = (lambda c: _cluster_measure_value(c, measure))
        shown = (lambda c: ordinal(int(value(c))) if measure.startswith("rank") else
                 share_text(value(c)) if measure.endswith("collaboration") else count_text(value(c)))
        lower_is_better = measure.startswith("rank")
        ranked = sorted(clusters, key=lambda c: value(c) if lower_is_better else -value(c))
        ranking = [{"cluster": c.name, measure: value(c)} for c in ranked]
        cluster_figure = any(m in frame.said for m in ("per_million", "size", "intensity", "collab", "ranks"))
        if frame.operation == "average" and cluster_figure:
            group = named if len(named) >= 2 else clusters  # "the average per million across the four loaded clusters"
            mean = sum(value(c) for c in group) / len(group)
            shown_mean = f"{mean:,.1f}".rstrip("0").rstrip(".") + ("%" if measure.endswith("collaboration") else "")
            listed = join_names([f"{c.shown} ({shown(c)})" for c in group])
            return Outcome(say("clusters_average", n=len(group), measure=_MEASURE_NAMES[measure], clusters=listed, mean=shown_mean),
                           data={"measure": measure, "average": mean, "ranking": ranking}, intent="clusters.average")
        if len(named) >= 2 and (frame.wants == "organization" or frame.noun == "organization") and not cluster_figure:
            return self._cluster_rows(frame, named[0], named[1])  # "whose top applicant filed more, Cologne's or Paris's?"
        if len(named) >= 2:
            a, b = named[:2]
            data = {"measure": measure, "a": a.name, "b": b.name, "ranking": ranking}
            text = say("compare_clusters", measure=_MEASURE_NAMES[measure], a=a.shown, b=b.shown, a_value=shown(a), b_value=shown(b))
            gap = abs(value(a) - value(b))
            if frame.operation == "ratio" and not lower_is_better and value(b):
                ratio = value(a) / value(b)  # "How many times as many PCT applications per million does Paris have?"
                text += " " + say("clusters_ratio", a=a.shown, b=b.shown, ratio=_ratio_text(ratio))
                data["ratio"] = ratio
            elif frame.operation in ("difference", "ratio", "compare") or "points" in frame.said \
                    or frame.yes_no and frame.operation in ("more", "less"):  # "is that more than Cologne?": and by how much
                kind = "rank" if lower_is_better else "share" if measure.endswith("collaboration") else ""
                unit = words()["gap_units"][kind]["one" if gap == 1 else "many"] if kind else _MEASURE_NAMES[measure]
                text += " " + say("clusters_gap", gap=f"{gap:,g}", unit=unit)
                data["gap"] = gap
            if not frame.yes_no and frame.operation in ("more", "less") and value(a) != value(b) and "gap" not in data:
                # "which of the two has more PCT applications per million?": the one that has, and by how much
                a_more = (value(a) < value(b)) if lower_is_better else (value(a) > value(b))
                winner = a if a_more == (frame.operation == "more") else b
                kind = "rank" if lower_is_better else "share" if measure.endswith("collaboration") else ""
                unit = words()["gap_units"][kind]["one" if gap == 1 else "many"] if kind else _MEASURE_NAMES[measure]
                text += " " + say(f"clusters_winner_{frame.operation}", cluster=winner.shown, gap=f"{gap:,g}", unit=unit)
                data["gap"] = gap
            if frame.yes_no and frame.operation in ("more", "less"):
                better = (value(a) < value(b)) if lower_is_better else (value(a) > value(b))
                verdict = better if frame.operation == "more" else not better and value(a) != value(b)
                text = f"{verdict_word(verdict)}. {text}"
                data["verdict"] = verdict
            return Outcome(text, data=data, intent="compare.clusters")
        names = join_names([c.shown for c in clusters])
        if (frame.plural or frame.cluster_word == "plural" or frame.operation == "list") and (frame.wants == "cluster" or frame.cluster_word) \
                and frame.selector.kind not in ("top", "last") \
                and (frame.said or frame.operation == "list"):
            listed = join_names([f"{c.shown} ({shown(c)})" for c in ranked])
            return Outcome(say("clusters_ranked", n=len(ranked), measure=_MEASURE_NAMES[measure], clusters=listed),
                           data={"measure": measure, "ranking": ranking}, intent="clusters.ranked")
        if frame.selector.kind in ("top", "last") or frame.said:
            pick = ranked[-1] if frame.selector.kind == "last" else ranked[0]
            if len(ranked) == 1:
                return Outcome(say("best_cluster_one", cluster=pick.shown, value=shown(pick), measure=_MEASURE_NAMES[measure]),
                               "no_data", data={"measure": measure}, intent="clusters.best")
            template = "worst_cluster" if frame.selector.kind == "last" else "best_cluster"
            return Outcome(say(template, n=len(ranked), cluster=pick.shown, measure=_MEASURE_NAMES[measure], value=shown(pick)),
                           data={"measure": measure, "ranking": ranking}, intent="clusters.best")
        return Outcome(say("clusters_loaded", n=len(clusters), s="" if len(clusters) == 1 else "s", clusters=names,
                           edition=self.kb.edition), data={"clusters": [c.name for c in clusters]}, intent="clusters.list")


def _cluster_measure(frame: Frame) -> str:
    """Which of a cluster's figures a question about several clusters sets side by side."""
    said, patents = frame.said, frame.domain != "articles"
    if "collab" in said:
        return "patent_collaboration" if frame.domain != "articles" else "article_collaboration"
    if "intensity" in said:
        return "rank_intensity"
    if "per_million" in said or frame.domain in ("patents", "articles") and "size" not in said and "rank" not in said:
        return "pct_per_million" if patents else "articles_per_million"
    return "rank_size"


def _cluster_measure_value(c: ClusterProfile, measure: str) -> float:
    if measure.endswith("collaboration"):
        return float(getattr(c, measure).share)
    return float(getattr(c, measure))


class _MeasureNames:
    """The names of the clusters' measures in replies (replies.yaml `words.measure_names`)."""

    def __getitem__(self, measure: str) -> str:
        return words()["measure_names"][measure]


_MEASURE_NAMES = _MeasureNames()


def _domains(frame: Frame) -> list[str]:
    if frame.domain == "both" or frame.domain is None:
        return ["patents", "articles"]
    return [frame.domain]


def cluster_value(c: ClusterProfile, measure: str, domain: str | None) -> Any:
    """One of a cluster's own figures by measure (and domain, for the per-million figures and collaboration shares)."""
    if measure == "rank_size":
        return c.rank_size
    if measure == "rank_intensity":
        return c.rank_intensity
    if measure == "per_million":
        return c.pct_per_million if domain == "patents" else c.articles_per_million
    if measure == "collab_share":
        return c.collaboration(domain).share  # type: ignore[arg-type]
    if measure == "economy":
        return c.economies
    if measure in ("membership", "others"):
        return c.membership.kind
    if measure == "period":
        return c.edition
    return None


def _claims_of_rows(frame: Frame, rows: list[Row]) -> list[tuple[Row, Claim]]:
    """Each named row with the value claimed right after it ("AGFA's share is 6% and Toyota's 4%"): as many count or
    share claims as rows, each written after its row and before the next; else none (one claim of them together)."""
    claims = [cl for cl in frame.claims if cl.unit in ("count", "percent")]
    refs = [r for r in frame.refs if r.kind == "organization"]
    if len(claims) != len(rows) or len(refs) != len(rows) or len(claims) != len(frame.claims):
        return []
    if len({(cl.relation, cl.value, cl.unit, cl.text) for cl in claims}) == 1:
        return list(zip(rows, claims))  # "both have a 4% share": one value claimed of each
    text = matching_form(frame.text)
    order = []
    for kind, items in (("row", [r.text for r in refs]), ("claim", [cl.text for cl in claims])):
        start = 0
        for index, typed in enumerate(items):  # each found after the one before it: "4% and 4%" are two places
            where = text.find(matching_form(typed), start) if typed else -1
            if where < 0:
                return []
            order.append((where, kind, index))
            start = where + len(typed)
    order.sort()
    if [kind for _, kind, _ in order] != ["row", "claim"] * len(rows):
        return []
    by_name = {name_key(r.name): r for r in rows}
    paired = []
    for (_, _, ref_index), (_, _, claim_index) in zip(order[::2], order[1::2]):
        row = by_name.get(name_key(refs[ref_index].value))
        if row is None:
            return []
        paired.append((row, claims[claim_index]))
    return paired


def other_list(name: str) -> str:
    return "article_partners" if name == "patent_partners" else "patent_partners"


def _claim_fits(claim: Claim, measure: str) -> bool:
    """Which of a cluster's measures a claimed value is about: the one it was said of, else by its unit."""
    if claim.measure is not None and measure.startswith("rank") and measure != f"rank_{claim.measure}":
        return False
    if measure.startswith("rank"):
        return claim.unit in ("ordinal", "top_n") or claim.unit == "count" and claim.value <= 200
    if measure == "per_million":
        return claim.unit == "count"
    if measure == "collab_share":
        return claim.unit == "percent"
    return False


def _similar_row(name: str, rows: list[Row]) -> Row | None:
    """A row of the other table whose name shares a distinctive word (not "university", "of"): "KU Leuven" and
    "K.U. Leuven Research & Development"."""
    from knowledge.normalize import name_key

    common = {"university", "of", "the", "de", "and", "research", "development", "nv", "sa", "ku", "k", "u"}
    words = set(name_key(name).split()) - common
    matches = [r for r in rows if words & (set(name_key(r.shown).split()) - common)]
    return matches[0] if len(matches) == 1 else None


def _about(value: float) -> str:
    """An estimate to ten, and as computed: "27,780 (27,784 as computed)"."""
    rounded, exact = round(value, -1), round(value)
    return count_text(rounded) if rounded == exact else f"{count_text(rounded)} ({count_text(exact)} as computed)"


def _row_value(row: Row, measure: str) -> str:
    return share_text(row.share or 0) if measure == "share" else count_text(row.count or 0)


def _done(domain: str | None) -> str:
    return "filed" if domain == "patents" else "published"


def _fmt(measure: str, value: float) -> str:
    return share_text(value) if measure == "collab_share" else count_text(value)


def _claimed_multiples(claims: list[Claim], other: float, shown: Any) -> str:
    """" 3 times 3,125 would be 9,375.": the multiple a ratio claim names, worked out, so the verdict can be checked."""
    return "".join(" " + say("claimed_multiple", n=f"{cl.value:g}", other=shown(other), product=shown(round(cl.value * other, 2)))
                   for cl in claims if cl.unit == "ratio")


def _percent_text(value: float) -> str:
    """27.24 -> "27.2", 63.0 -> "63": one decimal at most."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _ratio_text(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")
