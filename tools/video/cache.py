"""A video's analysis, reused between runs when nothing it depends on changed.

Used by the ``video_analyse`` node and by ``reportgraph check`` alike, so both read a video the same way.
Only complete, local-only analyses are kept: one that used a remote model or tool may have failed for a
passing reason, and a partial one (time budget, damaged file) is redone next time.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, Protocol

from reportgraph.tools.registry import file_sha1, short_hash
from reportgraph.tools.video.analysis import ANALYSIS_VERSION, analyse_video
from reportgraph.tools.video.types import McpVideoTool, VideoAnalysis, model_endpoint


class VideoRunSettings(Protocol):
    """The run settings a video analysis depends on (``reportgraph.nodes.context.Context`` has them)."""

    @property
    def cache_dir(self) -> str: ...
    @property
    def speech_model(self) -> str | None: ...
    @property
    def vision_model(self) -> str | None: ...
    @property
    def mcp_config(self) -> str | None: ...
    @property
    def video_time_budget_s(self) -> float: ...
    @property
    def base_url(self) -> str | None: ...
    @property
    def request_timeout_s(self) -> float: ...


def analysis_cache_path(
    run: VideoRunSettings, task_dir: Path, name: str, subtitles: list[str], language: str
) -> Path | None:
    """Where a local-only analysis of this exact video, subtitles and settings is kept between runs."""
    if run.speech_model or run.vision_model or run.mcp_config:
        return None  # remote steps can fail for passing reasons: never reuse their outcome
    # The resolved path is part of the key: an analysis names its file (path, name, segment ids), so the
    # same bytes in another task folder must not reuse this one's entry and report this task's path.
    video = (task_dir / name).resolve()
    parts = [str(video), file_sha1(video), language, str(run.video_time_budget_s)]
    parts += [f"{sub}:{file_sha1(task_dir / sub)}" for sub in sorted(subtitles)]
    parts.append(ANALYSIS_VERSION)
    return Path(run.cache_dir) / "video" / f"{short_hash(*parts, length=24)}.json"


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
    run: VideoRunSettings,
    api_key: str | None,
    task_dir: Path,
    name: str,
    subtitles: list[str],
    language: str,
    mcp: McpVideoTool | None = None,
    progress: Callable[..., Any] | None = None,
) -> tuple[VideoAnalysis, bool]:
    """(the video's analysis, whether it was reused): a complete local one from the cache, else a fresh one
    (saved when complete). ``api_key`` serves the speech and vision models the settings name."""
    cache = analysis_cache_path(run, task_dir, name, subtitles, language)
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
        time_budget_s=run.video_time_budget_s,
        transcriber=model_endpoint(run.speech_model, run, api_key),
        captioner=model_endpoint(run.vision_model, run, api_key),
        mcp=mcp,
        progress=progress,
    )
    save_analysis(cache, analysis)
    return analysis, False


def combined_status(analyses: list[VideoAnalysis]) -> Literal["ok", "partial", "failed"]:
    """One status for several videos: ok when all are, failed when all failed, else partial."""
    statuses = {a.status for a in analyses}
    if statuses == {"ok"}:
        return "ok"
    return "failed" if statuses == {"failed"} else "partial"
