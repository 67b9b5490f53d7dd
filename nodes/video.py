"""video_analyse and video_fallback: timestamped evidence from talks, and honesty when that fails."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime
from reportgraph.graph.context import Context, env
from reportgraph.graph.state import ReportState
from reportgraph.nodes.common import NodeRecord, emit
from reportgraph.prompts.video import NO_ANALYSIS
from reportgraph.tools.checking.support import content_tokens
from reportgraph.tools.intake import Inventory
from reportgraph.tools.intake.spec import RequirementSpec
from reportgraph.tools.registry import SourceRecord, short_hash, to_registry
from reportgraph.tools.retrieval import file_sha1
from reportgraph.tools.video import (
    ANALYSIS_VERSION,
    McpConfigError,
    McpVideoTool,
    VideoAnalysis,
    analyse_video,
    model_endpoint,
    read_mcp_config,
    sidecar_records,
    start_mcp_servers,
)

VIDEO_RECORDS_PER_VIDEO_SECTION = 40
VIDEO_RECORDS_PER_OTHER_SECTION = 2


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


def analysis_cache_path(
    context: Context, task_dir: Path, name: str, subtitles: list[str], language: str
) -> Path | None:
    """Where a local-only analysis of this exact video, subtitles and settings is kept between runs."""
    if context.speech_model or context.vision_model or context.mcp_config:
        return None  # remote steps can fail for passing reasons: never reuse their outcome
    # The resolved path is part of the key: an analysis names its file (path, name, segment ids), so the
    # same bytes in another task folder must not reuse this one's entry and report this task's path.
    video = (task_dir / name).resolve()
    parts = [str(video), file_sha1(video), language, str(context.video_time_budget_s)]
    parts += [f"{sub}:{file_sha1(task_dir / sub)}" for sub in sorted(subtitles)]
    parts.append(ANALYSIS_VERSION)
    return Path(context.cache_dir) / "video" / f"{short_hash(*parts, length=24)}.json"


def load_cached_analysis(path: Path | None) -> VideoAnalysis | None:
    if path is None or not path.is_file():
        return None
    try:
        return VideoAnalysis.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # a damaged cache entry is ignored and rewritten


def save_analysis(path: Path | None, analysis: VideoAnalysis) -> None:
    """Keep complete analyses only: a partial one (time budget, damaged file) is redone next time."""
    if path is None or analysis.status != "ok":
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(analysis.model_dump_json(), encoding="utf-8")
        temporary.replace(path)
    except OSError:
        pass  # the cache is an optimisation; an unwritable cache dir costs only time


def analyse_or_reuse(
    context: Context,
    task_dir: Path,
    name: str,
    subtitles: list[str],
    language: str,
    mcp: McpVideoTool | None = None,
    progress: Any = None,
) -> tuple[VideoAnalysis, bool]:
    """(the video's analysis, whether it was reused): a complete local one from the cache, else a fresh one
    (saved when complete). Used by video_analyse and by `reportgraph check`, so both read a video alike."""
    cache = analysis_cache_path(context, task_dir, name, subtitles, language)
    analysis = load_cached_analysis(cache)
    if analysis is not None:
        # The entry is keyed on the resolved path; name the file as this run was given it (run.json).
        given = str(task_dir / name)
        metadata = analysis.metadata and analysis.metadata.model_copy(update={"path": given})
        return analysis.model_copy(update={"file": given, "metadata": metadata}), True
    analysis = analyse_video(
        task_dir / name,
        sidecar_subtitles=task_dir,
        language=language,
        time_budget_s=context.video_time_budget_s,
        transcriber=model_endpoint(context.speech_model, context, env().openai_api_key),
        captioner=model_endpoint(context.vision_model, context, env().openai_api_key),
        mcp=mcp,
        progress=progress,
    )
    save_analysis(cache, analysis)
    return analysis, False


def summarise(analysis: VideoAnalysis) -> dict[str, Any]:
    return analysis.model_dump(mode="json", exclude={"records"}) | {"records": len(analysis.records)}


def combined_status(analyses: list[VideoAnalysis]) -> str:
    statuses = {a.status for a in analyses}
    if statuses == {"ok"}:
        return "ok"
    return "failed" if statuses == {"failed"} else "partial"


def video_analyse(state: ReportState, runtime: Runtime[Context]) -> dict[str, Any]:
    record = NodeRecord("video_analyse")
    context = runtime.context
    stock = Inventory.model_validate(state["inventory"])
    spec = RequirementSpec.model_validate(state["spec"])
    if not stock.video:
        return {
            "video": {"status": "absent", "disclosure": "", "analyses": []},
            "events": record.finish(videos=0),
        }
    task_dir = Path(state["task_dir"])
    analyses: list[VideoAnalysis] = []
    mcp = mcp_video_tool(context, record)
    for name in stock.video:

        def progress(step: str, detail: str, done: int | None = None, total: int | None = None,
                     video: str = name) -> None:
            counts = {} if total is None else {"stage": f"{step} {video}", "done": done, "total": total}
            emit(runtime, "video_analyse", f"{video}: {step} {detail}", video=video, step=step, **counts)

        analysis, reused = analyse_or_reuse(
            context, task_dir, name, stock.subtitle, spec.language, mcp, progress
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
    spec = RequirementSpec.model_validate(state["spec"])
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
        reasons = "; ".join(p for a in video.get("analyses", []) for p in a["problems"]) or "unknown error"
        names = ", ".join(a["file_name"] for a in video.get("analyses", []))
        video["disclosure"] = NO_ANALYSIS[spec.language].format(name=names, reason=reasons)
    video["fallback"] = {"taken": True, "rescued_records": len(rescued)}
    emit(
        runtime, "video_fallback", f"fallback: {len(rescued)} segments rescued; the report discloses the rest"
    )
    return {
        "video": video,
        "sources": to_registry(rescued),  # dealt into the sections' evidence by the join node
        "events": record.finish(rescued=len(rescued)),
    }
