"""The wiring: plan → {retrieve, video_analyse} → join → draft (one per section) → validate → draft …
→ finish.

retrieve and video_analyse run side by side (neither reads the other's output); ``join`` is deferred, so it
runs once both branches are done. Routers are pure functions of state. Failed video analysis routes through
``video_fallback``; validate sends only the failing sections back to draft, for at most
``Context.max_revision_rounds`` rounds, through ``gap_search`` first when their evidence lacks a facet;
``finish`` renders and writes the outputs once the run has a status.
"""

from __future__ import annotations

from typing import Any, Literal

from langgraph.graph import END, START, StateGraph
from langgraph.types import RetryPolicy, Send
from reportgraph.nodes.context import Context
from reportgraph.nodes.draft import draft
from reportgraph.nodes.finish import finish
from reportgraph.nodes.gaps import gap_search
from reportgraph.nodes.join import join
from reportgraph.nodes.plan import plan
from reportgraph.nodes.retrieve import retrieve
from reportgraph.nodes.state import DraftTask, InputState, OutputState, ReportState
from reportgraph.nodes.validate import validate
from reportgraph.nodes.video import video_analyse, video_fallback
from reportgraph.tools.llm import is_transient_error
from reportgraph.tools.writing.report import DISCLOSED_VIDEO_STATUSES

# On top of the client's own retries of each request (Context.max_retries): a node that still fails for
# what a provider may get over (rate limits, 5xx, timeouts, dropped connections) is run again after 1 s,
# then 2 s; a provider down for longer ends the run with ModelUnavailableError, and a checkpointer keeps
# the state of every node that finished.
MODEL_RETRY = RetryPolicy(
    max_attempts=3, initial_interval=1.0, max_interval=10.0, retry_on=is_transient_error
)


def draft_tasks(state: ReportState, indices: list[int]) -> list[Send]:
    """One Send per section to (re)draft, carrying its evidence, budget and feedback."""
    spec = state["spec"]
    registry = state.get("sources") or {}
    evidence = state.get("evidence") or {}
    video = state.get("video") or {}
    disclosure = video.get("disclosure", "") if video.get("status") in DISCLOSED_VIDEO_STATUSES else ""
    feedback = state.get("feedback") or {}
    drafts = state.get("drafts") or {}
    sends = []
    items = [item for item in state.get("outline") or [] if item["index"] in indices]
    for item in items:
        key = str(item["index"])
        task: DraftTask = {
            "section": item,
            "spec": spec,
            "task_text": state.get("task_text", ""),
            "evidence": [registry[i] for i in evidence.get(key, []) if i in registry],
            "budget": item["budget"],
            "round": state.get("round", 1),
            "requests_in_round": len(items),
            "feedback": feedback.get(key, []),
            "previous_text": drafts.get(key, ""),
            "video_disclosure": disclosure if item.get("focus") == "video" else "",
            "drafting_mode": state.get("drafting_mode", "extractive"),
        }
        sends.append(Send("draft", task))
    return sends


def all_sections(state: ReportState) -> list[int]:
    return [item["index"] for item in state.get("outline") or []]


def route_after_plan(state: ReportState) -> list[str]:
    """Both evidence branches at once, or the end when the task could not be read."""
    return [END] if state.get("status") == "bad_input" else ["retrieve", "video_analyse"]


def route_after_video(state: ReportState) -> Literal["video_fallback", "join"]:
    failed = (state.get("video") or {}).get("status") in DISCLOSED_VIDEO_STATUSES
    return "video_fallback" if failed else "join"


def failing_sections(state: ReportState) -> list[int]:
    return [int(key) for key in state.get("feedback") or {}]


def route_after_join(state: ReportState) -> Literal["__end__"] | list[Send]:
    """Retrieve may find the materials unusable (bad_input); otherwise every section is drafted, or after
    an evidence-gap search (``gap_round`` set) the sections validate failed."""
    if state.get("status") == "bad_input":
        return "__end__"
    return draft_tasks(state, failing_sections(state) if state.get("gap_round") else all_sections(state))


def route_after_validate(state: ReportState) -> Literal["finish", "gap_search"] | list[Send]:
    """finish once the run has a status (pass / needs_review); the gap search when failing sections lack
    evidence for a facet (``evidence_gaps``, bounded by ``Context.max_gap_rounds``, see nodes/gaps.py);
    else redraft the failing sections."""
    if state.get("status") != "running":
        return "finish"
    if state.get("evidence_gaps"):
        return "gap_search"
    return draft_tasks(state, failing_sections(state))


def build_graph() -> StateGraph[Any, Any, Any, Any]:
    builder = StateGraph(
        ReportState, context_schema=Context, input_schema=InputState, output_schema=OutputState
    )
    builder.add_node("plan", plan, retry_policy=MODEL_RETRY)
    builder.add_node("retrieve", retrieve)
    builder.add_node("video_analyse", video_analyse)
    builder.add_node("video_fallback", video_fallback)
    # defer: runs once, after every branch still in flight (retrieve, video_analyse, video_fallback) is done
    builder.add_node("join", join, defer=True)
    builder.add_node("draft", draft, retry_policy=MODEL_RETRY)
    builder.add_node("validate", validate, retry_policy=MODEL_RETRY)
    builder.add_node("gap_search", gap_search, retry_policy=MODEL_RETRY)
    builder.add_node("finish", finish)
    builder.add_edge(START, "plan")
    builder.add_conditional_edges("plan", route_after_plan, ["retrieve", "video_analyse", END])
    builder.add_edge("retrieve", "join")
    builder.add_conditional_edges("video_analyse", route_after_video, ["video_fallback", "join"])
    builder.add_edge("video_fallback", "join")
    builder.add_conditional_edges("join", route_after_join, ["draft", END])
    builder.add_edge("draft", "validate")
    builder.add_conditional_edges("validate", route_after_validate, ["draft", "gap_search", "finish"])
    builder.add_edge("gap_search", "join")
    builder.add_edge("finish", END)
    return builder


graph = build_graph().compile(name="reportgraph")
