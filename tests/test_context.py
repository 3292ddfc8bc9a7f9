"""The SessionStore keeps conversation context bounded: by count (LRU), by turns and by age.

The store is driven directly (with an injected clock for age) and through a real Answerer, where
losing a frame shows as a follow-up that no longer resolves.
"""
from __future__ import annotations

import threading
import uuid

import pytest

from bot import Answerer
from intents.context import SessionStore
from intents.dialogue import STATE_VERSION

JOIN_TIMEOUT = 60


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def framed(cluster: str = "brussels-antwerp", organization: str | None = None, **values) -> dict:
    """A conversation state as the core writes it (plain JSON)."""
    focus = [{"collection": "applicants", "rank": 1, "name": organization}] if organization else []
    return {"version": STATE_VERSION, "subject": cluster, "focus": focus, **values}


def organization(state: dict | None) -> str | None:
    return state["focus"][0]["name"] if state and state.get("focus") else None


def subject(state: dict | None) -> str | None:
    return state.get("subject") if state else None


# -- bound and LRU ---------------------------------------------------------------------------------

def test_should_keep_at_most_max_sessions():
    store = SessionStore(max_sessions=3)
    for name in "abcde":
        store.put(name, framed(organization=name))
    assert len(store) == 3
    assert organization(store.get("a")) is None
    assert organization(store.get("b")) is None
    assert [organization(store.get(n)) for n in "cde"] == ["c", "d", "e"]


def test_should_drop_the_least_recently_used_session_not_the_oldest_written():
    store = SessionStore(max_sessions=3)
    for name in "abc":
        store.put(name, framed(organization=name))
    store.get("a")  # a reading counts as a use
    store.put("d", framed(organization="d"))
    assert organization(store.get("b")) is None, "b was the least recently used"
    assert organization(store.get("a")) == "a"
    assert organization(store.get("c")) == "c"
    assert organization(store.get("d")) == "d"


def test_should_refuse_a_store_that_can_hold_nothing():
    with pytest.raises(ValueError):
        SessionStore(max_sessions=0)


def test_should_keep_no_context_without_a_session():
    store = SessionStore(max_sessions=2)
    store.put(None, framed(organization="x"))
    assert len(store) == 0
    assert store.get(None) is None


def test_should_hand_out_a_copy_that_changes_nothing_until_put_back():
    store = SessionStore()
    store.put("s", framed(shown=[{"rank": 1}, {"rank": 2}], said=["count"]))
    copy = store.get("s")
    copy["shown"].append({"rank": 3})
    copy["said"].clear()
    copy["subject"] = "elsewhere"
    again = store.get("s")
    assert again["shown"] == [{"rank": 1}, {"rank": 2}]
    assert again["said"] == ["count"]
    assert again["subject"] == "brussels-antwerp"


def test_should_forget_a_cleared_session():
    store = SessionStore()
    store.put("s", framed())
    store.clear("s")
    store.clear("never-there")
    assert store.get("s") is None
    assert len(store) == 0


# -- expiry ---------------------------------------------------------------------------------------

def test_should_expire_a_frame_after_max_turns_without_an_update():
    store = SessionStore(max_turns=3)
    store.put("s", framed(turns_since_answer=2))
    assert subject(store.get("s")) == "brussels-antwerp", "two idle turns are within the limit"
    store.put("s", framed(turns_since_answer=3))
    assert subject(store.get("s")) is None, "three idle turns reach the limit"
    assert len(store) == 0, "an expired frame is removed, not only hidden"


def test_should_expire_a_frame_by_age_on_an_injected_clock():
    clock = FakeClock()
    store = SessionStore(max_age_seconds=60, clock=clock)
    store.put("s", framed())
    clock.advance(60)
    assert subject(store.get("s")) == "brussels-antwerp", "exactly the limit is still alive"
    clock.advance(0.001)
    assert subject(store.get("s")) is None
    assert len(store) == 0


