"""Behaviour of the understanding layer: what the bot answers, refuses and asks back.

The knowledge is the bundled Brussels–Antwerp profile (GII 2024). Every question below is our own
phrasing (typos included), not the public eval set's. Tests assert on facts — the numbers and
names that must appear, the wrong ones that must not — and on status and intent, never on the
exact sentence, so rewording a reply template does not break them.

A test marked xfail(strict=True) documents a question the bot gets wrong today; when the matcher
is fixed it turns into an XPASS failure, a reminder to remove the mark.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Iterable

import pytest

from bot import Answer, Answerer
from knowledge.loader import BUNDLED_DIR
from knowledge.normalize import strip_accents

ROOT = Path(__file__).resolve().parent.parent
PROFILES = Path(__file__).resolve().parent / "profiles_intents"
STATUSES = {"answered", "clarify", "no_data", "not_understood"}

# Figures of the profile that must never appear in a reply that states no fact.
PROFILE_NUMBERS = ["53", "58", "712", "6444", "195", "126", "123", "8613", "3125", "2456", "34%", "72%"]
ORGANIZATIONS = ["AGFA", "K.U. Leuven Research", "Toyota", "KU Leuven", "University of Antwerp", "Universite libre"]


# The kinds of reading the tests ask for, as patterns over the Answer's intent (operation.collection.measure).
READINGS = {
    "rank": r"^(lookup|verify|compare)\.(rank|rank_size|rank_intensity)\b|\.rank$",
    "per_million": r"\bper_million\b",
    "top_organization": r"^(lookup|list|verify)\.(applicants|publishers|tables)(\.name|\.above|\.below)?$|^list\.",
    "organization_fact": r"^(lookup|verify)\.(applicants|publishers)\.",
    "compare_organizations": r"^(compare|ratio|verify)\.(applicants|publishers)",
    "combined": r"^(aggregate|complement|average)\.",
    "implied_total": r"^estimate\.",
    "collaboration_share": r"collab_share",
    "collaboration_places": r"^(list|verify)\.partners",
    "collaboration_both": r"^intersect\.partners",
    "economy_of_cluster": r"\beconomy\b",
    "economy_clusters": r"\beconomy\.clusters",
    "overview": r"^describe\.",
    "best_cluster": r"^clusters\.best",
    "compare_clusters": r"^compare\.clusters",
    "organization_clusters": r"^lookup\.organization\.clusters",
    "greeting": r"^talk\.greeting",
    "thanks": r"^talk\.(thanks|bye)",
    "help": r"^talk\.help",
}


# -- helpers ------------------------------------------------------------------------------------

def norm(text: str) -> str:
    """Case, accents, dashes and thousands separators do not matter when looking for a fact."""
    text = strip_accents(text).lower()
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    return re.sub(r"(?<=\d),(?=\d{3})", "", text)


def contains(text: str, fact: str) -> bool:
    """`fact` appears in `text`; a bare number must be a whole number there (53 is not in 535)."""
    haystack, needle = norm(text), norm(fact)
    if re.fullmatch(r"\d+", needle):
        return re.search(rf"(?<![\d.]){needle}(?![\d])", haystack) is not None
    return needle in haystack


def check(answer: Answer, *, must: Iterable[str] = (), must_not: Iterable[str] = (), status: str = "answered",
          intent: str | None = None, starts: str | None = None) -> None:
    """One reply against what it must and must not say."""
    text = answer.text
    assert answer.status == status, f"status {answer.status!r} (intent {answer.intent!r}): {text}"
    if intent is not None:
        # The intent names the operation and what it was about ("lookup.applicants.count"); a question asking
        # several things joins its parts with "+". Each reading these tests name is a pattern over those parts.
        parts = (answer.intent or "").split("+")
        assert any(re.search(READINGS[intent], part) for part in parts), f"intent {answer.intent!r}, wanted {intent}: {text}"
    for fact in must:
        assert contains(text, fact), f"{fact!r} missing from: {text}"
    for fact in must_not:
        assert not contains(text, fact), f"{fact!r} should not be in: {text}"
    if starts is not None:
        assert norm(text).startswith(norm(starts)), f"should start with {starts!r}: {text}"


def states_no_fact(answer: Answer) -> None:
    for fact in PROFILE_NUMBERS + ORGANIZATIONS:
        assert not contains(answer.text, fact), f"{fact!r} stated in a refusal: {answer.text}"


def bot_bug(reason: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(reason=f"bot: {reason}", strict=True)


def case(question: str, *must: str, must_not: tuple[str, ...] = (), marks: tuple = ()) -> object:
    return pytest.param(question, list(must), list(must_not), id=question[:60], marks=marks)


@pytest.fixture(scope="module")
def answerer() -> Answerer:
    return Answerer()


@pytest.fixture()
def session() -> str:
    return f"test-{uuid.uuid4().hex}"


def ask(answerer: Answerer, question: str, session: str | None = None) -> Answer:
    return answerer.ask(question, session=session or f"one-{uuid.uuid4().hex}")


# -- ranks --------------------------------------------------------------------------------------

RANK_BY_SIZE = [
    case("whats the size rank of brussels antwerp?", "53"),
    case("where does brusels-antwerpen sit in the ranking by size", "53"),
    case("Brussels–Antwerp: what place does it take among the largest clusters?", "53"),
    case("how large is the Brussels Antwerp cluster, rank-wise?", "53"),
    case("Brussels-Antwerp rank by sise pls", "53"),
    case("what number is brussels–antwerp in the biggest S&T clusters list", "53"),
]


@pytest.mark.parametrize("question,must,must_not", RANK_BY_SIZE)
def test_should_give_the_rank_by_size_when_asked_in_many_ways(answerer, question, must, must_not):
    check(ask(answerer, question), must=must, must_not=["58", *must_not], intent="rank")


RANK_BY_INTENSITY = [
    case("Brussels-Antwerp position by intensty?", "58"),
    case("how high does brussels antwerp rank for intensity", "58"),
    case("what's brussels antwerp's rank relative to population density?", "58"),
    case("where is Brusels–Antwerp in the intensity ranking", "58"),
    case("intensity rank of Antwerp please", "58"),
    case("how does Bruxelles–Anvers stand on S&T intensity?", "58"),
]


@pytest.mark.parametrize("question,must,must_not", RANK_BY_INTENSITY)
def test_should_give_the_rank_by_intensity_when_asked_in_many_ways(answerer, question, must, must_not):
    check(ask(answerer, question), must=must, must_not=["53", *must_not], intent="rank")


def test_should_give_both_ranks_when_asked_for_size_and_intensity(answerer):
    check(ask(answerer, "Rank of Brussels–Antwerp by size and by intensity?"), must=["53", "58"], intent="rank")


# -- per million --------------------------------------------------------------------------------

PCT_PER_MILLION = [
    case("how many pct applications per million people does brussels-antwerp have", "712"),
    case("patents per capita brussels", "712"),
    case("PCT filings per 1 million inhabitants for Brussels–Antwerp?", "712"),
    case("how many patent applications per one million residents in antwerp", "712"),
    case("brussels antwerp pct aplications per million inhabitants", "712"),
]


@pytest.mark.parametrize("question,must,must_not", PCT_PER_MILLION)
def test_should_give_pct_applications_per_million_inhabitants(answerer, question, must, must_not):
    check(ask(answerer, question), must=must, must_not=["6444", "53", "58"], intent="per_million")


ARTICLES_PER_MILLION = [
    case("scientific articles per one million inhabitants in antwerp?", "6,444"),
    case("publications per head in brussels antwerp", "6,444"),
    case("how many papers per million inhabitants does brussels-antwerp publish", "6,444"),
    case("Brussels–Antwerp scientific publications per capita?", "6,444"),
    case("articels per million people in brussels antwerp", "6,444"),
]


@pytest.mark.parametrize("question,must,must_not", ARTICLES_PER_MILLION)
def test_should_give_scientific_articles_per_million_inhabitants(answerer, question, must, must_not):
    check(ask(answerer, question), must=must, must_not=["712", "53", "58"], intent="per_million")


# -- top organizations ----------------------------------------------------------------------------

TOP_APPLICANT = [
    case("Which company files the most PCT applications in Brussels-Antwerp?"),
    case("who is the leading pct applicant in brussels antwerp"),
    case("top patent filer in brussels antwerp?"),
    case("which organisation filed the most patents in brusels antwerp"),
    case("biggest PCT applicant of Brussels–Antwerp, please"),
    case("who files the most pct aplications in brussels antwerp"),
]


@pytest.mark.parametrize("question,must,must_not", TOP_APPLICANT)
def test_should_name_agfa_as_the_top_pct_applicant(answerer, question, must, must_not):
    check(ask(answerer, question), must=["AGFA", "195"], must_not=["Toyota", "K.U. Leuven", "KU Leuven"],
          intent="top_organization")


APPLICANT_AT_RANK = [
    case("who is the second biggest pct applicant in brussels antwerp", "K.U. Leuven Research & Development", "126",
         must_not=("Toyota", "AGFA")),
    case("2nd largest patent applicant in Brussels–Antwerp?", "K.U. Leuven Research & Development",
         must_not=("Toyota", "AGFA")),
    case("which organisation is runner-up among PCT applicants in brussels antwerp", "K.U. Leuven Research & Development",
         must_not=("Toyota", "AGFA")),
    case("third-largest patent applicant in Brussels–Antwerp?", "Toyota Motor Europe", "123",
         must_not=("AGFA", "K.U. Leuven")),
    case("who's number three among pct applicants of brussels antwerp", "Toyota", must_not=("AGFA", "K.U. Leuven")),
]


@pytest.mark.parametrize("question,must,must_not", APPLICANT_AT_RANK)
def test_should_name_the_applicant_at_the_rank_asked(answerer, question, must, must_not):
    check(ask(answerer, question), must=must, must_not=must_not, intent="top_organization")


APPLICANT_LIST = [
    case("list all the top PCT applicants of brussels antwerp"),
    case("who are the top 3 patent applicants in Brussels–Antwerp?"),
    case("give me the full list of pct applicants for brussels antwerp"),
    case("which companies are the top PCT filers in brussels-antwerp"),
    case("names of the leading applicants in brussels antwerp?"),
]


@pytest.mark.parametrize("question,must,must_not", APPLICANT_LIST)
def test_should_list_all_three_pct_applicants(answerer, question, must, must_not):
    check(ask(answerer, question), must=["AGFA", "K.U. Leuven Research & Development", "Toyota", "195", "126", "123"],
          must_not=["KU Leuven (", "8613"], intent="top_organization")


TOP_PUBLISHER = [
    case("which university publishes the most papers in brussels antwerp"),
    case("who is the top publisher in brussels antwerp?"),
    case("leading publishing organisation of Brussels–Antwerp"),
    case("what institution produces the most scientific articles in brussels-antwerp"),
    case("biggest publsher of scientific articles in brussels antwerp?"),
]


@pytest.mark.parametrize("question,must,must_not", TOP_PUBLISHER)
def test_should_name_ku_leuven_as_the_top_publisher(answerer, question, must, must_not):
    check(ask(answerer, question), must=["KU Leuven", "8,613"],
          must_not=["University of Antwerp", "Universite libre", "AGFA", "K.U. Leuven Research"], intent="top_organization")


PUBLISHER_AT_RANK = [
    case("who is the second largest publishing organization in brussels antwerp", "University of Antwerp", "3,125",
         must_not=("Universite libre", "8613")),
    case("name the 2nd publishing organisation in brussels antwerp", "University of Antwerp",
         must_not=("Universite libre", "8613")),
    case("third biggest publisher in brussels–antwerp?", "Universite libre de Bruxelles", "2,456",
         must_not=("University of Antwerp", "8613")),
    case("which org ranks 3rd among Brussels Antwerp publishers", "Universite libre de Bruxelles",
         must_not=("University of Antwerp", "8613")),
    case("who comes second for scientific articles in brussels antwerp?", "University of Antwerp",
         must_not=("Universite libre", "8613")),
]


@pytest.mark.parametrize("question,must,must_not", PUBLISHER_AT_RANK)
def test_should_name_the_publisher_at_the_rank_asked(answerer, question, must, must_not):
    check(ask(answerer, question), must=must, must_not=must_not, intent="top_organization")


PUBLISHER_LIST = [
    case("who are the leading publishers in brussels antwerp"),
    case("list the top publishing organizations of Brussels–Antwerp"),
    case("which universities publish the most articles in brussels antwerp?"),
    case("top 3 publishers brussels antwerp"),
    case("show all the publishing organisations listed for brusels antwerp"),
]


@pytest.mark.parametrize("question,must,must_not", PUBLISHER_LIST)
def test_should_list_all_three_publishers(answerer, question, must, must_not):
    check(ask(answerer, question), must=["KU Leuven", "University of Antwerp", "Universite libre de Bruxelles",
                                         "8,613", "3,125", "2,456"], must_not=["AGFA", "Toyota"], intent="top_organization")


def test_should_refuse_a_fourth_applicant_the_profile_does_not_list(answerer):
    answer = ask(answerer, "who is the fourth largest pct applicant in brussels-antwerp")
    check(answer, status="no_data", must=["3"], must_not=["AGFA", "Toyota", "K.U. Leuven", "195", "123", "126"])


# -- one organization -------------------------------------------------------------------------------

ORGANIZATION_FACTS = [
    case("how many PCT applications did agfaa file?", "AGFA", "195", must_not=("126", "123")),
    case("what share of applications does toyta have?", "Toyota", "4%", must_not=("6%", "195")),
    case("how many patents has Agfa-Gevaert filed in brussels antwerp", "195"),
    case("what rank is K.U. Leuven Research & Development among applicants", "second", must_not=("third", "Toyota")),
    case("KU Leuven R&D: how many PCT applications?", "126", must_not=("8613", "195")),
    case("where does ku leuvne rank among publishers", "KU Leuven", "8,613", must_not=("K.U. Leuven Research",)),
    case("How many articles did ULB publish?", "2,456", must_not=("3125", "8613")),
    case("what percentage of articles come from University of Antwerp?", "11%", must_not=("31%", "9%")),
    case("how many papers does the universite libre de bruxelles have in brussels antwerp", "2,456"),
    case("Universiteit Antwerpen: share of the cluster's publications?", "11%", must_not=("31%",)),
    case("what position does ULB hold among publishers", "third", must_not=("second",)),
]


@pytest.mark.parametrize("question,must,must_not", ORGANIZATION_FACTS)
def test_should_give_an_organizations_count_share_or_rank(answerer, question, must, must_not):
    check(ask(answerer, question), must=must, must_not=must_not, intent="organization_fact")


def test_should_answer_with_every_figure_when_asked_about_an_organization(answerer):
    check(ask(answerer, "tell me about AGFA"), must=["AGFA", "195", "6%"], must_not=["126", "Toyota"])


# -- comparisons, combined, implied -------------------------------------------------------------------

COMPARISONS = [
    case("how many more articles does KU Leuven have than ULB?", "6,157", must_not=("669",)),
    case("by how much does KU Leuven outpublish the Université libre de Bruxelles?", "6,157"),
    case("difference in articles between ku leuven and university of antwerp", "5,488"),
    case("how many more patents did AGFA file than Toyota?", "72"),
    case("who files more pct applications, Toyota or KU Leuven R&D?", "K.U. Leuven Research & Development", "3"),
    case("what's the gap between agfa and K.U. Leuven Research & Development in PCT applications?", "69"),
]


@pytest.mark.parametrize("question,must,must_not", COMPARISONS)
def test_should_compare_two_organizations(answerer, question, must, must_not):
    check(ask(answerer, question), must=must, must_not=must_not, intent="compare_organizations")


COMBINED = [
    case("what share do the top three applicants hold together?", "14%"),
    case("combined share of the three leading PCT applicants in brussels antwerp", "14%"),
    case("together, how many PCT applications did the top 3 applicants file?", "444"),
    case("how many articles did the top 3 publishers publish combined?", "14,194"),
    case("what percentage of articles do the three top publishers account for altogether", "51%"),
]


@pytest.mark.parametrize("question,must,must_not", COMBINED)
def test_should_combine_the_rows_of_a_table(answerer, question, must, must_not):
    check(ask(answerer, question), must=must, must_not=must_not, intent="combined")


IMPLIED = [
    case("roughly how many pct applications does brussels antwerp have in total?", "3,250"),
    case("approximately how many PCT applications were filed in the whole brussels antwerp cluster?", "3,250"),
    case("ballpark figure for the cluster's total number of patent applications?", "3,250"),
    case("approximately how many articles does the whole cluster publish?", "27,780"),
    case("estimate the total number of scientific articles of brussels-antwerp", "27,780"),
]


@pytest.mark.parametrize("question,must,must_not", IMPLIED)
def test_should_estimate_the_implied_total(answerer, question, must, must_not):
    check(ask(answerer, question), must=must, must_not=must_not, intent="implied_total")


# -- collaboration -------------------------------------------------------------------------------

COLLAB_SHARE = [
    case("what share of brussels antwerp's patents are filed in collaboration?", "34%", must_not=("72%",)),
    case("percentage of PCT applications co-invented with others in brussels antwerp", "34%", must_not=("72%",)),
    case("how much of brussels-antwerp's patenting is collaborative?", "34%", must_not=("72%",)),
    case("what percentage of articles is co-authored with other organisations in brussels?", "72%", must_not=("34%",)),
    case("share of scientific papers written jointly with other organizations, brussels antwerp", "72%",
         must_not=("34%",)),
    case("how collaborative are brussels antwerp's publications?", "72%", must_not=("34%",)),
]


@pytest.mark.parametrize("question,must,must_not", COLLAB_SHARE)
def test_should_give_the_collaboration_share(answerer, question, must, must_not):
    check(ask(answerer, question), must=must, must_not=must_not, intent="collaboration_share")


COLLAB_PLACES = [
    case("which cities does brussels-antwerp collaborate with on patents?", "Gent", "Paris", "Cologne",
         must_not=("Amsterdam",)),
    case("top collaborating locations for brussels antwerp pct applications", "Gent", "Paris", "Cologne",
         must_not=("Amsterdam",)),
    case("where are brussels antwerp's co-inventors located? which places?", "Gent", "Paris", "Cologne",
         must_not=("Amsterdam",)),
    case("top partner locations for scientific articles in brussels antwerp?", "Amsterdam-Rotterdam", "Paris", "Gent",
         must_not=("Cologne",)),
    case("which places does brussels-antwerp co-publish with the most", "Amsterdam-Rotterdam", "Paris", "Gent",
         must_not=("Cologne",)),
    case("main collaboration partner cities for brussels antwerp publications", "Amsterdam-Rotterdam", "Paris", "Gent",
         must_not=("Cologne",)),
]


@pytest.mark.parametrize("question,must,must_not", COLLAB_PLACES)
def test_should_name_the_top_collaborating_locations(answerer, question, must, must_not):
    check(ask(answerer, question), must=must, must_not=must_not, intent="collaboration_places")


COLLAB_BOTH = [
    case("which locations appear in both collaboration lists?"),
    case("what locations do the two collaboration lists have in common?"),
    case("which partner cities overlap between patents and publications?"),
    case("which cities does brussels antwerp partner with for both patents and articles?"),
    case("which collaborating locations are shared by the patent and article lists?"),
]


@pytest.mark.parametrize("question,must,must_not", COLLAB_BOTH)
def test_should_name_only_the_locations_in_both_collaboration_lists(answerer, question, must, must_not):
    check(ask(answerer, question), must=["Paris", "Gent"], must_not=["Cologne", "Amsterdam"], intent="collaboration_both")


# -- yes/no and thresholds -------------------------------------------------------------------------

YES_NO = [
    pytest.param("Is Cologne a top partner for articles?", "No", ["Amsterdam-Rotterdam", "Paris", "Gent"], [],
                 id="cologne-articles"),
    pytest.param("Is Cologne among the article collaboration partners?", "No", ["Amsterdam-Rotterdam"], [],
                 id="cologne-articles-2"),
    pytest.param("does Brussels–Antwerp work with Paris on patents?", "Yes", ["Paris"], [], id="paris-patents"),
    pytest.param("Is Gent one of the top partners for patents?", "Yes", ["Gent"], [], id="gent-patents"),
    pytest.param("is ghent among the article partners?", "Yes", ["Gent"], [], id="ghent-alias"),
    pytest.param("does the cluster co-publish with amsterdam rotterdam?", "Yes", ["Amsterdam-Rotterdam"], [],
                 id="amsterdam-articles"),
    pytest.param("is AGFA the top pct applicant in brussels antwerp?", "Yes", ["AGFA"], [], id="agfa-top"),
    pytest.param("is toyota the second largest applicant?", "No", ["K.U. Leuven Research & Development"], [],
                 id="toyota-second"),
    pytest.param("is brussels-antwerp the only cluster in belgium?", "Yes", ["Brussels-Antwerp"], [], id="only-belgium"),
    pytest.param("is Brussels-Antwerp the only Belgian cluster?", "Yes", [], [], id="only-belgian"),
    pytest.param("is brussels antwerp ranked 50th by intensity?", "No", ["58"], [], id="ranked-50th"),
    pytest.param("is Brussels–Antwerp ranked 53rd by size?", "Yes", ["53"], [], id="ranked-53rd"),
    pytest.param("are more than half of brussels antwerp articles co-published?", "Yes", ["72%"], [], id="half-articles"),
    pytest.param("Is most of brussels-antwerp's patenting collaborative?", "No", ["34%"], [], id="half-patents"),
    pytest.param("Is it true that ULB published more articles than University of Antwerp?", "No", ["2,456", "3,125"], [],
                 id="ulb-vs-uantwerp"),
    pytest.param("is there any other cluster in belgium?", "No", [], [], id="other-belgian"),
    pytest.param("is brussels antwerp the 58th cluster by intensity?", "Yes", ["58"], [], id="claim-58th"),
    pytest.param("does KU Leuven account for more than 30% of articles?", "Yes", ["31%"], [], id="ku-30pct"),
    pytest.param("did AGFA file more than 200 PCT applications?", "No", ["195"], [], id="agfa-200"),
]


@pytest.mark.parametrize("question,first,must,must_not", YES_NO)
def test_should_answer_yes_or_no_first(answerer, question, first, must, must_not):
    check(ask(answerer, question), starts=first, must=must, must_not=must_not)


THRESHOLDS = [
    pytest.param("is brussels antwerp in the top 50 by size?", "No", "53", id="top50-size"),
    pytest.param("Does brussels–antwerp make the top 50 by size?", "No", "53", id="make-top50"),
    pytest.param("does brussels antwerp rank within the top 50 by size?", "No", "53", id="within-top50"),
    pytest.param("is the cluster in the top fifty by size?", "No", "53", id="top-fifty"),
    pytest.param("is brussels-antwerp in the top 100 by size?", "Yes", "53", id="top100-size"),
    pytest.param("is brussels antwerp among the top 60 clusters by intensity?", "Yes", "58", id="top60-intensity"),
]


@pytest.mark.parametrize("question,first,rank", THRESHOLDS)
def test_should_answer_a_rank_threshold_with_yes_or_no_and_the_rank(answerer, question, first, rank):
    check(ask(answerer, question), starts=first, must=[rank], intent="rank")


# -- economies ---------------------------------------------------------------------------------

ECONOMY_OF_CLUSTER = [
    case("which country is brussels antwerp in?"),
    case("in which nation is antwerp located?"),
    case("what economy does the Brussels-Antwerp cluster belong to"),
    case("where is brussels antwerp situated, which country?"),
    case("brusels antwerpen: what country?"),
]


@pytest.mark.parametrize("question,must,must_not", ECONOMY_OF_CLUSTER)
def test_should_give_the_economy_of_the_cluster(answerer, question, must, must_not):
    check(ask(answerer, question), must=["Belgium"], must_not=["53", "58"], intent="economy_of_cluster")


ECONOMY_CLUSTERS = [
    case("which clusters does belgium have?"),
    case("how many clusters does Belgium have in the top 100?"),
    case("does belgium have just one cluster?"),
    case("Belgian clusters in the GII top 100?"),
    case("list the clusters of Belgique"),
]


@pytest.mark.parametrize("question,must,must_not", ECONOMY_CLUSTERS)
def test_should_give_the_clusters_of_an_economy_and_that_it_is_the_only_one(answerer, question, must, must_not):
    check(ask(answerer, question), must=["Brussels-Antwerp", "only"], intent="economy_clusters")


# -- overview and reverse lookup --------------------------------------------------------------------

OVERVIEW = [
    case("tell me about brussels antwerp"),
    case("give me an overview of brusels antwerpen"),
    case("summary of the Brussels–Antwerp cluster please"),
    case("what do you know about Bruxelles–Anvers?"),
    case("describe brussels-antwerp"),
]


@pytest.mark.parametrize("question,must,must_not", OVERVIEW)
def test_should_give_an_overview_of_the_cluster(answerer, question, must, must_not):
    check(ask(answerer, question), must=["53", "58", "712", "6,444", "AGFA", "KU Leuven", "Belgium"], intent="overview")


REVERSE = [
    case("which cluster is AGFA in?", "AGFA", "Brussels-Antwerp"),
    case("in which cluster is toyota?", "Toyota", "Brussels-Antwerp"),
    case("what cluster does the University of Antwerp belong to", "University of Antwerp", "Brussels-Antwerp"),
    case("ULB is part of which cluster?", "Universite libre de Bruxelles", "Brussels-Antwerp"),
    case("which S&T cluster has KU Leuven among its organizations", "KU Leuven", "Brussels-Antwerp"),
]


@pytest.mark.parametrize("question,must,must_not", REVERSE)
def test_should_find_the_cluster_of_an_organization(answerer, question, must, must_not):
    check(ask(answerer, question), must=must, must_not=must_not, intent="organization_clusters")


# -- follow-ups within a session ----------------------------------------------------------------------

def conversation(answerer: Answerer, session: str, *questions: str) -> list[Answer]:
    return [answerer.ask(q, session=session) for q in questions]


def test_should_follow_up_on_the_second_and_third_applicant(answerer, session):
    first, second, third = conversation(answerer, session, "who is the top PCT applicant in Brussels–Antwerp?",
                                        "And the second?", "and the third one?")
    check(first, must=["AGFA"])
    check(second, must=["K.U. Leuven Research & Development", "126"], must_not=["Toyota", "AGFA"])
    check(third, must=["Toyota", "123"], must_not=["K.U. Leuven", "AGFA"])


def test_should_follow_up_on_the_runner_up_publisher_and_its_count(answerer, session):
    _, second, count = conversation(answerer, session, "who is the top publisher in brussels antwerp?",
                                    "and the runner-up?", "how many articles did it publish?")
    check(second, must=["University of Antwerp"], must_not=["Universite libre", "8613"])
    check(count, must=["3,125"], must_not=["8613", "2456"])


def test_should_follow_up_on_the_rank_by_intensity(answerer, session):
    size, intensity = conversation(answerer, session, "what is brussels antwerp's rank by size?", "And by intensity?")
    check(size, must=["53"], must_not=["58"])
    check(intensity, must=["58"], must_not=["53"], intent="rank")


def test_should_carry_the_organization_into_count_and_share_follow_ups(answerer, session):
    _, count, share = conversation(answerer, session, "tell me about AGFA", "how many patents?", "and its share?")
    check(count, must=["AGFA", "195"])
    check(share, must=["6%"], must_not=["195 PCT applications in"])


def test_should_answer_how_many_they_published_after_naming_the_top_publisher(answerer, session):
    _, count = conversation(answerer, session, "who is the top publishing organisation in Brussels–Antwerp?",
                            "How many did they publish?")
    check(count, must=["KU Leuven", "8,613"])


def test_should_answer_how_many_they_filed_after_the_second_applicant(answerer, session):
    _, _, count = conversation(answerer, session, "which company is the largest patent filer in brussels antwerp?",
                               "and the second?", "how many did they file?")
    check(count, must=["126"], must_not=["195", "123"])


def test_should_switch_to_publishers_on_what_about_publications(answerer, session):
    _, switched, count = conversation(answerer, session, "who is the top PCT applicant in Brussels–Antwerp?",
                                      "What about publications?", "How many did they publish?")
    check(switched, must=["KU Leuven"], must_not=["AGFA"])
    check(count, must=["8,613"])


def test_should_switch_measure_in_a_collaboration_follow_up(answerer, session):
    _, articles = conversation(answerer, session, "what share of brussels antwerp's patents are filed in collaboration?",
                               "and for articles?")
    check(articles, must=["72%"], must_not=["34%"])


def test_should_switch_measure_in_a_per_million_follow_up(answerer, session):
    _, articles = conversation(answerer, session, "how many pct applications per million inhabitants in brussels antwerp?",
                               "what about articles?")
    check(articles, must=["6,444"], must_not=["712"])


def test_should_switch_measure_in_a_collaboration_places_follow_up(answerer, session):
    _, articles = conversation(answerer, session, "top collaborating cities for brussels antwerp patents?",
                               "what about publications?")
    check(articles, must=["Amsterdam-Rotterdam"], must_not=["Cologne"])


def test_should_not_carry_context_between_sessions(answerer):
    answerer.ask("who is the top publisher in brussels antwerp?", session=f"a-{uuid.uuid4().hex}")
    other = answerer.ask("how many did they publish?", session=f"b-{uuid.uuid4().hex}")
    assert not contains(other.text, "8613"), other.text


# -- refusals --------------------------------------------------------------------------------------

PLACES_WE_LACK = [
    case("what is the rank of Munich?", "Munich"),
    case("tell me about Tokyo", "Tokyo"),
    case("who is the top PCT applicant in Paris?", "Paris"),
    case("how many patents does Genk file?", "Genk"),
    case("how many articles per million inhabitants does Munich publish?", "Munich"),
    case("Tokyo–Yokohama top publisher?", "Tokyo"),
]


@pytest.mark.parametrize("question,must,must_not", PLACES_WE_LACK)
def test_should_refuse_a_cluster_we_do_not_have(answerer, question, must, must_not):
    answer = ask(answerer, question)
    check(answer, status="no_data", must=[*must, "Brussels-Antwerp"])
    states_no_fact(answer)


def test_should_refuse_the_rank_of_a_partner_location_we_have_no_profile_for(answerer):
    answer = ask(answerer, "what is Gent's rank?")
    check(answer, status="no_data", must=["Gent"])
    states_no_fact(answer)


def test_should_answer_about_paris_as_a_partner_but_not_as_a_cluster(answerer):
    trap = ask(answerer, "who is the top PCT applicant in Paris?")
    check(trap, status="no_data", must=["Paris"])
    states_no_fact(trap)
    partner = ask(answerer, "does Brussels–Antwerp work with Paris on patents?")
    check(partner, starts="Yes", must=["Paris"], intent="collaboration_places")


UNKNOWN_ORGANIZATIONS = [
    case("how many pct applications did Philips file in brussels antwerp?", "Philips"),
    case("how many articles did imec publish?", "imec"),
    case("what share of patents does Janssen Pharmaceutica hold?", "Janssen"),
    case("Solvay's rank among applicants in brussels antwerp?", "Solvay"),
    case("how many papers does Vrije Universiteit Brussel publish", "Vrije"),
]


@pytest.mark.parametrize("question,must,must_not", UNKNOWN_ORGANIZATIONS)
def test_should_refuse_an_organization_not_in_the_tables(answerer, question, must, must_not):
    answer = ask(answerer, question)
    check(answer, status="no_data", must=must)
    figures = re.findall(r"\d[\d,]*", answer.text)
    assert not figures, f"a refusal about {must[0]} gives numbers {figures}: {answer.text}"


UNAVAILABLE = [
    case("what are the top technology fields in brussels antwerp?", "technology fields"),
    case("which tech fields dominate brussels-antwerp patents?", "technology fields"),
    case("is brussels antwerp strong in pharmaceuticals?", "technology fields"),
    case("what was brussels antwerp's rank in 2022?", "2024"),
    case("how has the rank changed over time?", "2024"),
    case("brussels antwerp trend since the previous edition", "2024"),
]


@pytest.mark.parametrize("question,must,must_not", UNAVAILABLE)
def test_should_refuse_what_the_profile_does_not_give(answerer, question, must, must_not):
    answer = ask(answerer, question)
    check(answer, status="no_data", must=must, must_not=["53", "58", "712", "6444"])


NOT_UNDERSTOOD = [
    "what's the weather today?",
    "asdfgh qwerty zxcv",
    "recommend me a good pizza place",
    "<script>alert(1)</script>",
    "How do I bake sourdough bread?",
    "lorem ipsum dolor sit amet",
]


@pytest.mark.parametrize("question", NOT_UNDERSTOOD)
def test_should_not_understand_out_of_domain_or_garbage_and_suggest_questions(answerer, question):
    answer = ask(answerer, question)
    check(answer, status="not_understood")
    assert 2 <= len(answer.suggestions) <= 3, answer.suggestions
    assert all(s.strip().endswith("?") or s.strip().endswith(".") for s in answer.suggestions), answer.suggestions
    states_no_fact(answer)


# -- small talk -------------------------------------------------------------------------------------

@pytest.mark.parametrize("question", ["hello", "Hi there!", "good morning", "hey bot"])
def test_should_greet_back_and_say_what_it_covers(answerer, question):
    # Small talk gives no fact from a profile: it is not "answered" and carries no source.
    answer = ask(answerer, question)
    check(answer, intent="greeting", must=["Brussels-Antwerp"], status="not_understood")
    assert answer.source is None


@pytest.mark.parametrize("question", ["thanks!", "thank you very much", "cheers", "bye"])
def test_should_answer_thanks_and_goodbye_politely(answerer, question):
    answer = ask(answerer, question)
    check(answer, intent="thanks", status="not_understood")
    assert answer.source is None
    states_no_fact(answer)


def test_should_answer_help_as_an_answer_about_what_it_covers(answerer):
    answer = ask(answerer, "help")
    assert answer.status == "answered" and "Brussels" in answer.text


@pytest.mark.parametrize("question", ["help", "what can you do?", "what can I ask?", "how does this work?"])
def test_should_explain_what_it_can_answer_when_asked_for_help(answerer, question):
    answer = ask(answerer, question)
    check(answer, intent="help", must=["Brussels-Antwerp"])
    assert "{" not in answer.text, answer.text


# -- fuzzy names ---------------------------------------------------------------------------------------

FUZZY = [
    case("top pct applicant in brusels antwerpen", "AGFA"),
    case("Brussel–Antwerpen size rank", "53"),
    case("how many applications did agfaa file", "195"),
    case("toyta motor europe patents count", "123"),
    case("ku leuvne number of articles", "8,613"),
    case("univeristy of antwerp article share", "11%"),
    case("Universite libre de Bruxels articles", "2,456"),
]


@pytest.mark.parametrize("question,must,must_not", FUZZY)
def test_should_read_misspelled_names(answerer, question, must, must_not):
    check(ask(answerer, question), must=must, must_not=must_not)


def test_should_keep_genk_apart_from_gent(answerer):
    gent = ask(answerer, "Does Brussels-Antwerp collaborate with Gent on patents?")
    check(gent, starts="Yes", must=["Gent"])
    genk = ask(answerer, "Does Brussels-Antwerp collaborate with Genk on patents?")
    assert not norm(genk.text).startswith("yes"), genk.text
    assert not contains(genk.text, "Gent is"), genk.text


def test_should_say_genk_is_not_a_listed_partner(answerer):
    genk = ask(answerer, "is genk a partner for articles?")
    check(genk, must=["Genk", "Amsterdam-Rotterdam"], must_not=["Genk is among"])


def test_should_refuse_genk_as_a_cluster_while_gent_is_a_partner(answerer):
    genk = ask(answerer, "tell me about genk")
    check(genk, status="no_data", must=["Genk"])
    states_no_fact(genk)


# -- the Answer contract ---------------------------------------------------------------------------

def test_should_report_source_entities_and_confidence_for_an_answer(answerer):
    answer = ask(answerer, "how many PCT applications did AGFA file?")
    check(answer, must=["195"])
    assert answer.source, "an answered question names its source document"
    assert 0.0 < answer.confidence <= 1.0
    assert any(e.type == "organization" and e.value == "AGFA" for e in answer.entities), answer.entities
    assert answer.data, "the figures behind the reply travel in data"
    assert '"status":"answered"' in answer.model_dump_json()


def test_should_give_no_source_for_a_refusal(answerer):
    answer = ask(answerer, "asdfgh qwerty zxcv")
    assert answer.status == "not_understood"
    assert answer.source is None


# -- several clusters loaded ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def several(tmp_path_factory) -> Answerer:
    """Brussels–Antwerp plus two fictional profiles, ingested the way an operator would."""
    directory = tmp_path_factory.mktemp("knowledge")
    shutil.copy(BUNDLED_DIR / "brussels-antwerp.json", directory)
    shutil.copy(BUNDLED_DIR / "aliases.yaml", directory)
    profiles = sorted(str(p) for p in PROFILES.glob("*.txt"))
    assert len(profiles) == 2, profiles
    done = subprocess.run([sys.executable, "-m", "bot.cli", "ingest", "--knowledge", str(directory), *profiles],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    answerer = Answerer(knowledge=directory)
    assert sorted(c.name for c in answerer.knowledge.clusters) == ["Brussels–Antwerp", "Fennimore Vale",
                                                                   "Quillhaven–Marrowby"]
    return answerer


CLUSTER_NAMES = ["Brussels-Antwerp", "Quillhaven-Marrowby", "Fennimore Vale"]


@pytest.mark.parametrize("question", ["who is the top pct applicant?", "what is the rank by size?",
                                      "how many articles per million inhabitants?", "which locations does it collaborate with?"])
def test_should_ask_which_cluster_when_several_are_loaded_and_none_is_named(several, question):
    answer = ask(several, question)
    check(answer, status="clarify", must=CLUSTER_NAMES, must_not=["AGFA", "Glimmerwave", "Pelliwax", "53", "12th", "87"])


SEVERAL_NAMED = [
    case("who is the top PCT applicant in Quillhaven–Marrowby?", "Glimmerwave Industries", "410",
         must_not=("AGFA", "Pelliwax", "195", "77")),
    case("top applicant in quillhaven marrowby", "Glimmerwave", must_not=("AGFA", "Pelliwax")),
    case("who is the top publisher in fennimore vale?", "Fennimore Vale University", "5,005",
         must_not=("KU Leuven", "University of Quillhaven")),
    case("what's the intensity rank of Fennimore Vale?", "9th", must_not=("58", "40th")),
    case("how big is quillhaven-marrowby by size rank", "12th", must_not=("53", "87")),
    case("who is the top pct applicant in brussels antwerp?", "AGFA", must_not=("Glimmerwave", "Pelliwax")),
    case("which country is fennimore vale in?", "Drelland", must_not=("Belgium", "Zorvania")),
    case("which cities does fennimore vale co-publish with?", "Vessany", "Tarnwick", "Castellune",
         must_not=("Paris", "Gent", "Brindlemoor")),
]


@pytest.mark.parametrize("question,must,must_not", SEVERAL_NAMED)
def test_should_answer_from_the_cluster_named_and_never_from_another(several, question, must, must_not):
    check(ask(several, question), must=must, must_not=must_not)


def test_should_find_which_cluster_an_invented_organization_is_in(several):
    check(ask(several, "which cluster is Pelliwax Corporation in?"), must=["Fennimore Vale"],
          must_not=["Quillhaven", "Brussels"], intent="organization_clusters")


def test_should_say_an_organization_belongs_to_another_cluster(several):
    answer = ask(several, "how many PCT applications did Glimmerwave Industries file in Fennimore Vale?")
    check(answer, status="no_data", must=["Quillhaven-Marrowby"], must_not=["410"])


SUPERLATIVES = [
    case("which cluster is the largest?", "Quillhaven-Marrowby", "12th"),
    case("which cluster is the biggest by size?", "Quillhaven-Marrowby"),
    case("which cluster ranks highest by intensity?", "Fennimore Vale", "9th"),
    case("which cluster has the most pct applications per million inhabitants?", "Fennimore Vale", "2,468"),
    case("which cluster publishes the most articles per capita?", "Fennimore Vale", "11,111"),
]


@pytest.mark.parametrize("question,must,must_not", SUPERLATIVES)
def test_should_pick_the_best_of_the_clusters_loaded(several, question, must, must_not):
    check(ask(several, question), must=must, intent="best_cluster")


def test_should_decline_a_superlative_when_only_one_cluster_is_loaded(answerer):
    answer = ask(answerer, "which cluster is the largest?")
    check(answer, status="no_data", must=["Brussels-Antwerp", "only one"])


def test_should_compare_two_named_clusters(several):
    check(ask(several, "compare Fennimore Vale and Quillhaven–Marrowby by size"), must=["87th", "12th"],
          must_not=["53"], intent="compare_clusters")


def test_should_keep_each_session_on_its_own_cluster(several, session):
    first, second = conversation(several, session, "who is the top pct applicant in fennimore vale?", "and the second?")
    check(first, must=["Pelliwax"])
    check(second, must=["Fennimore Vale University", "60"], must_not=["K.U. Leuven", "Quillhaven"])


def test_should_switch_cluster_in_a_follow_up(several, session):
    _, switched = conversation(several, session, "who is the top pct applicant in fennimore vale?",
                               "what about brussels-antwerp?")
    check(switched, must=["AGFA"], must_not=["Pelliwax"])


def test_should_infer_the_cluster_from_an_organization_found_in_only_one(several):
    check(ask(several, "how many pct applications did glimmerwave industries file?"), must=["410"])
