"""Whole clusters and economies: where a cluster is, an economy's clusters, overviews, superlatives, comparisons."""
from __future__ import annotations

from intents.claims import holds, relation
from intents.pipeline import token_view
from knowledge.models import ClusterProfile
from knowledge.normalize import name_key
from intents.answers.base import (
    Ask, Reply, answer, count_text, covered, join_names, no_data, ordinal, say,
)


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
