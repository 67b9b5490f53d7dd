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
from reportgraph.tools.llm.calls import MIN_TIMEOUT_S, PROMPT_WEIGHT, TIMEOUT_SLACK, CallLimits, ServerGate
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


@pytest.mark.parametrize("slots", [1, 3])
def test_requests_in_flight_never_exceed_the_endpoint_slots(slots: int) -> None:
    with StubOpenAI([StubRule(match=["draft"], content="ok", delay_s=1.0)]) as stub:
        chat = model(stub, max_concurrent=slots)
        with ThreadPoolExecutor(4) as pool:
            replies = list(pool.map(lambda i: chat.invoke(f"draft {i}").content, range(4)))
    assert replies == ["ok"] * 4
    assert stub.peak_in_flight == slots


def test_a_queued_request_does_not_spend_its_timeout_waiting_for_a_slot() -> None:
    # Three requests of 2 s each through one slot: the last waits 4 s for the slot, longer than its 3 s
    # timeout; it still succeeds, because the timeout starts when it is sent (a second of slack per request
    # for a loaded machine, not a sub-second window).
    with StubOpenAI([StubRule(match=["draft"], content="ok", delay_s=2.0)]) as stub:
        chat = model(stub, timeout_s=3.0, max_retries=0)
        with ThreadPoolExecutor(3) as pool:
            replies = list(pool.map(lambda i: chat.invoke(f"draft {i}").content, range(3)))
    assert replies == ["ok"] * 3
    assert len(stub.requests) == 3


def test_the_timeout_adapts_to_the_measured_speed() -> None:
    gate, limits = ServerGate(1), CallLimits(timeout_s=120.0)
    assert gate.timeout_for(1000, 500, limits) == 120.0, "before any answer: the configured timeout"
    gate.observe(prompt_tokens=1000, completion_tokens=100, seconds=10.0)  # (100 + 0.1*1000)/10 = 20/s
    expected = TIMEOUT_SLACK * (500 + PROMPT_WEIGHT * 1000) / 20
    assert gate.timeout_for(1000, 500, limits) == pytest.approx(expected)  # 90 s, not the fixed 120
    assert gate.timeout_for(10, 10, limits) == MIN_TIMEOUT_S
    gate.observe(prompt_tokens=1000, completion_tokens=100, seconds=40.0)  # a slower answer counts
    assert gate.timeout_for(1000, 500, limits) > expected


def test_a_timed_out_request_is_resent_only_once_the_server_should_be_done() -> None:
    with StubOpenAI([StubRule(match=["draft"], content="late", delay_s=0.9)]) as stub:
        chat = model(stub, timeout_s=0.5, max_retries=1)
        reply = chat.invoke("draft")
    assert reply.content == "late"
    first, second = stub.requests
    # 0.5 s timeout, then the slot stays closed as long again before the resend (with a 1 s timeout)
    assert second.at - first.at >= 0.95


def test_a_server_slower_than_every_timeout_ends_with_a_timeout_error_nodes_do_not_retry() -> None:
    never = threading.Event()  # the server answers no request until the test is over
    with StubOpenAI([StubRule(match=["draft"], content="late", hold=never)]) as stub:
        chat = model(stub, timeout_s=0.3, max_retries=1)
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
