"""The run's time budget (nodes/clock.py): a request's share of it, the next round's projection, the
evidence cut to fit it, and validate's decision."""

from __future__ import annotations

import time
from typing import Any

import pytest
from reportgraph.nodes.clock import ROUND_SHARE, drafting_started, next_round_projection, request_allowance_s
from reportgraph.nodes.context import Context
from reportgraph.nodes.draft import fit_evidence, format_evidence
from reportgraph.nodes.validate import out_of_time
from reportgraph.tools.llm import estimate_tokens
from reportgraph.tools.llm.calls import PROMPT_WEIGHT, gate_for
from reportgraph.tools.registry import SourceRecord


def started_ago(seconds: float, **settings: Any) -> Context:
    context = Context(**settings)
    started = time.time() - seconds
    context.memo.once(("drafting_started",), lambda: started)
    assert drafting_started(context) == started
    return context


def test_a_request_gets_its_share_of_half_the_time_left() -> None:
    context = started_ago(600, time_budget_s=1800, request_timeout_s=900, max_model_calls=1)
    # 1200 s left; a round of four requests served one at a time may take half of it.
    assert request_allowance_s(context, 4) == pytest.approx(1200 * ROUND_SHARE / 4, abs=2)
    two_slots = started_ago(600, time_budget_s=1800, request_timeout_s=900, max_model_calls=2)
    assert request_allowance_s(two_slots, 4) == pytest.approx(1200 * ROUND_SHARE / 2, abs=2)
    # The request timeout still bounds it, and a spent budget leaves nothing.
    assert request_allowance_s(started_ago(0, time_budget_s=1800, request_timeout_s=100), 1) == 100
    assert request_allowance_s(started_ago(2000, time_budget_s=1800), 4) == 0
    assert request_allowance_s(started_ago(2000, time_budget_s=0, request_timeout_s=77), 4) == 77


def node(name: str, finished_at: float, **data: Any) -> dict[str, Any]:
    return {"kind": "node", "node": name, "finished_at": finished_at, **data}


def test_the_next_round_is_projected_from_the_round_just_drafted() -> None:
    events = [node("plan", 10), node("join", 100), node("draft", 300, round=1), node("draft", 400, round=1),
              node("draft", 500, round=1), node("draft", 600, round=1)]
    # Round 1 ran from join (100) to now (700): 600 s for 4 sections; 2 to redraft → 300 s.
    assert next_round_projection(events, 1, 2, now=700) == pytest.approx(300)
    events += [node("validate", 700, round=1), node("draft", 800, round=2), node("draft", 900, round=2)]
    assert next_round_projection(events, 2, 1, now=1000) == pytest.approx(150), "from the last validate"
    assert next_round_projection([node("plan", 10)], 1, 2, now=50) is None
    # Resumed at 950 after a pause: the round counts from the resumed run's clock, not from before the pause.
    assert next_round_projection(events, 2, 2, now=1000, clock_started=950) == pytest.approx(50)


def test_out_of_time_when_the_projection_does_not_fit_or_nothing_is_left() -> None:
    assert out_of_time({"left_s": 299.0, "projected_next_round_s": 300.0})
    assert not out_of_time({"left_s": 301.0, "projected_next_round_s": 300.0})
    assert out_of_time({"left_s": -1.0, "projected_next_round_s": None})
    assert not out_of_time({"left_s": 5.0, "projected_next_round_s": None})
    assert not out_of_time(None)


RECORDS = [SourceRecord(id=f"lc-{n:010d}-1", kind="corpus", segment="chunk", source_file="long_context.json",
                        title=f"doc {n}", chunk_index=1, text="茶" * 400) for n in range(6)]


def test_evidence_is_cut_to_the_time_a_request_may_take_but_never_to_nothing() -> None:
    context = Context(chat_model="budget-test-model", base_url="http://127.0.0.1:9/v1", context_window=32768,
                      max_tokens_headroom=1.5)
    gate = gate_for(context.base_url, context.chat_model, context.max_model_calls, context.memo)
    gate.tokens_per_s = 20.0  # weighted tokens per second, as measured
    cost = estimate_tokens(format_evidence([RECORDS[0]])) + 2
    max_tokens = 500
    fixed = "x" * 400  # the prompt around the evidence: 100 tokens
    # 25 s at 20/s = 500 weighted tokens: the budget's reply (max_tokens without its 1.5 headroom, 333),
    # then (500 - 333) / PROMPT_WEIGHT of prompt, 100 of it fixed.
    fit = fit_evidence(RECORDS, fixed, max_tokens, context, seconds_allowed=25)
    assert len(fit.kept) == (int((25 * 20 - max_tokens / 1.5) / PROMPT_WEIGHT) - 100) // cost
    assert 0 < len(fit.kept) < len(RECORDS) and fit.seconds_allowed == 25
    assert fit.cut == [r.id for r in RECORDS[len(fit.kept):]], "lowest-ranked records go first"
    assert fit_evidence(RECORDS, fixed, max_tokens, context, seconds_allowed=3600).cut == []
    starved = fit_evidence(RECORDS, fixed, max_tokens, context, seconds_allowed=0)
    assert starved.kept == RECORDS[:1], "the top record stays: a draft without evidence cites nothing"
