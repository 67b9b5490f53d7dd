"""Structured replies cut at max_tokens (issue 15, a 0.5B model looping over its queries until the limit):
repaired with json-repair and used when what they hold validates, else asked once more for a shorter
answer, never the same request again. Scripted model: a reply longer than max_tokens x 4 characters is cut
and ends with finish_reason "length"."""

from __future__ import annotations

import json
from pathlib import Path

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime
from pydantic import BaseModel
from reportgraph.nodes.common import NodeRecord
from reportgraph.nodes.context import Context
from reportgraph.nodes.plan import llm_queries
from reportgraph.tools.intake.spec import RequirementSpec, SectionRequirement
from reportgraph.tools.llm import (
    ScriptedChatModel,
    ScriptRule,
    forget_scripted_models,
    invoke_structured,
    reply_notes,
    scripted_model,
)
from reportgraph.tools.llm.structured import complete_prefix, read_cut_structured


class SectionQueries(BaseModel):
    index: int
    queries: list[str]


class OutlinePlan(BaseModel):
    sections: list[SectionQueries]


LOOPING = '{"sections": [{"index": 1, "queries": [' + '"Where did the bicycle first come from?", ' * 60
MESSAGES = [("human", "Plan the sections")]


def test_a_cut_reply_that_repairs_into_a_valid_object_is_used_with_one_call() -> None:
    model = ScriptedChatModel(rules=[ScriptRule(match=["Plan the sections"], content=LOOPING)])
    reply = invoke_structured(model, OutlinePlan, MESSAGES, max_tokens=50)
    assert len(model.prompts) == 1 and reply.repaired and reply.value is not None
    assert reply.replies[0].response_metadata["finish_reason"] == "length"
    queries = reply.value.sections[0].queries
    # Only finished strings are kept: the one the cut fell in is dropped, not completed.
    assert queries and set(queries) == {"Where did the bicycle first come from?"}
    assert len(queries) == LOOPING[: 50 * 4].count('?", ')
    notes = dict(reply_notes(reply.replies[0]))
    assert "max_tokens (50)" in notes["structured reply repaired from a cut reply"]["how"]
    assert "structured reply unreadable" not in notes


def test_an_unrepairable_cut_reply_gets_one_shorter_request_naming_the_cut_then_the_fallback() -> None:
    # Strings where the schema wants objects: the repaired JSON does not validate, every time.
    looping = '{"sections": [' + '"What is the origin of the bicycle?", ' * 60
    model = ScriptedChatModel(rules=[ScriptRule(match=["Plan the sections"], content=looping)])
    reply = invoke_structured(model, OutlinePlan, MESSAGES, max_tokens=50, attempts=3)
    assert reply.value is None and not reply.repaired
    assert len(model.prompts) == 2  # not the three attempts: an identical request would loop again
    first, retry = model.prompts
    assert "token limit" not in first
    assert "cut off at the token limit (max_tokens 50)" in retry and "shorter" in retry
    assert looping[:100] not in retry  # the loop is not shown back to the model
    assert "cut off at max_tokens (50)" in reply.problem and "validation error" in reply.problem
    assert all("structured_failure" in r.response_metadata for r in reply.replies)


def test_a_cut_reply_then_a_short_answer_uses_the_short_answer() -> None:
    short = '{"sections": [{"index": 1, "queries": ["bicycle origin"]}]}'
    model = ScriptedChatModel(rules=[
        ScriptRule(match=["Plan the sections", "token limit"], content=short),
        ScriptRule(match=["Plan the sections"], content='{"sections": [' + '"x", ' * 60),
    ])
    reply = invoke_structured(model, OutlinePlan, MESSAGES, max_tokens=50)
    assert len(model.prompts) == 2 and not reply.repaired
    assert reply.value is not None and reply.value.sections[0].queries == ["bicycle origin"]


def test_the_complete_prefix_ends_at_the_last_finished_value_outside_strings() -> None:
    assert complete_prefix('{"a": ["x, y", "z\\", w') == '{"a": ["x, y"'
    assert complete_prefix('{"a": [1, 2], "b": "c') == '{"a": [1, 2]'
    assert complete_prefix('{"a": "unfinished') == ""


def test_a_tool_call_cut_at_max_tokens_is_repaired_from_its_malformed_arguments() -> None:
    # What langchain-openai makes of a function-calling reply cut mid-arguments: an invalid tool call.
    cut = AIMessage(content="", invalid_tool_calls=[{"name": "OutlinePlan", "args": LOOPING[:300], "id": "c1",
                                                     "error": "not JSON", "type": "invalid_tool_call"}],
                    response_metadata={"finish_reason": "length"})
    value, problem = read_cut_structured(OutlinePlan, cut, 75)
    assert value is not None and problem == "" and value.sections[0].index == 1
    assert "structured_repaired" in cut.response_metadata


def test_the_plan_uses_a_repaired_looping_outline_once_with_its_queries_deduplicated(tmp_path: Path) -> None:
    script = tmp_path / "script.json"
    script.write_text(json.dumps([{"match": ["Origins"], "content": LOOPING}]), encoding="utf-8")
    spec = RequirementSpec(language="en", topic="bicycles",
                           sections=[SectionRequirement(index=1, title="Origins", heading="1. Origins"),
                                     SectionRequirement(index=2, title="Design", heading="2. Design")])
    record = NodeRecord("plan")
    runtime = Runtime(context=Context(chat_model=f"scripted:{script}", llm="on", cache_dir=str(tmp_path)))
    try:
        queries = llm_queries(spec, "Write about bicycles.", runtime, record)
        calls = len(scripted_model(script).prompts)
    finally:
        forget_scripted_models()
    assert calls == 1 and queries == {1: ["Where did the bicycle first come from?"]}
    notes = [event["message"] for event in record.events if event["kind"] == "note"]
    assert "structured reply repaired from a cut reply" in notes
    assert not [event for event in record.events if event["kind"] == "fallback"]
