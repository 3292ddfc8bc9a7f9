"""Ranks by size and intensity, and the figures per million inhabitants."""
from __future__ import annotations

from intents.claims import holds, relation, top_n
from intents.matcher import Question
from intents.pipeline import cues_of, token_view
from intents.answers.base import (
    Ask, Reply, answer, count_text, ordinal, say,
)


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
    continued_pair = ask.frame.intent == "rank" and q.has("MORE") and len(rankings) == 1 and not q.has("SIZE", "INTENSITY")
    if not q.yes_no and (q.has("RANKINGS_PAIR", "THE_TWO", "MORE", "COUNT") or q.choice) and not claims and limit is None \
            and (len(rankings) == 2 or q.has("THE_TWO") or continued_pair):
        # "Which of the two rankings is better?", "higher by size or by intensity, and by how many places?"
        better, worse = ("size", "intensity") if values["size"] <= values["intensity"] else ("intensity", "size")
        gap = abs(values["size"] - values["intensity"])
        text = say("rank_pair", cluster=cluster.shown, better=better, worse=worse, better_rank=ordinal(values[better]),
                   worse_rank=ordinal(values[worse]), gap=gap, s="" if gap == 1 else "s")
        data.update(rank_size=values["size"], rank_intensity=values["intensity"])
        return ask.reply(text, data=data, ranking=better)
    if q.yes_no and len(rankings) == 1 and ask.frame.ranking and ask.frame.ranking != rankings[0] and q.has("MORE") \
            and not claims and limit is None:
        rankings = [ask.frame.ranking, rankings[0]]  # "Is that better than its size rank?" after the intensity rank
    if q.yes_no and len(rankings) == 2 and q.has("MORE") and not claims and limit is None:
        better = any(w in ("better", "higher", "above", "ahead") for w in q.cue_words.get("MORE", []))
        worse = any(w in ("worse", "lower", "below", "behind") for w in q.cue_words.get("MORE", []))
        if better or worse:  # "Is it ranked better by size than by intensity?" (the first named)
            first = rankings[0] if ask.frame.ranking == rankings[0] and not q.has("INTENSITY") or not q.has("SIZE") else \
                ("intensity" if _first_said_ranking(q) == "intensity" else "size")
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
