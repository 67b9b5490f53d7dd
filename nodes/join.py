"""join: where the two evidence branches meet, once both have finished (a deferred node).

``retrieve`` and ``video_analyse`` (with ``video_fallback`` after a failed analysis) run side by side: neither
reads what the other writes. This node then deals the video's timestamped segments into the sections'
evidence, which needs retrieve's outline and packs, and hands every section to ``draft``.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from reportgraph.graph.context import Context
from reportgraph.graph.state import ReportState
from reportgraph.nodes.clock import drafting_started
from reportgraph.nodes.common import NodeRecord
from reportgraph.nodes.video import assign_to_sections
from reportgraph.tools.registry import SourceRecord


def video_records(state: ReportState) -> list[SourceRecord]:
    """The registry's video segments, in the order the video nodes wrote them (the registry's reducer keeps
    each write's order, whichever branch wrote first)."""
    return [SourceRecord.model_validate(r) for r in (state.get("sources") or {}).values()
            if r.get("kind") == "video"]


def join(state: ReportState, runtime: Runtime[Context]) -> dict[str, Any]:
    record = NodeRecord("join")
    drafting_started(runtime.context)  # the time budget of the rounds counts from here
    evidence = state.get("evidence") or {}
    records = video_records(state)
    # Each section's retrieved ids without video ids from an earlier pass, so joining twice adds nothing.
    video_ids = {r.id for r in records}
    retrieved = {key: [i for i in ids if i not in video_ids] for key, ids in evidence.items()}
    update: dict[str, Any] = {"events": record.finish(video_records=len(records))}
    if records:
        update["evidence"] = assign_to_sections(records, state.get("outline") or [], retrieved)
    return update
