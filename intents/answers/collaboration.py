"""Collaboration: the shares filed or published with others, and the partner locations."""
from __future__ import annotations

import re

from typing import Any

from intents.claims import holds, membership, negated, relation, relation_words
from intents.matcher import Question
from intents.pipeline import cues_of
from knowledge.base import KnowledgeBase, implied_total
from knowledge.normalize import name_key
from intents.answers.base import (
    TABLE_OF_MEASURE, count_text,
    Ask, COLLAB_UNIT, LESS_WORDS, Reply, answer, join_names, no_data, ordinal_word, say,
    share_text,
)


@answer("collaboration_share")
def collaboration_share(ask: Ask) -> Reply:
    cluster = ask.cluster
    assert cluster is not None
    measures = ask.measures() or ["patents", "articles"]
    q = ask.question
    limit = ask.threshold() if q.yes_no else None
    texts, data = [], {"cluster": cluster.name}
    if q.has("COUNT") and not q.has("SHARE") and not q.yes_no:
        # "Roughly how many PCT applications were filed in collaboration?": the share of the implied total
        for measure in measures:
            row = cluster.table(TABLE_OF_MEASURE[measure]).rows[0]
            estimate = implied_total(row.count, row.share)
            if estimate is None:
                continue
            share = cluster.collaboration(measure).share
            value = round(estimate.value * share / 100, -1)
            texts.append(say("collab_count_estimate", value=count_text(value), unit=COLLAB_UNIT[measure], cluster=cluster.shown,
                             share=share_text(share), total=count_text(round(estimate.value, -1)),
                             done="filed" if measure == "patents" else "published"))
            data[f"{measure}_collaborative_estimate"] = value
        if texts:
            return ask.reply(" ".join(texts), data=data, measure=measures[-1] if len(measures) == 1 else None)
    if q.yes_no and len(measures) == 2 and q.has("MORE") and limit is None:
        first = _first_said_measure(q)  # "Are articles more collaborative than patents?"
        other = "patents" if first == "articles" else "articles"
        a_share, b_share = cluster.collaboration(first).share, cluster.collaboration(other).share
        fewer = any(w in LESS_WORDS for w in q.cue_words.get("MORE", []))
        claim = a_share < b_share if fewer else a_share > b_share
        texts.append("Yes." if claim else "No.")
    if not q.yes_no and q.has("MORE") and (len(measures) == 2 or ask.frame.intent == "collaboration_share"):
        patents, articles = cluster.patent_collaboration.share, cluster.article_collaboration.share
        return ask.reply(say("collab_share_gap", cluster=cluster.shown, articles=share_text(articles), patents=share_text(patents),
                             gap=f"{abs(articles - patents):g}"), data={**data, "patents_collaboration_share": patents,
                                                                     "articles_collaboration_share": articles})
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
    if q.yes_no:  # "Is Cologne also a partner for articles?": not among the partners the profile lists
        return ask.reply(say("collab_member_no", place=place, cluster=cluster.shown, unit=units, places=listed), data=data, **frame)
    return ask.reply(say("collab_not_top", place=place, cluster=cluster.shown, unit=units, places=listed), data=data, **frame)


@answer("collaboration_both")
def collaboration_both(ask: Ask) -> Reply:
    cluster = ask.cluster
    assert cluster is not None
    if ask.question.has("ORG_WORD", "ORG_PLURAL") and not ask.question.has("LOCATION_WORD", "COLLAB"):
        return _organizations_in_both(ask)  # "Which organizations appear in both lists?": the two tables
    if ask.question.has("MISSING"):
        return _missing_from_other_list(ask)  # "Which article partner is missing from the patent list?"
    patents = cluster.patent_collaboration.locations
    articles = {name_key(n) for loc in cluster.article_collaboration.locations for n in KnowledgeBase.names_of(loc)}
    common = [loc.shown for loc in patents if {name_key(n) for n in KnowledgeBase.names_of(loc)} & articles]
    data = {"cluster": cluster.name, "common": common}
    if not common:
        return ask.reply(say("collab_none_both", cluster=cluster.shown,
                             patents=join_names([l.shown for l in patents]),
                             articles=join_names([l.shown for l in cluster.article_collaboration.locations])), data=data)
    return ask.reply(say("collab_both", places=join_names(common), cluster=cluster.shown), data=data)


def _missing_from_other_list(ask: Ask) -> Reply:
    cluster = ask.cluster
    assert cluster is not None
    source = _first_said_measure(ask.question) if ask.question.has("PATENT", "ARTICLE") else "articles"
    target = "patents" if source == "articles" else "articles"
    others = {name_key(n) for loc in cluster.collaboration(target).locations for n in KnowledgeBase.names_of(loc)}
    missing = [loc.shown for loc in cluster.collaboration(source).locations
               if not {name_key(n) for n in KnowledgeBase.names_of(loc)} & others]
    data = {"cluster": cluster.name, "missing": missing, "from": source, "not_in": target}
    if not missing:
        return ask.reply(say("collab_missing_none", cluster=cluster.shown, source=COLLAB_UNIT[source], target=COLLAB_UNIT[target]), data=data)
    return ask.reply(say("collab_missing", places=join_names(missing), verb="is" if len(missing) == 1 else "are",
                         cluster=cluster.shown, source=COLLAB_UNIT[source], target=COLLAB_UNIT[target]), data=data)


def _organizations_in_both(ask: Ask) -> Reply:
    cluster = ask.cluster
    assert cluster is not None
    publishers = {name_key(n) for row in cluster.top_publishers.rows for n in KnowledgeBase.names_of(row)}
    common = [row.shown for row in cluster.top_applicants.rows
              if {name_key(n) for n in KnowledgeBase.names_of(row)} & publishers]
    if common:
        return ask.reply(say("orgs_both", names=join_names(common), cluster=cluster.shown), data={"common": common})
    return ask.reply(say("orgs_none_both", cluster=cluster.shown), data={"common": []})
