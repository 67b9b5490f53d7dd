"""Calls that fit the server, over real HTTP to the stub: slots, adaptive timeouts, no blind resend of an
abandoned request, Ctrl-C, and structured output through whichever mode the server offers."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from pydantic import BaseModel
from reportgraph.tools.llm import (
    MAX_STRUCTURED_ATTEMPTS,
    STRUCTURED_MODES,
    LLMSettings,
    ModelCallInterrupted,
    ModelTimeoutError,
    cancel_model_calls,
    interrupt_model_calls_on_sigint,
    invoke_structured,
    is_transient_error,
    make_chat_model,
    reply_notes,
    server_context_window,
    structured_mode,
)
from reportgraph.tools.llm.calls import (
    MIN_TIMEOUT_S,
    PROMPT_WEIGHT,
    TIMEOUT_SLACK,
    CallLimits,
    EndpointSlots,
    ServerGate,
    endpoint_slots,
)
from stub_openai import HOLD_LIMIT_S, StubOpenAI, StubRule


def model(stub: StubOpenAI, **settings: Any) -> Any:
    values: dict[str, Any] = {"model": "stub-model", "base_url": stub.url, "timeout_s": 10.0,
                              "max_retries": 1, "max_concurrent": 1, **settings}
    return make_chat_model(LLMSettings(**values))


class Outline(BaseModel):
    """Sections and their search queries."""

    sections: list[str]


OUTLINE_JSON = '{"sections": ["origin", "brewing"]}'


# ---------------------------------------------------------------- slots and timeouts


# A request the stub holds is never answered in time, whatever the load, so the timeout it meets only sets
# how long the test takes; a request answered at once gets at least ANSWER_TIMEOUT_S (a loopback answer
# takes milliseconds: a bound, not a window).
HELD_TIMEOUT_S = 0.3
ANSWER_TIMEOUT_S = 2.0


class TurnedAway:
    """An endpoint's slot semaphore (``EndpointSlots._slots``) that notes the threads it turned away: a
    call turned away is queued for a slot, which no wait of the test's could otherwise tell."""

    def __init__(self, permits: threading.BoundedSemaphore) -> None:
        self.permits = permits
        self.threads: set[int] = set()
        self.changed = threading.Condition()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if self.permits.acquire(blocking=False):
            return True
        with self.changed:
            self.threads.add(threading.get_ident())
            self.changed.notify_all()
        return self.permits.acquire(blocking, timeout)

    def release(self) -> None:
        self.permits.release()

    def wait(self, count: int) -> bool:
        """Until ``count`` threads were turned away; False after HOLD_LIMIT_S (only a broken gate waits)."""
        with self.changed:
            return self.changed.wait_for(lambda: len(self.threads) >= count, HOLD_LIMIT_S)


def turned_away(monkeypatch: pytest.MonkeyPatch, slots: EndpointSlots) -> TurnedAway:
    watched = TurnedAway(slots._slots)
    monkeypatch.setattr(slots, "_slots", watched)
    return watched


