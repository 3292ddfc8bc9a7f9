"""Settle a frame against the schema: which collection and measures it asks about, which operation.

The reader wrote down what was said; here each slot gets its schema meaning. A word read two ways
("place": a rank or a partner location; "largest": size or the top row) takes the reading the
rest of the frame makes valid. Nothing here weighs evidence: a slot is filled by what was said,
else by what the schema allows with the other slots, else it stays empty (and dialogue or a
question back fills it).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from intents.frame import Claim, Frame, Ref, Selector
from knowledge.base import KnowledgeBase
from knowledge.models import ClusterProfile
from knowledge.schema import Schema

CLUSTER_MEASURES = ("rank", "size", "intensity", "per_million", "collab", "economy", "membership", "period",
                    "population")
ROW_MEASURES = ("count", "share", "rank")


@dataclass
class Decision:
    """What to do with a frame: run it (`query`), refuse (`refuse`, with a reason), talk, or ask back."""

    kind: str  # query | refuse | talk | clarify | not_understood
    reason: str = ""
    detail: dict[str, str] = field(default_factory=dict)


def settle_ambiguous(frame: Frame) -> None:
    """Give each word that reads two ways the reading the rest of the frame makes valid.

    "Where" asks for a partner location only in a question about collaboration (the profiles have
    no other locations); elsewhere it asks for a position ("Where does ULB rank?") or for where the
    cluster lies."""
    if frame.wants == "location" and frame.operation == "aggregate" and "collab" not in frame.said:
        frame.said.append("collab")  # "with which city do they do most patents together?": places relate only so
        frame.operation = ""
    for entry in frame.ambiguous:
        if entry == "where":
            if "collab" in frame.said or frame.noun == "location" or frame.operation in ("intersect", "missing"):
                frame.wants = "location"
            elif not frame.said:
                frame.said.append("rank" if any(r.kind == "organization" for r in frame.refs) or frame.cluster_word
                                  else "economy")
        elif entry in ("place_word", "places_word"):
            if "collab" in frame.said or frame.wants == "location":
                frame.wants = frame.wants or "location"
                frame.plural = frame.plural or entry == "places_word"
            elif "rank" not in frame.said:
                frame.said.append("rank")
        elif entry == "big" and ("share" in frame.said or "collab" in frame.said or "per_million" in frame.said):
            continue  # "how big is the part ... in collaboration": how large, not the largest
        elif entry == "big":
            about_rows = ((frame.wants or frame.noun) in ("organization", "location") or any(r.kind == "organization" for r in frame.refs)
                          or frame.selector.kind not in ("none",) and frame.wants != "cluster"
                          or (frame.domain and not frame.cluster_word and "per_million" not in frame.said))
            if about_rows and "size" not in frame.said and "rank" not in frame.said:
                if frame.selector.kind == "none":
                    frame.selector = Selector("top")
            elif "size" not in frame.said:
                frame.said.append("size")
                if frame.wants == "cluster" and frame.selector.kind in ("none", "listed") and not frame.yes_no:
                    frame.selector = Selector("top")  # "Among the clusters in your data, which one is the largest?"
                if frame.cluster_word and not frame.wants and not frame.yes_no and not frame.refs and not frame.operation \
                        and not (frame.possessive or frame.refers) and frame.said == ["size"]:
                    frame.wants, frame.selector = "cluster", Selector("top")  # "what is the biggest cluster?": of those loaded
    frame.ambiguous = []


def organizations_in(kb: KnowledgeBase, cluster: ClusterProfile | None, refs: list[Ref]) -> list[tuple[Ref, list[str]]]:
    """Each organization ref with the tables it is in, in this cluster."""
    found = []
    for ref in refs:
        if ref.kind != "organization":
            continue
        tables = [h.table for h in kb.find_organization(ref.value) if cluster is None or h.cluster.id == cluster.id]
        found.append((ref, tables))
    return found


def collection_of(frame: Frame, kb: KnowledgeBase, schema: Schema, cluster: ClusterProfile | None) -> str | None:
    """The collection a frame asks about: from the rows it names first, then from what it asks for.

    In order: named organizations fix their table; named partner places, or a collaboration question
    asking where/with whom/which ones, the partner lists; an economy asked about as such, its
    clusters; "which cluster(s)", the loaded clusters; a question for rows (who, the second, the top
    three, the rest) a table; a measure of the cluster itself, the cluster. None when nothing says.
    """
    domains = ["patents", "articles"] if frame.domain == "both" else [frame.domain] if frame.domain else []
    kind = frame.wants or frame.noun
    if frame.operation == "ahead" and not any(r.kind in ("organization", "location") for r in frame.refs + frame.against):
        return "clusters"  # "How many clusters are bigger than Brussels–Antwerp?": those ranked above it
    orgs = organizations_in(kb, cluster, frame.refs + frame.anchors + frame.against)
    if orgs and frame.wants == "cluster":
        return "organization_clusters"  # "Which cluster is AGFA in?"
    clusters_named = sum(r.kind == "cluster" for r in frame.refs + frame.against)
    if frame.wants == "cluster" and clusters_named >= 2 or (
            clusters_named >= 2 and frame.operation in ("compare", "more", "less", "difference", "ratio", "average")
            and ("collab" not in frame.said or "share" in frame.said)):
        return "clusters_all"  # "compare Fennimore Vale and Quillhaven–Marrowby by size", "is A bigger than B?"
    if frame.wants == "cluster" and not clusters_named and not orgs and "collab" in frame.said and "share" in frame.said:
        return "clusters_all"  # "which cluster files the largest share of its PCT applications in collaboration?"
    if orgs:
        tables = [t for _, ts in orgs for t in ts]
        wanted = [schema.organizations(d) for d in domains]
        if len(wanted) == 2 and {"applicants", "publishers"} <= set(tables):
            return "tables"  # "AGFA's ... and KU Leuven's articles": each in its own table
        for table in wanted:
            if table in tables:
                return table
        if len(wanted) == 1:
            return wanted[0]  # named in the other table: the executor says so
        return tables[0] if tables else None
    if any(r.kind == "rank" for r in frame.against + frame.refs) and domains:
        return schema.organizations(domains[0]) if len(domains) == 1 else "tables"
    cluster_measure = any(m in frame.said for m in ("rank", "ranks", "size", "intensity", "per_million", "membership", "others",
                                                     "economy", "period", "population"))
    locations = any(r.kind == "location" for r in frame.refs + frame.anchors + frame.against)
    collab = "collab" in frame.said
    if collab and "share" in frame.said and not locations and kind != "location":
        return "clusters"  # "the collaboration share of its articles, in percent of all": the cluster's own measure
    share_asked = ("share" in frame.said or frame.claims and any(c.unit == "percent" for c in frame.claims)) and not locations
    partner_question = collab and not share_asked and (
        kind in ("location", "organization") or locations or frame.selector.kind != "none"
        or frame.operation in ("list", "intersect", "missing", "exclusive") or frame.plural or frame.cluster_word == "plural")
    economy_first = any(r.kind == "economy" for r in frame.refs) and frame.cluster_word == "plural" and not collab
    # "What is Gent's rank for patents?": a cluster ranks by size and intensity, a place for one kind of output in a list
    ranked_for_output = locations and "rank" in frame.said and bool(domains) and not any(
        m in frame.said for m in ("size", "intensity", "per_million", "ranks", "population"))
    partner_question = partner_question or ranked_for_output
    if not economy_first and (locations and (collab or kind == "location" or frame.yes_no or frame.fragment or frame.refers)) or partner_question \
            or (kind == "location" and not cluster_measure and not (share_asked and frame.yes_no)):
        return schema.locations(domains[0]) if len(domains) == 1 else "partners"
    economies = [r for r in frame.refs if r.kind == "economy"]
    if economies and frame.cluster_word == "plural" and "count" in frame.said and not collab and kind != "organization":
        return "economy"  # "According to the Cologne profile, how many German clusters are in the top 100?"
    if economies and frame.cluster_word == "plural" and any(c.unit == "count" for c in frame.claims):
        return "economy"  # "There are two Belgian clusters in the top 100, Brussels–Antwerp and Gent, right?"
    if economies and not any(r.kind == "cluster" for r in frame.refs) and not (collab or cluster_measure and "membership" not in frame.said
                                                                                and "others" not in frame.said) \
            and (frame.cluster_word == "plural" or "membership" in frame.said or "count" in frame.said and not domains
                 or any(c.unit == "count" for c in frame.claims) and frame.cluster_word
                 or "others" in frame.said or frame.wants == "cluster"):
        return "economy"
    ranked = any(m in frame.said for m in ("size", "intensity", "ranks", "per_million"))
    if frame.wants == "cluster" or (frame.cluster_word == "plural" and not frame.refs and not frame.claims and not collab
                                    and kind != "organization" and not ("membership" in frame.said or "others" in frame.said)
                                    and (frame.operation in ("list", "average") or "count" in frame.said
                                         # "size rank of each cluster?", "the size ranks of all loaded clusters"
                                         or ranked and not frame.operation and frame.selector.kind in ("all", "none"))):
        return "clusters_all"
    row_words = kind in ("organization", "location") or any(r.kind in ("organization", "location") for r in frame.refs)
    relative_ok = bool(frame.anchors or any(r.kind in ("organization", "location") for r in frame.refs)) or frame.fragment \
        or frame.refers  # "the next train": nothing to be next to
    picks_rows = frame.selector.kind in ("rank", "top_n", "last_n", "between", "other", "former", "latter") or (
        frame.selector.kind in ("prev", "next", "above", "below") and relative_ok) or frame.selector.kind == "listed" and row_words or (
        frame.selector.kind in ("top", "last", "all") and (kind or domains))  # "the best restaurant": no rows of ours
    rows_asked = (kind == "organization" or picks_rows
                  or frame.operation in ("aggregate", "average", "complement") and not collab)
    if rows_asked and not (cluster_measure and kind != "organization" and frame.selector.kind in ("none", "top")
                           and not frame.plural):
        if len(domains) == 1:
            return schema.organizations(domains[0])
        return "tables"
    if cluster_measure or collab or frame.operation == "describe" or any(r.kind == "cluster" for r in frame.refs) \
            or any(c.unit == "top_n" for c in frame.claims):
        return "clusters"
    if domains and ("total" in frame.said or frame.operation in ("estimate", "aggregate")
                    or "count" in frame.said and (frame.cluster_word or any(r.kind == "cluster" for r in frame.refs))):
        return "clusters"  # "how many PCT applications does the cluster have": only an estimate exists
    return None


def measures_of(frame: Frame, collection: str, schema: Schema) -> list[str]:
    """The schema measures a frame asks for in its collection."""
    said = frame.said
    if collection == "clusters":
        found: list[str] = []
        if "size" in said or "ranks" in said or ("rank" in said and "intensity" not in said):
            found.append("rank_size")
        if ("intensity" in said and "rank_intensity" not in found and "per_million" not in found
                or "ranks" in said and "size" not in said) and ("per_million" not in said or "ranks" in said):
            found.append("rank_intensity")
        if "per_million" in said:
            found.append("per_million")
        if "collab" in said:
            found.append("collab_share")
        for measure in ("economy", "membership", "others", "period", "population"):
            if measure in said and not (measure == "economy" and ("membership" in said or "others" in said)):
                found.append(measure)
        if "population" in found and len(found) > 1:
            found.remove("population")  # "scaled by population, i.e. by intensity": the intensity is asked
        if not found and frame.claims and all(c.unit == "ordinal" for c in frame.claims):
            found.append("rank_size")
        if not found and any(c.unit == "top_n" for c in frame.claims):
            found.append("rank_size")
        return found
    if collection in ("applicants", "publishers", "tables"):
        found = [m for m in ROW_MEASURES if m in said or "figures" in said or m == "share" and "points" in said]
        for claim in frame.claims:
            implied = {"count": "count", "percent": "share", "ordinal": "rank", "top_n": "rank"}.get(claim.unit)
            if implied and implied not in found and not (implied == "count" and "share" in found):
                found.append(implied)
        return found
    return ["position"]
