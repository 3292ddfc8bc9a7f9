"""What the profiles do not give (fields, other years, attributes, reasons, definitions), and small talk."""
from __future__ import annotations

from typing import Callable

from intents.answers.base import (
    Ask, Reply, TABLE_PLURAL, UNIT, answer, count_text, covered, no_data, say,
)


# Refusals that are one template about the cluster: intent (and template) -> what the profile lacks.
TEMPLATE_REFUSALS = {
    "unavailable_fields": "technology fields",
    "unavailable_time": "other editions",
    "unavailable_reason": "reasons",  # "Why is AGFA the top applicant?": figures, not their causes
}


def _template_refusal(template: str, missing: str) -> Callable[[Ask], Reply]:
    def refuse(ask: Ask) -> Reply:
        cluster = ask.cluster
        assert cluster is not None
        return no_data(ask, say(template, cluster=cluster.shown, edition=cluster.edition), missing=missing)
    return refuse


for _intent, _missing in TEMPLATE_REFUSALS.items():
    answer(_intent)(_template_refusal(_intent, _missing))


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
