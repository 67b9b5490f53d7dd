"""Graph state. Values are plain JSON data so checkpoints, Studio and the server API carry them as is."""

from __future__ import annotations

import operator
from typing import Annotated, Any, Literal

# pydantic (and so the server's /schemas for Studio) needs typing_extensions' TypedDict on Python < 3.12.
from pydantic import Field
from typing_extensions import TypedDict

RunStatus = Literal["running", "pass", "needs_review", "bad_input"]


def merge_dicts(left: dict[str, Any] | None, right: dict[str, Any] | None) -> dict[str, Any]:
    """Reducer for keyed collections (registry, drafts): later writes win per key."""
    return {**(left or {}), **(right or {})}


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
    spec: dict[str, Any]
    outline: list[dict[str, Any]]
    drafting_mode: Literal["llm", "extractive"]
    # retrieve / video-analyse
    sources: Annotated[dict[str, dict[str, Any]], merge_dicts]
    evidence: Annotated[dict[str, list[str]], merge_dicts]
    retrieval: dict[str, Any]
    video: dict[str, Any]
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

    section: dict[str, Any]
    spec: dict[str, Any]
    evidence: list[dict[str, Any]]
    budget: int
    round: int
    # How many sections this round drafts: a request's share of the time budget (nodes/clock.py).
    requests_in_round: int
    feedback: list[str]
    previous_text: str
    video_disclosure: str
    drafting_mode: Literal["llm", "extractive"]
