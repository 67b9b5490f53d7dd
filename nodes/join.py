"""join: where the two evidence branches meet, once both have finished (a deferred node).

``retrieve`` and ``video_analyse`` (with ``video_fallback`` after a failed analysis) run side by side: neither
reads what the other writes. This node then deals the video's timestamped segments into the sections'
evidence, which needs retrieve's outline and packs, and hands every section to ``draft``.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from reportgraph.nodes.clock import drafting_started
from reportgraph.nodes.common import NodeRecord
from reportgraph.nodes.context import Context
from reportgraph.nodes.state import ReportState
from reportgraph.tools.checking.support import content_tokens
from reportgraph.tools.registry import SourceRecord

VIDEO_RECORDS_PER_VIDEO_SECTION = 40
VIDEO_RECORDS_PER_OTHER_SECTION = 2


def assign_to_sections(
    records: list[SourceRecord], outline: list[dict[str, Any]], evidence: dict[str, list[str]]
) -> dict[str, list[str]]:
    """Video-focused sections get the whole timeline; others the few segments closest to their queries."""
    updated = {}
    for item in outline:
        key = str(item["index"])
        if item.get("focus") == "video":
            chosen = records[:VIDEO_RECORDS_PER_VIDEO_SECTION]
        else:
            terms = content_tokens(" ".join(item.get("queries", [])))
            content = [r for r in records if r.segment != "metadata"]
            scored = sorted(content, key=lambda r: -len(terms & content_tokens(r.text)))
            chosen = [r for r in scored[:VIDEO_RECORDS_PER_OTHER_SECTION] if terms & content_tokens(r.text)]
        if item.get("focus") == "video":
            updated[key] = [r.id for r in chosen] + list(evidence.get(key, []))
        else:
            updated[key] = list(evidence.get(key, [])) + [r.id for r in chosen]
    return updated


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