@pytest.mark.parametrize("slots", [1, 3])
def test_requests_in_flight_never_exceed_the_endpoint_slots(
    slots: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The server holds every request until ``slots`` have arrived and the other calls were turned away
    # from a slot: a gate that let one more through would never turn away as many.
    release = threading.Event()
    with StubOpenAI([StubRule(match=["draft"], content="ok", hold=release)]) as stub:
        queued = turned_away(monkeypatch, endpoint_slots(stub.url, "stub-model", slots))
        chat = model(stub, max_concurrent=slots)
        with ThreadPoolExecutor(4) as pool:
            try:
                replies = pool.map(lambda i: chat.invoke(f"draft {i}").content, range(4))
                assert stub.wait_served(slots, "draft") and queued.wait(4 - slots)
                assert stub.in_flight == slots
            finally:
                release.set()
            assert list(replies) == ["ok"] * 4
    assert stub.peak_in_flight == slots and len(stub.requests) == 4


def test_a_queued_request_does_not_spend_its_timeout_waiting_for_a_slot(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another caller of the process (the test) holds the endpoint's only slot until the call was turned
    # away from it: the call is then sent with its whole timeout, as the SDK's read-timeout header states.
    with StubOpenAI([StubRule(match=["draft"], content="ok")]) as stub:
        slots = endpoint_slots(stub.url, "stub-model", 1)
        queued = turned_away(monkeypatch, slots)
        chat = model(stub, timeout_s=ANSWER_TIMEOUT_S, max_retries=0)
        with ThreadPoolExecutor(1) as pool:
            with slots.slot():
                reply = pool.submit(chat.invoke, "draft")
                assert queued.wait(1) and not stub.requests
            assert reply.result().content == "ok"
    [request] = stub.requests
    assert request.read_timeout == ANSWER_TIMEOUT_S


def test_the_timeout_adapts_to_the_measured_speed() -> None:
    gate, limits = ServerGate(EndpointSlots(1)), CallLimits(timeout_s=120.0)
    assert gate.timeout_for(1000, 500, limits) == 120.0, "before any answer: the configured timeout"
    gate.observe(prompt_tokens=1000, completion_tokens=100, seconds=10.0)  # (100 + 0.1*1000)/10 = 20/s
    expected = TIMEOUT_SLACK * (500 + PROMPT_WEIGHT * 1000) / 20
    assert gate.timeout_for(1000, 500, limits) == pytest.approx(expected)  # 90 s, not the fixed 120
    assert gate.timeout_for(10, 10, limits) == MIN_TIMEOUT_S
    gate.observe(prompt_tokens=1000, completion_tokens=100, seconds=40.0)  # a slower answer counts
    assert gate.timeout_for(1000, 500, limits) > expected


def test_a_timed_out_request_is_resent_only_once_the_server_should_be_done(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first request is held (it times out whatever the load), the resend is answered at once.
    never = threading.Event()
    rules = [StubRule(match=["draft"], content="late", hold=never, times=1),
             StubRule(match=["draft"], content="resent")]
    with StubOpenAI(rules) as stub:
        slots = endpoint_slots(stub.url, "stub-model", 1)
        closed: list[float] = []  # for how long the client closed the slot, seconds
        close = slots.hold
        monkeypatch.setattr(slots, "hold", lambda seconds: (closed.append(seconds), close(seconds)))
        reply = model(stub, timeout_s=ANSWER_TIMEOUT_S / 2, max_retries=1).invoke("draft")
        never.set()
    assert reply.content == "resent"
    first, second = stub.requests
    # The slot stayed closed as long again as the client waited (no less than its timeout: a socket
    # timeout never fires early), and the resend, with twice the timeout, came only once it opened.
    [seconds] = closed
    assert seconds >= ANSWER_TIMEOUT_S / 2
    assert second.at >= slots.busy_until > first.at
    assert (first.read_timeout, second.read_timeout) == (ANSWER_TIMEOUT_S / 2, ANSWER_TIMEOUT_S)


def test_a_server_slower_than_every_timeout_ends_with_a_timeout_error_nodes_do_not_retry() -> None:
    never = threading.Event()  # the server answers no request until the test is over
    with StubOpenAI([StubRule(match=["draft"], content="late", hold=never)]) as stub:
        chat = model(stub, timeout_s=HELD_TIMEOUT_S, max_retries=1)
        with pytest.raises(ModelTimeoutError) as raised:
            chat.invoke("draft")
        never.set()
    assert len(stub.requests) == 2, "one resend, no more"
    assert not is_transient_error(raised.value)


def _after_arrival(rule: StubRule, action: Callable[[], object]) -> threading.Thread:
    """``action`` once the held request has reached the server (the call is then waiting on it)."""

    def act() -> None:
        assert rule.arrived.wait(HOLD_LIMIT_S)
        action()

    thread = threading.Thread(target=act, daemon=True)
    thread.start()
    return thread


def test_cancelling_stops_a_waiting_call_at_once() -> None:
    # The request is held until the test ends: only the cancel can end the call (a broken cancel gets
    # "ok" after HOLD_LIMIT_S instead of the exception).
    rule = StubRule(match=["draft"], content="ok", hold=threading.Event())
    with StubOpenAI([rule]) as stub:
        chat = model(stub, timeout_s=HOLD_LIMIT_S * 2)
        with interrupt_model_calls_on_sigint():
            _after_arrival(rule, cancel_model_calls)
            with pytest.raises(ModelCallInterrupted):
                chat.invoke("draft")
        assert rule.hold is not None and not rule.hold.is_set()
        rule.hold.set()


def test_sigint_interrupts_a_call_promptly() -> None:
    rule = StubRule(match=["draft"], content="ok", hold=threading.Event())
    with StubOpenAI([rule]) as stub:
        chat = model(stub, timeout_s=HOLD_LIMIT_S * 2)
        with interrupt_model_calls_on_sigint(), pytest.raises(KeyboardInterrupt):
            _after_arrival(rule, lambda: os.kill(os.getpid(), signal.SIGINT))
            chat.invoke("draft")
        assert rule.hold is not None and not rule.hold.is_set()  # stopped with the request unanswered
        rule.hold.set()


def test_every_request_carries_max_tokens_and_a_cut_reply_says_so() -> None:
    with StubOpenAI([StubRule(match=["draft"], content="word " * 100)]) as stub:
        reply = model(stub).invoke("draft", max_tokens=10)
        model(stub).invoke("draft")
    assert [r.body.get("max_tokens") for r in stub.requests] == [10, 1024]
    assert reply.response_metadata["finish_reason"] == "length"
    assert ("reply cut at max_tokens", {"max_tokens": 10}) in reply_notes(reply)


def test_the_context_window_is_read_from_the_server_when_it_says() -> None:
    with StubOpenAI([], context_window=4096) as stub:
        assert server_context_window(stub.url, "stub-model") == 4096
    with StubOpenAI([]) as silent:
        assert server_context_window(silent.url, "stub-model") is None


# ---------------------------------------------------------------- structured output


@pytest.mark.parametrize(
    ("accepts", "mode"),
    [
        (("json_schema", "json_mode", "function_calling"), "json_schema"),
        (("json_mode", "function_calling"), "json_mode"),  # json_schema answered with 500, as llama.cpp
        (("function_calling",), "function_calling"),
        ((), "plain"),
    ],
)
def test_structured_output_uses_the_first_mode_the_server_offers(accepts: tuple[str, ...], mode: str) -> None:
    rules = [StubRule(match=["Plan the sections"], content=OUTLINE_JSON, tool_arguments=OUTLINE_JSON)]
    with StubOpenAI(rules, accepts=accepts) as stub:
        chat = model(stub)
        reply = invoke_structured(chat, Outline, [("human", "Plan the sections")])
        again = invoke_structured(chat, Outline, [("human", "Plan the sections")])
        assert structured_mode(chat) == (mode, None), "probed once, then remembered"
    assert reply.value == Outline(sections=["origin", "brewing"]) and reply.mode == mode
    probe = reply.replies[0].response_metadata["structured_probe"]
    assert probe[mode] == "ok" and list(probe) == list(STRUCTURED_MODES[: STRUCTURED_MODES.index(mode) + 1])
    assert all(outcome.startswith("rejected") for tried, outcome in probe.items() if tried != mode)
    assert "structured_probe" not in again.replies[0].response_metadata
    served = stub.served("Plan the sections")
    if mode in ("json_schema", "json_mode"):
        wanted = {"json_schema": "json_schema", "json_mode": "json_object"}[mode]
        assert all(r.body["response_format"]["type"] == wanted for r in served)
    assert all((r.tool is not None) == (mode == "function_calling") for r in served)


def test_an_unreadable_structured_reply_is_asked_again_with_its_parse_error() -> None:
    rules = [StubRule(match=["Plan the sections"], content='{"sections": "origin"', times=1),
             StubRule(match=["Plan the sections"], content=f"<think>now right</think>{OUTLINE_JSON}")]
    with StubOpenAI(rules, accepts=("json_mode",)) as stub:
        reply = invoke_structured(model(stub), Outline, [("human", "Plan the sections")])
    assert reply.value is not None and len(reply.replies) == 2
    retry = stub.served("Plan the sections")[1].prompt
    assert "could not be read" in retry and "no Outline in the reply" in retry
    assert reply.replies[0].response_metadata["structured_failure"].startswith("no Outline")


def test_structured_retries_are_bounded() -> None:
    rules = [StubRule(match=["Plan the sections"], content="I cannot do JSON.")]
    with StubOpenAI(rules, accepts=()) as stub:
        reply = invoke_structured(model(stub), Outline, [("human", "Plan the sections")])
    assert reply.value is None and "no JSON" in reply.problem
    assert len(stub.served("Plan the sections")) == MAX_STRUCTURED_ATTEMPTS


def test_a_structured_reply_cut_at_max_tokens_is_asked_again_saying_so() -> None:
    # Objects where the schema wants strings: what json-repair keeps of the cut reply does not validate.
    rules = [StubRule(match=["Plan the sections"], content='{"sections": [' + '{"x": 1}, ' * 400, times=1),
             StubRule(match=["Plan the sections"], content=OUTLINE_JSON)]
    with StubOpenAI(rules, accepts=("json_mode",)) as stub:
        reply = invoke_structured(model(stub), Outline, [("human", "Plan the sections")], max_tokens=100)
    assert reply.value is not None and len(reply.replies) == 2
    assert "cut off at the token limit (max_tokens 100)" in stub.served("Plan the sections")[1].prompt
