"""video_analyse and video_fallback: timestamped evidence from talks, and honesty when that fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime
from reportgraph.nodes.common import NodeRecord, emit
from reportgraph.nodes.context import Context, env, speech_configured
from reportgraph.nodes.state import ReportState
from reportgraph.prompts.video import NO_ANALYSIS
from reportgraph.tools.intake import Inventory, talks
from reportgraph.tools.registry import SourceRecord, to_registry
from reportgraph.tools.video import (
    McpConfigError,
    McpVideoTool,
    VideoAnalysis,
    analyse_or_reuse,
    combined_status,
    media_noun,
    read_mcp_config,
    sidecar_records,
    start_mcp_servers,
)


def mcp_video_tool(context: Context, record: NodeRecord) -> McpVideoTool | None:
    """The external video tool named in the MCP config file, when its server answers at start-up.

    An unusable config file and every listed server that cannot be reached (after retries) are recorded
    as fallbacks for run.json; the analysis then goes on without them.
    """
    if not context.mcp_config:
        return None
    try:
        config = read_mcp_config(context.mcp_config)
    except McpConfigError as error:
        record.fallback("mcp_config", f"{error}; external MCP tools skipped")
        return None
    startup = start_mcp_servers(config)
    for problem in startup.problems:
        record.fallback("mcp_server", problem)
    return startup.video_tool


def summarise(analysis: VideoAnalysis) -> dict[str, Any]:
    return analysis.model_dump(mode="json", exclude={"records"}) | {"records": len(analysis.records)}


def video_analyse(state: ReportState, runtime: Runtime[Context]) -> dict[str, Any]:
    record = NodeRecord("video_analyse")
    context = runtime.context
    stock = Inventory.model_validate(state["inventory"])
    spec = state["spec"]
    media = talks(stock, speech_configured(context))  # videos, and the audio files it can hear
    if not media:
        return {
            "video": {"status": "absent", "disclosure": "", "analyses": []},
            "events": record.finish(videos=0),
        }
    task_dir = Path(state["task_dir"])
    analyses: list[VideoAnalysis] = []
    mcp = mcp_video_tool(context, record)
    for name in media:

        def progress(step: str, detail: str, done: int | None = None, total: int | None = None,
                     video: str = name) -> None:
            counts = {} if total is None else {"stage": f"{step} {video}", "done": done, "total": total}
            emit(runtime, "video_analyse", f"{video}: {step} {detail}", video=video, step=step, **counts)

        analysis, reused = analyse_or_reuse(
            context, env().openai_api_key, task_dir, name, stock.subtitle, spec.language, mcp, progress
        )
        if reused:
            record.note(f"{name}: analysis reused from the cache (same file, subtitles and settings)")
        analyses.append(analysis)
        for problem in analysis.problems:
            record.note(f"{name}: {problem}")
    records = [r for a in analyses for r in a.records]
    status = combined_status(analyses)
    disclosure = " ".join(
        a.disclosure_for(spec.language) for a in analyses if a.disclosure_for(spec.language)
    )
    emit(runtime, "video_analyse", f"video analysis {status}: {len(records)} timestamped pieces")
    return {
        "video": {"status": status, "disclosure": disclosure, "analyses": [summarise(a) for a in analyses]},
        "sources": to_registry(records),  # dealt into the sections' evidence by the join node
        "events": record.finish(videos=len(analyses), status=status),
    }


def video_fallback(state: ReportState, runtime: Runtime[Context]) -> dict[str, Any]:
    """After a failed analysis: rescue what the folder still offers, and state plainly what is missing."""
    record = NodeRecord("video_fallback")
    spec = state["spec"]
    stock = Inventory.model_validate(state["inventory"])
    task_dir = Path(state["task_dir"])
    video = dict(state.get("video") or {})
    rescued: list[SourceRecord] = []
    for analysis in video.get("analyses", []):
        record.fallback(
            "video_analyse",
            f"{analysis['file_name']}: {'; '.join(analysis['problems']) or analysis['status']}",
        )
        if analysis["status"] == "failed" and not analysis["records"]:
            rescued += sidecar_records(task_dir, analysis["file_name"], stock.subtitle)
    if rescued:
        record.fallback("sidecar_subtitles", f"{len(rescued)} subtitle segments read without the video")
        video["status"] = "partial"
    if not video.get("disclosure"):
        # A crash before any analysis leaves none: every talk of the folder is then named.
        failed = {a["file_name"]: "; ".join(a["problems"]) for a in video.get("analyses", [])}
        failed = failed or dict.fromkeys(talks(stock, speech_configured(runtime.context)), "")
        video["disclosure"] = " ".join(
            NO_ANALYSIS[spec.language].format(noun=media_noun(name, spec.language), name=name,
                                              reason=reason or "unknown error")
            for name, reason in failed.items()
        )
    video["fallback"] = {"taken": True, "rescued_records": len(rescued)}
    emit(
        runtime, "video_fallback", f"fallback: {len(rescued)} segments rescued; the report discloses the rest"
    )
    return {
        "video": video,
        "sources": to_registry(rescued),  # dealt into the sections' evidence by the join node
        "events": record.finish(rescued=len(rescued)),
    }
