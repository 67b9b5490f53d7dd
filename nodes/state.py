"""Graph state: what the nodes hand each other. The requirement spec is a pydantic object (checkpoints keep
it through LangGraph's serializer, the server API as its JSON); the rest is JSON data with declared shapes,
so Studio and the server API carry it as is."""

from __future__ import annotations

import operator
from typing import Annotated, Any, Literal, NotRequired

# pydantic (and so the server's /schemas for Studio) needs typing_extensions' TypedDict on Python < 3.12.
from pydantic import Field
from reportgraph.tools.intake.spec import RequirementSpec
from typing_extensions import TypedDict

RunStatus = Literal["running", "pass", "needs_review", "bad_input"]
# The pydantic types the state holds, which a checkpointer restores (graph/checkpoints.py's serializer).
CHECKPOINT_TYPES = [(RequirementSpec.__module__, RequirementSpec.__name__)]


def merge_dicts(left: dict[str, Any] | None, right: dict[str, Any] | None) -> dict[str, Any]:
    """Reducer for keyed collections (registry, drafts): later writes win per key."""
    return {**(left or {}), **(right or {})}


class OutlineItem(TypedDict):
    """One required section as plan outlines it: the spec's section, its search queries and its length
    budget in the spec's unit; retrieve adds the offline writer's plan (``offline``,
    tools/writing/section_plan.py)."""

    index: int
    title: str
    heading: str
    focus: str
    queries: list[str]
    budget: int
    offline: NotRequired[dict[str, Any]]


class VideoOutcome(TypedDict, total=False):
    """What the video nodes found: ``status`` ok / partial / failed / absent, the report's disclosure of
    what could not be analysed, each video's analysis summary, and the fallback taken."""

    status: str
    disclosure: str
    analyses: list[dict[str, Any]]
    fallback: dict[str, Any]


class InputState(TypedDict):
    task_dir: Annotated[
        str,
        Field(description="The task folder: task.md plus its materials (corpus JSON, PDFs, videos…)"),
    ]


class OutputState(TypedDict, total=False):
    status: RunStatus
    report_markdown: str
    output_dir: str
    validation: dict[str, Any]
    error: dict[str, str]


class ReportState(InputState, total=False):
    # plan
    task_text: str
    task_notes: list[str]
    inventory: dict[str, Any]
    spec: RequirementSpec
    outline: list[OutlineItem]
    drafting_mode: Literal["llm", "extractive"]
    # retrieve / video-analyse
    sources: Annotated[dict[str, dict[str, Any]], merge_dicts]
    evidence: Annotated[dict[str, list[str]], merge_dicts]
    retrieval: dict[str, Any]
    video: VideoOutcome
    # draft / validate
    drafts: Annotated[dict[str, str], merge_dicts]
    # Section index → feedback on what its model reply did wrong and code could not fix (pasted evidence,
    # repeated blocks, a reply cut at max_tokens …; tools/writing/replies.py). validate fails those sections.
    draft_defects: Annotated[dict[str, list[str]], merge_dicts]
    # The evidence-gap loop (nodes/gaps.py). validate sets evidence_gaps: section index → facet name → the
    # facet's terms, for sections whose evidence lacks a facet (empty once the loop's bound is reached);
    # retrieve then searches for them, clears it and counts gap_round.
    evidence_gaps: dict[str, dict[str, list[str]]]
    gap_round: int
    round: int
    feedback: dict[str, list[str]]
    validation: dict[str, Any]
    report_markdown: str
    output_dir: str
    status: RunStatus
    error: dict[str, str]
    # run record
    events: Annotated[list[dict[str, Any]], operator.add]


class DraftTask(TypedDict):
    """What one `draft` invocation receives through `Send`: a single section and its evidence."""

    section: OutlineItem
    spec: RequirementSpec
    # The task's own text: the writer's instructions (tools/writing/brief.py), never evidence.
    task_text: str
    evidence: list[dict[str, Any]]
    budget: int
    round: int
    # How many sections this round drafts: a request's share of the time budget (nodes/clock.py).
    requests_in_round: int
    feedback: list[str]
    previous_text: str
    video_disclosure: str
    drafting_mode: Literal["llm", "extractive"]