def test_should_restart_the_age_when_a_frame_is_put_back():
    clock = FakeClock()
    store = SessionStore(max_age_seconds=60, clock=clock)
    store.put("s", framed())
    clock.advance(50)
    store.put("s", store.get("s"))
    clock.advance(50)
    assert subject(store.get("s")) == "brussels-antwerp", "100 s after the first put, but 50 s after the last"


# -- scale and threads --------------------------------------------------------------------------------

def test_should_stay_bounded_after_a_million_sessions():
    store = SessionStore(max_sessions=50)
    frame = framed()
    for number in range(1_000_000):
        store.put(f"chat-{number}", frame)
    assert len(store) == 50
    assert subject(store.get("chat-999999")) == "brussels-antwerp"
    assert subject(store.get("chat-999950")) == "brussels-antwerp"
    assert subject(store.get("chat-999949")) is None
    assert subject(store.get("chat-0")) is None


def test_should_stay_bounded_and_consistent_under_threads():
    store = SessionStore(max_sessions=100)
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def worker(index: int) -> None:
        try:
            start.wait(timeout=JOIN_TIMEOUT)
            for number in range(5_000):
                name = f"t{index}-{number % 300}"
                state = store.get(name) or framed()
                state["shown"] = [index, number]
                state["focus"] = [{"collection": "applicants", "rank": 1, "name": f"t{index}"}]
                store.put(name, state)
                if number % 7 == 0:
                    store.clear(f"t{index}-{(number + 1) % 300}")
                assert len(store) <= 100
            store.put(f"mine-{index}", framed(organization=f"t{index}"))
        except BaseException as error:  # reported below, with the thread's own traceback
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    assert not errors, errors
    assert len(store) <= 100
    for index in range(8):
        got = store.get(f"mine-{index}")
        assert organization(got) in (None, f"t{index}"), "a state never carries another thread's data"
    for index in range(8):
        for number in range(300):
            got = store.get(f"t{index}-{number}")
            assert organization(got) in (None, f"t{index}"), "a state never carries another thread's data"
            assert not got or not got.get("shown") or got["shown"][0] == index


# -- through the Answerer ----------------------------------------------------------------------------

TOP = "who is the top PCT applicant in Brussels–Antwerp?"
SECOND = "And the second?"


@pytest.fixture(scope="module")
def answerer() -> Answerer:
    return Answerer()


def follows_up(answerer: Answerer, session: str) -> bool:
    """True when 'And the second?' still resolves to the second PCT applicant."""
    return "K.U. Leuven Research" in answerer.ask(SECOND, session=session).text


def test_should_resolve_a_follow_up_while_the_context_is_fresh(answerer):
    session = f"fresh-{uuid.uuid4().hex}"
    answerer.ask(TOP, session=session)
    assert follows_up(answerer, session)


def test_should_lose_the_least_recent_conversation_past_max_sessions():
    small = Answerer(max_sessions=2)
    small.ask(TOP, session="first")
    small.ask(TOP, session="second")
    small.ask(TOP, session="third")
    assert len(small.sessions) == 2
    assert not follows_up(small, "first"), "the first session was dropped"
    assert follows_up(small, "third")


@pytest.mark.parametrize("idle_turns,kept", [(9, True), (10, False)])
def test_should_expire_context_after_ten_turns_that_update_nothing(answerer, idle_turns, kept):
    session = f"idle-{uuid.uuid4().hex}"
    answerer.ask(TOP, session=session)
    for _ in range(idle_turns):
        assert answerer.ask("asdf qwerty zxcv", session=session).status == "not_understood"
    assert follows_up(answerer, session) is kept


def test_should_expire_context_after_thirty_minutes_of_silence(answerer):
    clock = FakeClock()
    timed = Answerer(knowledge=answerer.knowledge)
    timed.sessions = SessionStore(max_age_seconds=30 * 60, clock=clock)
    timed.ask(TOP, session="quiet")
    timed.ask(TOP, session="busy")
    clock.advance(29 * 60)
    assert follows_up(timed, "busy")
    clock.advance(2 * 60)
    assert not follows_up(timed, "quiet"), "31 minutes of silence"
    assert follows_up(timed, "busy"), "the busy session spoke 2 minutes ago"
