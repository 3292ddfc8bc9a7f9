"""Any text at all gets a well-formed Answer: no exception, a valid status, a non-empty reply.

A property test throws arbitrary text (lone surrogates and control characters included) and
mixtures of domain words at one Answerer; a fixed list covers the known nasty cases, and
tests/naughty_strings.txt holds a list of naughty strings. None of the garbage may state a fact.
"""
from __future__ import annotations

import codecs
import json
import re
import warnings
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import Answer, Answerer

NAUGHTY = Path(__file__).resolve().parent / "naughty_strings.txt"
STATUSES = {"answered", "clarify", "no_data", "not_understood"}
CRASH = "something went wrong"  # the Answerer's reply when it swallowed an exception
REFUSALS = {"not_understood", "no_data"}
FACTS = ["53rd", "58th", "712", "6,444", "195", "126", "123", "8,613", "3,125", "2,456", "34%", "72%", "AGFA", "Toyota",
         "K.U. Leuven", "KU Leuven", "University of Antwerp", "Université libre"]

_ANSWERER: Answerer | None = None


def shared() -> Answerer:
    """One Answerer for the whole module; hypothesis calls the test body far too often to build one each time."""
    global _ANSWERER
    if _ANSWERER is None:
        _ANSWERER = Answerer()
    return _ANSWERER


@pytest.fixture(scope="module")
def answerer() -> Answerer:
    return shared()


def well_formed(answer: Answer) -> None:
    assert isinstance(answer, Answer)
    assert answer.status in STATUSES
    assert answer.text.strip(), "the reply is empty"
    assert CRASH not in answer.text, f"an exception was swallowed: {answer.text}"
    dumped = json.loads(answer.model_dump_json())
    assert dumped["status"] == answer.status
    assert dumped["text"] == answer.text


def states_no_fact(answer: Answer) -> None:
    assert answer.status in REFUSALS, f"{answer.status}: {answer.text}"
    for fact in FACTS:
        assert fact not in answer.text, f"{fact!r} stated for garbage: {answer.text}"


# -- properties --------------------------------------------------------------------------------------

ANY_CHAR = st.one_of(
    st.characters(),
    st.integers(0xD800, 0xDFFF).map(chr),  # lone surrogates, which st.characters() leaves out
    st.sampled_from(["\x00", "\x1b", "\x7f", "\u200b", "\u202e", "\ufeff", "\r", "\t", "\n", "–", "’", "&"]),
)
DOMAIN_WORDS = ["who", "what", "how many", "top", "second", "third", "fourth", "and", "the", "is", "in", "of", "by", "more",
                "than", "together", "roughly", "share", "%", "rank", "size", "intensity", "per million", "patents", "PCT",
                "articles", "publications", "collaborate", "locations", "both", "only", "country", "cluster", "Belgium",
                "Brussels–Antwerp", "brusels", "AGFA", "Toyota", "KU Leuven", "ULB", "K.U. Leuven Research & Development",
                "Paris", "Gent", "Genk", "Cologne", "Munich", "Philips", "2022", "top 50", "53rd", "half", "?", "!", "50%",
                "100", "0", "-1", "1e9", "tell me about", "hello", "thanks", "help", "yes", "no", "not", "it", "they"]


@settings(deadline=timedelta(seconds=2), max_examples=300, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.text(ANY_CHAR, max_size=300))
def test_should_answer_any_text_with_a_well_formed_answer(text):
    well_formed(shared().ask(text))


@settings(deadline=timedelta(seconds=2), max_examples=300, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(DOMAIN_WORDS), min_size=1, max_size=14).map(" ".join),
       st.sampled_from([None, "hostile-a", "hostile-b"]))
def test_should_answer_any_jumble_of_domain_words_without_breaking(text, session):
    """Word salads reach the answer functions, with and without a conversation behind them."""
    well_formed(shared().ask(text, session=session))


# -- fixed cases -------------------------------------------------------------------------------------

GARBAGE = {
    "empty": "",
    "whitespace": " \t\n\r  \u00a0 ",
    "nul-and-controls": "\x00\x01\x02\x03\x07\x08\x1b[31m\x7f",
    "lone-surrogate": "\ud800",
    "surrogate-pair-reversed": "\udc00\ud800 \udfff",
    "emoji-only": "😀🎉🚀🇧🇪",
    "rtl-hebrew": "מי הוא המבקש המוביל?",
    "rtl-arabic": "ما هي أفضل جامعة؟",
    "rtl-override": "\u202egnp.exe",
    "html": "<script>alert('x')</script>",
    "html-img": '<img src=x onerror="alert(1)">',
    "markdown": "# Title\n**bold** _it_ `code` [link](http://127.0.0.1/)",
    "sql": "'; DROP TABLE clusters; --",
    "sql-or": "1' OR '1'='1",
    "shell": "$(rm -rf /) && cat /etc/passwd | nc 127.0.0.1 1",
    "format-string": "{cluster} {0} %s %d {name!r} {__class__}",
    "same-word-10000": "lorem " * 10_000,
    "long-garbage-100000": "x" * 100_000,
}


