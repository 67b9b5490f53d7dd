"""Video evidence: timestamped, grounded records from a video file, with a fallback chain.

:func:`analyse_video` turns one video into :class:`~reportgraph.tools.registry.SourceRecord` s:

- ``slide``: each scene (slide) found by :mod:`~reportgraph.tools.video.slides`, with its OCR text;
- ``subtitle``: the best subtitle track (embedded or sidecar), merged into sentence-sized segments;
  else ``transcript``: speech transcribed by an OpenAI-compatible audio endpoint, when one is configured;
- ``caption``: descriptions of the distinct pictures by an OpenAI-compatible vision model (optional);
- ``external``: the output of an external MCP video tool (optional);
- ``metadata``: the file's duration, title and streams.

It never raises for bad input: every step is recorded as ok/failed/skipped with a specific reason, and
what could not be analysed is summarised in a one-sentence disclosure (zh and en) for the report.

The analysis is a pipeline of steps over one :class:`~reportgraph.tools.video.state.VideoRun`: probe and
metadata here, subtitles and speech in :mod:`~reportgraph.tools.video.speech`, slides, OCR and captions in
:mod:`~reportgraph.tools.video.pictures`, the external tool in :mod:`~reportgraph.tools.video.external`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from reportgraph.tools.registry import format_timestamp
from reportgraph.tools.video.external import external_tool
from reportgraph.tools.video.pictures import captions, check_truncation, find_slides, read_slide_text
from reportgraph.tools.video.probe import MediaError, probe_container
from reportgraph.tools.video.speech import read_subtitles, speech
from reportgraph.tools.video.state import VideoRun
from reportgraph.tools.video.subtitles import SidecarSpec
from reportgraph.tools.video.types import (
    Limitation,
    McpVideoTool,
    ModelEndpoint,
    ProgressCallback,
    VideoAnalysis,
)

# Bump whenever a change to probing, scene detection, OCR or subtitle reading changes what an
# analysis holds: cached local analyses are keyed by it.
ANALYSIS_VERSION = "1"

DEFAULT_TIME_BUDGET_S = 300.0

Step = Callable[[VideoRun], None]


def analyse_video(
    path: str | Path,
    *,
    sidecar_subtitles: SidecarSpec = None,
    language: str = "zh",
    time_budget_s: float = DEFAULT_TIME_BUDGET_S,
    transcriber: ModelEndpoint | None = None,
    captioner: ModelEndpoint | None = None,
    mcp: McpVideoTool | None = None,
    progress: ProgressCallback | None = None,
) -> VideoAnalysis:
    """Analyse one video into citable records; never raises for bad files.

    ``sidecar_subtitles``: None = subtitle files named after the video next to it; a folder = those plus
    every subtitle file in the folder not named after another video; files = exactly those.
    ``language`` ("zh"/"en") is the report language: it prefers subtitle/audio tracks in it and sets the
    language of captions. ``time_budget_s`` bounds the local work (decoding, slide detection, OCR); remote
    calls are bounded by their own timeouts.
    """
    run = VideoRun(Path(path), language, time_budget_s, progress)
    try:
        for step, needs_media in pipeline(sidecar_subtitles, transcriber, captioner, mcp):
            if needs_media and run.probe is None:
                continue  # the file could not be opened: only sidecar subtitles can still be read
            step(run)
    except Exception as exc:  # the last guard: a caller must always get an analysis back
        run.problem(f"internal error: {type(exc).__name__}: {exc}")
    return run.finish()


def pipeline(
    sidecars: SidecarSpec,
    transcriber: ModelEndpoint | None,
    captioner: ModelEndpoint | None,
    mcp: McpVideoTool | None,
) -> list[tuple[Step, bool]]:
    """The steps in order, each with whether it needs an opened file.

    Slides come before speech so subtitles can be cut at slide changes.
    """
    return [
        (open_and_probe, False),
        (partial(read_subtitles, sidecars=sidecars), False),
        (find_slides, True),
        (check_truncation, True),
        (read_slide_text, True),
        (partial(speech, transcriber=transcriber), False),
        (partial(captions, captioner=captioner), True),
        (partial(external_tool, mcp=mcp), True),
        (add_metadata_record, True),
    ]


def open_and_probe(run: VideoRun) -> None:
    with run.step("probe") as report:
        try:
            with run.media() as container:
                run.probe = run.result.metadata = probe_container(run.path, container)
        except MediaError as exc:
            report.status, report.detail = "failed", exc.reason_en
            run.problem(f"cannot open {run.path.name}: {exc.reason_en}", Limitation(
                en=f"the whole file ({exc.reason_en})", zh=f"整个文件（{exc.reason_zh}）"
            ))  # fmt: skip
            return
        duration = run.probe.duration_s
        report.detail = (
            f"{run.probe.format}, {format_timestamp(duration) if duration else 'unknown duration'}, "
            + ", ".join(stream.label() for stream in run.probe.streams)
        )
        if not any(s.type in ("video", "audio") for s in run.probe.streams):
            run.problem(
                f"{run.path.name} contains no audio or video streams",
                Limitation(en="the whole file (it has no audio or video)", zh="整个文件（没有音视频流）"),
            )


def add_metadata_record(run: VideoRun) -> None:
    probe = run.probe
    assert probe is not None
    duration = probe.duration_s or 0.0
    kind = "Audio" if run.audio_file else "Video"
    parts = [f"{kind} file {run.path.name}", f"duration {format_timestamp(duration)} ({duration:.1f} s)"]
    if probe.title:
        parts.append(f"title: {probe.title}")
    for kind in ("video", "audio", "subtitle"):
        streams = probe.of_type(kind)
        if streams:
            parts.append(f"{kind}: " + "; ".join(s.label().split(" ", 1)[1] for s in streams))
    run.add_record(
        "metadata", 0.0, duration, ". ".join(parts) + ".", title=probe.title or run.path.name
    )