@pytest.mark.parametrize("text", list(GARBAGE.values()), ids=list(GARBAGE))
def test_should_refuse_garbage_without_stating_a_fact(answerer, text):
    answer = answerer.ask(text, session="garbage")
    well_formed(answer)
    states_no_fact(answer)
    assert "{" not in answer.text, f"a template placeholder leaked: {answer.text}"


@pytest.mark.parametrize("text", ["<script>", "<script>alert(1)</script>", "**<b>**", "'; --"])
def test_should_not_understand_markup_and_code(answerer, text):
    answer = answerer.ask(text)
    well_formed(answer)
    assert answer.status == "not_understood"
    assert 2 <= len(answer.suggestions) <= 3


def test_should_say_a_100000_character_message_was_cut(answerer):
    answer = answerer.ask("x" * 100_000)
    well_formed(answer)
    assert "100,000" in answer.text, answer.text


def test_should_still_answer_a_real_question_padded_to_100000_characters(answerer):
    question = "Who is the top PCT applicant in Brussels–Antwerp? "
    answer = answerer.ask(question + " " * 10 + "z" * (100_000 - len(question) - 10))
    well_formed(answer)
    assert "AGFA" in answer.text
    assert "100,000" in answer.text, "the reply says the message was cut"


def test_should_answer_a_question_with_control_characters_inside(answerer):
    answer = answerer.ask("Who is the\x00 top\x1b PCT\u200b applicant in Brussels\u2013Antwerp?\x7f")
    well_formed(answer)
    assert answer.status == "answered"
    assert "AGFA" in answer.text


def test_should_answer_a_question_with_a_lone_surrogate_inside(answerer):
    answer = answerer.ask("Who is the top PCT applicant in Brussels–Antwerp? \ud800")
    well_formed(answer)
    assert "AGFA" in answer.text


def test_should_never_echo_markup_back_unescaped_as_a_fact(answerer):
    answer = answerer.ask("who is the top applicant in <b>Brussels</b>?")
    well_formed(answer)
    assert "<b>" not in answer.text or answer.status != "answered"


# -- the naughty strings list ---------------------------------------------------------------------------

def naughty_strings() -> list[str]:
    """The file's lines; ASCII lines with backslashes are unicode-escape decoded (\\u0000, \\ud800 ...)."""
    strings = []
    for raw in NAUGHTY.read_text(encoding="utf-8").split("\n"):
        if not raw or raw.startswith("#"):
            continue
        line = raw
        if raw.isascii() and "\\" in raw:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)  # "\W" and friends: kept as written
                try:
                    line = codecs.decode(raw, "unicode_escape")
                except UnicodeDecodeError:
                    line = raw
        strings.append(line)
    return strings


NAUGHTY_STRINGS = naughty_strings()


def test_should_have_a_naughty_list_with_the_hard_cases():
    assert len(NAUGHTY_STRINGS) >= 80
    assert "\x00" in NAUGHTY_STRINGS
    assert any(re.search(r"[\ud800-\udfff]", s) for s in NAUGHTY_STRINGS), "lone surrogates decoded"


@pytest.mark.parametrize("text", NAUGHTY_STRINGS, ids=[f"naughty-{i}" for i in range(len(NAUGHTY_STRINGS))])
def test_should_refuse_every_naughty_string_without_stating_a_fact(answerer, text):
    answer = answerer.ask(text, session="naughty")
    well_formed(answer)
    states_no_fact(answer)


@pytest.mark.slow
@pytest.mark.timeout(1800)  # about 8 minutes on the team's 2-core machine, more under load
def test_should_keep_memory_bounded_over_two_million_distinct_random_words():
    """Every word a user types is interned by spaCy. A memory zone frees it again, but not its slots in spaCy's
    hash tables, which renewing the reader's pipeline frees (intents/memory.py). After a warm-up, the first
    million distinct random words through `ask`, in questions that are read (not the fast path for long
    messages of unknown words), leave RSS at most 30 MB above; the second million add at most 5 MB.
    (Before the renewal: 48 MB, then 32 MB more.) The same measurement as `gii-bot bench --memory-words 2000000`."""
    from bot.bench import MB, word_memory

    result = word_memory(2_000_000)
    assert result["read"], "the questions are read"
    assert result["half_words"] >= 1_000_000
    above, growth = (result["first"] - result["warm"]) / MB, (result["second"] - result["first"]) / MB
    assert above <= 30, f"RSS grew {above:.1f} MB over the first 1,000,000 distinct words"
    assert growth <= 5, f"RSS grew {growth:.1f} MB over the second 1,000,000 distinct words"
    assert "AGFA" in Answerer().ask("Who is the top PCT applicant in Brussels–Antwerp?").text
