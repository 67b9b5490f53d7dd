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
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import os
import time
import wave
from collections.abc import Callable, Coroutine, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import av
import av.container
import cv2
import numpy as np
from pydantic import BaseModel
from reportgraph.tools.ocr import ocr_engine, read_picture_text
from reportgraph.tools.registry import (
    SegmentKind,
    SourceRecord,
    format_timestamp,
    short_hash,
    video_segment_id,
)
from reportgraph.tools.text import detect_language
from reportgraph.tools.video.probe import (
    MediaError,
    MediaProbe,
    StreamChoice,
    choose_audio_stream,
    choose_video_stream,
    open_media,
    probe_container,
    timeline_origin_s,
)
from reportgraph.tools.video.slides import SceneScan, scan_scenes
from reportgraph.tools.video.subtitles import (
    Cue,
    EmbeddedSubtitles,
    SidecarSpec,
    SubtitleTrack,
    choose_track,
    find_sidecars,
    merge_cues,
    read_embedded,
    read_sidecar,
)

# Bump whenever a change to probing, scene detection, OCR or subtitle reading changes what an
# analysis holds: cached local analyses are keyed by it.
ANALYSIS_VERSION = "1"

T = TypeVar("T")

DEFAULT_TIME_BUDGET_S = 300.0
SCAN_SHARE = 0.4  # of the time budget, for decoding frames; OCR gets the rest
SUBTITLE_SCAN_SHARE = 0.2
TRUNCATION_TOLERANCE_S = 2.0
TRANSCRIPTION_CHUNK_S = 600.0  # 16 kHz mono WAV: ~19 MB per chunk, under the usual 25 MB upload limit
SPEECH_RATE = 16_000
MAX_CAPTIONS = 12
CAPTION_IMAGE_SIDE = 1024
CAPTION_PROMPTS = {
    "zh": "这是一段视频中的一帧画面。请用两三句话客观描述画面内容（图表、示意图、人物、场景），"
    "如有文字请概括其要点。不要推测画面之外的信息。",
    "en": "This is one frame of a video. In two or three sentences, describe objectively what it shows "
    "(charts, diagrams, people, scenes) and summarise any text in it. Do not guess beyond the picture.",
}

StepStatus = Literal["ok", "failed", "skipped"]
ProgressCallback = Callable[[str, str], None]


# --- configuration of the optional remote steps ----------------------------------------------------


@dataclass(frozen=True)
class ModelEndpoint:
    """An OpenAI-compatible endpoint: ``base_url`` (None = api.openai.com), ``api_key``, ``model``."""

    model: str
    base_url: str | None = None
    api_key: str | None = None
    timeout_s: float = 120.0

    def key(self) -> str:
        # Local OpenAI-compatible servers accept any key, but the client insists on one.
        return self.api_key or os.environ.get("OPENAI_API_KEY") or "not-needed"


@dataclass(frozen=True)
class McpVideoTool:
    """An external video tool on an MCP server.

    ``connection`` is one server entry as ``MultiServerMCPClient`` takes it, e.g.
    ``{"transport": "stdio", "command": "python", "args": ["server.py"]}``. The tool is called with
    ``{path_argument: <video path>, **arguments}``; connection failures are retried ``attempts`` times
    with exponential backoff starting at ``backoff_s``.
    """

    connection: dict[str, Any]
    tool: str
    server_name: str = "video"
    path_argument: str = "path"
    arguments: dict[str, Any] = field(default_factory=dict)
    attempts: int = 3
    backoff_s: float = 1.0
    timeout_s: float = 120.0


# --- the result ----------------------------------------------------------------------------------------


class StepReport(BaseModel):
    step: str
    status: StepStatus
    detail: str = ""
    seconds: float = 0.0


class Limitation(BaseModel):
    """Something that could not be analysed, as a phrase in both report languages."""

    en: str
    zh: str


class VideoAnalysis(BaseModel):
    file: str
    file_name: str
    status: Literal["ok", "partial", "failed"] = "failed"
    records: list[SourceRecord] = []
    steps: list[StepReport] = []
    problems: list[str] = []
    metadata: MediaProbe | None = None
    chosen_streams: list[StreamChoice] = []
    subtitle_tracks: list[dict[str, object]] = []
    limitations: list[Limitation] = []
    disclosure: dict[str, str] = {}  # {"zh": …, "en": …}; empty strings when everything was analysed
    seconds: float = 0.0

    def disclosure_for(self, language: str) -> str:
        return self.disclosure.get("zh" if language == "zh" else "en", "")

    def step(self, name: str) -> StepReport | None:
        return next((s for s in self.steps if s.step == name), None)


def make_disclosure(file_name: str, limitations: Sequence[Limitation]) -> dict[str, str]:
    """One sentence per language naming what could not be analysed (empty when nothing)."""
    if not limitations:
        return {"zh": "", "en": ""}
    return {
        "zh": f"视频 {file_name} 中未能分析的内容：" + "；".join(item.zh for item in limitations) + "。",
        "en": f"Not analysed in {file_name}: " + "; ".join(item.en for item in limitations) + ".",
    }


def video_file_key(path: Path) -> str:
    """The id key of a video: its name and size (stable across runs and machines, cheap for huge files)."""
    try:
        size = path.stat().st_size if path.is_file() else 0
    except OSError:  # unreadable: the probe step reports why
        size = 0
    return short_hash(path.name, str(size))


# --- the analysis -------------------------------------------------------------------------------------


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
    run = _VideoRun(Path(path), language, time_budget_s, progress)
    try:
        run.execute(sidecar_subtitles, transcriber, captioner, mcp)
    except Exception as exc:  # the last guard: a caller must always get an analysis back
        run.problem(f"internal error: {type(exc).__name__}: {exc}")
    return run.finish()


class _VideoRun:
    def __init__(self, path: Path, language: str, time_budget_s: float, progress: ProgressCallback | None):
        self.path = path
        self.language = language
        self.progress = progress
        self.started = time.monotonic()
        self.deadline = self.started + time_budget_s
        self.budget_s = time_budget_s
        self.file_key = video_file_key(path)
        self.result = VideoAnalysis(file=str(path), file_name=path.name)
        self.probe: MediaProbe | None = None
        self.embedded: EmbeddedSubtitles | None = None
        self.track: SubtitleTrack | None = None
        self.scan: SceneScan | None = None
        self.picture_text: dict[int, list[str]] = {}

    # bookkeeping

    def problem(self, text: str, limitation: Limitation | None = None) -> None:
        self.result.problems.append(text)
        if limitation is not None:
            self.result.limitations.append(limitation)

    def notify(self, step: str, message: str) -> None:
        if self.progress is None:
            return
        try:
            self.progress(step, message)
        except Exception:  # a broken progress display must not stop the analysis
            self.progress = None

    @contextmanager
    def step(self, name: str) -> Iterator[StepReport]:
        report = StepReport(step=name, status="ok")
        began = time.monotonic()
        self.notify(name, "started")
        try:
            yield report
        except Exception as exc:
            report.status, report.detail = "failed", f"internal error: {type(exc).__name__}: {exc}"
            self.problem(f"{name}: internal error ({type(exc).__name__}: {exc})")
        finally:
            report.seconds = round(time.monotonic() - began, 3)
            self.result.steps.append(report)
            self.notify(name, f"{report.status}: {report.detail}")

    def add_record(
        self, segment: SegmentKind, start_s: float, end_s: float, text: str, title: str = ""
    ) -> None:
        start_s, end_s = round(start_s, 3), round(max(end_s, start_s), 3)
        record_id = video_segment_id(self.file_key, start_s, end_s, segment)
        taken = {record.id for record in self.result.records}
        if record_id in taken:  # two pieces of one kind over the same span (e.g. an external tool's)
            record_id = f"{record_id}-{sum(r.id.startswith(record_id) for r in self.result.records) + 1}"
        language = detect_language(text)
        self.result.records.append(
            SourceRecord(
                id=record_id,
                kind="video",
                segment=segment,
                source_file=self.path.name,
                title=title,
                text=text,
                lang=language,
                start_s=start_s,
                end_s=end_s,
                doc_id=f"vid-{self.file_key[:8]}",
            )
        )

    @property
    def duration_s(self) -> float | None:
        return self.probe.duration_s if self.probe else None

    def finish(self) -> VideoAnalysis:
        result = self.result
        content = [record for record in result.records if record.segment != "metadata"]
        result.status = "failed" if not content else ("partial" if result.problems else "ok")
        result.disclosure = make_disclosure(self.path.name, result.limitations)
        result.seconds = round(time.monotonic() - self.started, 3)
        return result

    # the steps

    def execute(
        self,
        sidecars: SidecarSpec,
        transcriber: ModelEndpoint | None,
        captioner: ModelEndpoint | None,
        mcp: McpVideoTool | None,
    ) -> None:
        self.open_and_probe()
        self.read_subtitles(sidecars)
        if self.probe is not None:
            self.find_slides()
            self.check_truncation()
            self.read_slide_text()
        self.speech(transcriber)
        if self.probe is not None:
            self.captions(captioner)
            self.external_tool(mcp)
            self.add_metadata_record()

    @contextmanager
    def media(self) -> Iterator[av.container.InputContainer]:
        """A fresh container per pass, so no pass depends on where another one left the file position."""
        container = open_media(self.path)
        try:
            yield container
        finally:
            container.close()

    def open_and_probe(self) -> None:
        with self.step("probe") as report:
            try:
                with self.media() as container:
                    self.probe = self.result.metadata = probe_container(self.path, container)
            except MediaError as exc:
                report.status, report.detail = "failed", exc.reason_en
                self.problem(f"cannot open {self.path.name}: {exc.reason_en}", Limitation(
                    en=f"the whole file ({exc.reason_en})", zh=f"整个文件（{exc.reason_zh}）"
                ))  # fmt: skip
                return
            duration = self.probe.duration_s
            report.detail = (
                f"{self.probe.format}, {format_timestamp(duration) if duration else 'unknown duration'}, "
                + ", ".join(stream.label() for stream in self.probe.streams)
            )
            if not any(s.type in ("video", "audio") for s in self.probe.streams):
                self.problem(
                    f"{self.path.name} contains no audio or video streams",
                    Limitation(en="the whole file (it has no audio or video)", zh="整个文件（没有音视频流）"),
                )

    def read_subtitles(self, sidecars: SidecarSpec) -> None:
        with self.step("subtitles") as report:
            tracks: list[SubtitleTrack] = []
            if self.probe is not None:
                deadline = time.monotonic() + SUBTITLE_SCAN_SHARE * self.budget_s
                with self.media() as container:
                    self.embedded = read_embedded(container, self.probe.of_type("subtitle"), deadline)
                tracks.extend(self.embedded.tracks)
                if self.embedded.read_error:
                    self.problem(f"subtitle/packet scan of {self.path.name}: {self.embedded.read_error}")
                if not self.embedded.complete:
                    end = format_timestamp(self.embedded.data_end_s)
                    self.problem(
                        f"time budget: embedded subtitles were read only up to {end}",
                        Limitation(
                            en=f"subtitles after {end} (time budget used up)",
                            zh=f"{end} 之后的字幕（时间预算用尽）",
                        ),
                    )
            tracks.extend(read_sidecar(file, self.path.stem) for file in find_sidecars(self.path, sidecars))
            self.result.subtitle_tracks = [track.summary() for track in tracks]
            if not tracks:
                report.status, report.detail = "skipped", "no embedded subtitle streams and no subtitle files"
                return
            seen = ", ".join(
                f"{t.source}: {len(t.cues)} cues" + (f" ({t.error})" if t.error else "") for t in tracks
            )
            chosen = choose_track(tracks, self.language)
            if chosen is None:
                report.status, report.detail = "failed", f"no usable subtitle track ({seen})"
                for track in tracks:
                    self.problem(f"subtitles {track.source}: {track.error}")
                return
            self.track, choice = chosen
            self.result.chosen_streams.append(choice)
            report.detail = f"seen {seen}; chose {choice.source}: {choice.reason}"

    def find_slides(self) -> None:
        assert self.probe is not None
        with self.step("slides") as report:
            choice = choose_video_stream(self.probe)
            if choice is None:
                cover_only = any(s.cover_art for s in self.probe.of_type("video"))
                what = "only a cover image" if cover_only else "no video stream"
                report.status, report.detail = "skipped", f"{what}: nothing visual to analyse"
                self.problem(
                    f"{what}: {self.path.name} has no pictures or slides to analyse",
                    Limitation(
                        en="pictures and slides (the file has no video stream)",
                        zh="画面与幻灯片（文件没有视频流）",
                    ),
                )
                return
            stream = next(s for s in self.probe.streams if s.index == choice.stream_index)
            self.result.chosen_streams.append(choice)
            if not stream.decodable:
                report.status = "failed"
                report.detail = f"video codec {stream.codec} cannot be decoded by this FFmpeg build"
                self.problem(
                    f"video stream #{stream.index} uses codec {stream.codec!r}, which cannot be decoded",
                    Limitation(
                        en=f"pictures and slides (video codec {stream.codec} is not supported)",
                        zh=f"画面与幻灯片（不支持视频编码 {stream.codec}）",
                    ),
                )
                return
            budget = SCAN_SHARE * max(0.0, self.deadline - time.monotonic())
            with self.media() as container:
                scan = scan_scenes(container, stream.index, duration_s=self.duration_s, budget_s=budget)
            self.scan = scan
            report.detail = (
                f"{len(scan.scenes)} scenes, {scan.distinct_pictures} distinct pictures from {scan.samples} "
                f"samples; {scan.coverage_note(self.duration_s)}"
            )
            if scan.decode_error:
                self.problem(
                    f"{scan.decode_errors} video decoding errors in {self.path.name}, "
                    f"first {scan.decode_error}"
                )
            if scan.budget_limited and self.duration_s:
                self.note_sampling(scan)
            if not scan.scenes:
                report.status = "failed"
                self.problem(f"no video frame of {self.path.name} could be decoded")

    def note_sampling(self, scan: SceneScan) -> None:
        """Say which part of the picture the time budget left sampled or unseen."""
        since = format_timestamp(scan.decoded_until_s)
        every = f"{scan.seek_interval_s:.0f}"
        if scan.keyframe_samples or scan.seek_samples:
            how_en = " and then ".join(
                ([f"keyframes ({scan.keyframe_samples})"] if scan.keyframe_samples else [])
                + ([f"frames about every {every} s"] if scan.seek_samples else [])
            )
            how_zh = "，随后".join(
                (["关键帧"] if scan.keyframe_samples else [])
                + ([f"约每 {every} 秒一帧"] if scan.seek_samples else [])
            )
            self.problem(
                f"time budget: after {since} only {how_en} were looked at, "
                "so slide changes there may be missed or placed late",
                Limitation(
                    en=f"exact slide changes after {since} (only {how_en} were looked at)",
                    zh=f"{since} 之后的幻灯片切换（受时间预算限制，只查看了{how_zh}）",
                ),
            )
        if not scan.reached_end:
            end = format_timestamp(scan.analysed_until_s)
            self.problem(
                f"time budget: the pictures after {end} were not looked at",
                Limitation(
                    en=f"the pictures after {end} (time budget used up)",
                    zh=f"{end} 之后的画面（时间预算用尽）",
                ),
            )

    def check_truncation(self) -> None:
        """A file whose data stops well before its declared duration was cut short (or damaged)."""
        duration = self.duration_s
        if not duration:
            return
        packets_complete = self.embedded is not None and self.embedded.complete
        data_end = max(
            self.embedded.data_end_s if self.embedded and packets_complete else 0.0,
            self.scan.analysed_until_s if self.scan else 0.0,
        )
        packets_short = packets_complete and data_end < duration - TRUNCATION_TOLERANCE_S
        frames_short = self.scan is not None and not self.scan.reached_end and not self.scan.budget_limited
        if not (packets_short or frames_short):
            return
        end, declared = format_timestamp(data_end), format_timestamp(duration)
        if packets_short:
            text = (
                f"{self.path.name} is truncated or damaged: its media data ends at {end} although it "
                f"declares a duration of {declared}; nothing after {end} could be analysed"
            )
        else:
            text = f"video frames of {self.path.name} could only be decoded up to {end} of {declared}"
        self.problem(
            text,
            Limitation(
                en=f"everything after {end} (the file is truncated or damaged)",
                zh=f"{end} 之后的全部内容（文件被截断或损坏）",
            ),
        )

    def read_slide_text(self) -> None:
        if self.scan is None or not self.scan.scenes:
            return
        scenes = self.scan.scenes
        with self.step("ocr") as report:
            pictures = [scene for scene in scenes if scene.first_showing]
            ocr_engine()  # built before the loop, so its one-off cost is not mistaken for a slow slide
            unread = []
            # Coarse-to-fine order: if the budget runs out, the pictures read still span the whole video.
            for scene in (pictures[i] for i in coarse_to_fine(len(pictures))):
                if scene.image is None or time.monotonic() > self.deadline:
                    unread.append(scene)
                    continue
                self.picture_text[scene.picture] = read_picture_text(scene.image)
            with_text = [scene for scene in scenes if self.picture_text.get(scene.picture)]
            for scene in with_text:
                lines = self.picture_text[scene.picture]
                self.add_record("slide", scene.start_s, scene.end_s, "\n".join(lines), title=lines[0][:100])
            report.detail = (
                f"{len(self.picture_text)} distinct pictures read; "
                f"{len(with_text)} of {len(scenes)} scenes have on-screen text"
            )
            if unread:
                report.status = "failed" if len(unread) == len(pictures) else "ok"
                count, total = len(unread), len(pictures)
                why_en, why_zh = (
                    ("the time budget was used up", "时间预算用尽")
                    if not self.scan.pictures_not_kept
                    else (
                        "the time budget was used up or too many pictures to keep",
                        "时间预算用尽或画面过多",
                    )
                )
                self.problem(
                    f"OCR skipped for {count} of {total} distinct pictures ({why_en}), "
                    f"e.g. the one at {format_timestamp(min(s.start_s for s in unread))}",
                    Limitation(
                        en=f"on-screen text of {count} of {total} slides ({why_en})",
                        zh=f"{total} 张幻灯片中 {count} 张的屏幕文字（{why_zh}）",
                    ),
                )

    @property
    def slide_changes(self) -> list[float]:
        return [scene.start_s for scene in self.scan.scenes[1:]] if self.scan else []

    def speech(self, transcriber: ModelEndpoint | None) -> None:
        with self.step("speech") as report:
            if self.track is not None:
                self.speech_from_subtitles(self.track, report)
                return
            audio = choose_audio_stream(self.probe, self.language) if self.probe else None
            if audio is None:
                report.status, report.detail = "skipped", "no audio and no subtitles"
                self.problem(
                    "no audio, no subtitles: speech not transcribed",
                    Limitation(
                        en="speech (the file has no audio track and no subtitles)",
                        zh="语音（文件既无音轨也无字幕）",
                    ),
                )
                return
            self.result.chosen_streams.append(audio)
            if transcriber is None:
                report.status, report.detail = "skipped", "no subtitles; no transcription endpoint configured"
                self.problem(
                    f"speech not transcribed: the audio ({audio.source}) has no subtitles and "
                    "no transcription endpoint is configured",
                    Limitation(
                        en="speech (no subtitles, and no transcription service is configured)",
                        zh="语音（没有字幕，且未配置语音转写服务）",
                    ),
                )
                return
            self.speech_from_transcription(audio, transcriber, report)

    def speech_from_subtitles(self, track: SubtitleTrack, report: StepReport) -> None:
        cues = self.clamp(track.cues)
        segments = merge_cues(cues, breaks=self.slide_changes)
        title = f"Subtitles ({track.source}, {track.effective_language or 'language unknown'})"
        for segment in segments:
            self.add_record("subtitle", segment.start_s, segment.end_s, segment.text, title=title)
        report.detail = f"{len(cues)} cues from {track.source} merged into {len(segments)} segments"

    def speech_from_transcription(
        self, audio: StreamChoice, transcriber: ModelEndpoint, report: StepReport
    ) -> None:
        assert audio.stream_index is not None
        try:
            with self.media() as container:
                chunks, audio_error = extract_speech_audio(container, audio.stream_index)
            if audio_error:
                self.problem(f"audio of {self.path.name}: {audio_error}")
            cues = transcribe_audio(chunks, transcriber)
        except Exception as exc:  # any decoding, endpoint or network failure: recorded, not raised
            report.status, report.detail = "failed", f"transcription failed: {describe_exception(exc)}"
            where = transcriber.base_url or "api.openai.com"
            self.problem(
                f"speech not transcribed: {transcriber.model} at {where} failed ({describe_exception(exc)})",
                Limitation(en="speech (transcription failed)", zh="语音（语音转写失败）"),
            )
            return
        segments = merge_cues(self.clamp(cues), breaks=self.slide_changes)
        for segment in segments:
            self.add_record(
                "transcript",
                segment.start_s,
                segment.end_s,
                segment.text,
                title=f"Transcript ({transcriber.model})",
            )
        report.detail = (
            f"{len(chunks)} audio chunks transcribed by {transcriber.model}: {len(segments)} segments"
        )

    def clamp(self, cues: Sequence[Cue]) -> list[Cue]:
        """Cues within the video's duration (a track may run past the picture)."""
        duration = self.duration_s
        if not duration:
            return list(cues)
        return [
            cue.model_copy(update={"end_s": min(cue.end_s, duration)})
            for cue in cues
            if cue.start_s < duration
        ]

    def captions(self, captioner: ModelEndpoint | None) -> None:
        with self.step("captions") as report:
            pictures = [s for s in (self.scan.scenes if self.scan else []) if s.first_showing and s.image]
            if captioner is None or not pictures:
                reason = "no vision model configured" if captioner is None else "no pictures to describe"
                report.status, report.detail = "skipped", reason
                return
            chosen = spread(pictures, MAX_CAPTIONS)
            try:
                captions = caption_pictures(
                    [scene.image or b"" for scene in chosen], captioner, self.language
                )
            except Exception as exc:
                report.status, report.detail = "failed", describe_exception(exc)
                self.problem(
                    f"picture captions failed: {captioner.model} ({describe_exception(exc)})",
                    Limitation(
                        en="descriptions of the pictures (the vision model failed)",
                        zh="画面描述（视觉模型调用失败）",
                    ),
                )
                return
            for scene, caption in zip(chosen, captions, strict=True):
                if caption:
                    self.add_record(
                        "caption",
                        scene.start_s,
                        scene.end_s,
                        caption,
                        title=f"Picture description ({captioner.model})",
                    )
            described = sum(map(bool, captions))
            report.detail = f"{described} of {len(pictures)} distinct pictures described by {captioner.model}"

    def external_tool(self, mcp: McpVideoTool | None) -> None:
        with self.step("external") as report:
            if mcp is None:
                report.status, report.detail = "skipped", "no external video tool configured"
                return
            try:
                text, attempts = call_mcp_tool(mcp, self.path)
            except Exception as exc:
                report.status, report.detail = "failed", describe_exception(exc)
                self.problem(
                    f"external video tool {mcp.tool!r} failed: {describe_exception(exc)}",
                    Limitation(
                        en=f"the external video tool {mcp.tool} (it failed)",
                        zh=f"外部视频工具 {mcp.tool}（调用失败）",
                    ),
                )
                return
            segments = parse_external_segments(text, self.duration_s)
            for segment in segments:
                self.add_record(
                    "external",
                    segment.start_s,
                    segment.end_s,
                    segment.text,
                    title=f"External tool {mcp.tool}",
                )
            report.detail = f"{len(segments)} segments from {mcp.tool} (attempt {attempts})"

    def add_metadata_record(self) -> None:
        probe = self.probe
        assert probe is not None
        duration = probe.duration_s or 0.0
        parts = [f"Video file {self.path.name}", f"duration {format_timestamp(duration)} ({duration:.1f} s)"]
        if probe.title:
            parts.append(f"title: {probe.title}")
        for kind in ("video", "audio", "subtitle"):
            streams = probe.of_type(kind)
            if streams:
                parts.append(f"{kind}: " + "; ".join(s.label().split(" ", 1)[1] for s in streams))
        self.add_record(
            "metadata", 0.0, duration, ". ".join(parts) + ".", title=probe.title or self.path.name
        )


def coarse_to_fine(count: int) -> list[int]:
    """Indices 0..count-1 in an order that halves the gaps: 0, n/2, n/4, 3n/4, … (each index once)."""
    order: list[int] = []
    seen: set[int] = set()
    step = 1 << max(0, count - 1).bit_length()
    while step:
        for index in range(0, count, step):
            if index not in seen:
                seen.add(index)
                order.append(index)
        step //= 2
    return order


def spread(items: Sequence[T], limit: int) -> list[T]:
    """At most ``limit`` items, evenly spread over ``items`` (first and last included)."""
    if len(items) <= limit:
        return list(items)
    return [items[round(i * (len(items) - 1) / (limit - 1))] for i in range(limit)]


def describe_exception(exc: BaseException) -> str:
    """``Type: message`` of the innermost errors (MCP/anyio wrap the real cause in exception groups)."""
    if isinstance(exc, BaseExceptionGroup):
        return "; ".join(dict.fromkeys(describe_exception(inner) for inner in exc.exceptions))
    message = str(exc) or repr(exc)
    return f"{type(exc).__name__}: {message}"


# --- speech transcription --------------------------------------------------------------------------


def extract_speech_audio(
    container: av.container.InputContainer, stream_index: int, chunk_s: float = TRANSCRIPTION_CHUNK_S
) -> tuple[list[tuple[float, bytes]], str]:
    """The audio stream as 16 kHz mono WAV chunks ``(start_s, wav bytes)``, and a decoding problem if any."""
    stream = container.streams[stream_index]
    resampler = av.AudioResampler(format="s16", layout="mono", rate=SPEECH_RATE)
    pcm = bytearray()
    origin: float | None = None
    error = ""
    try:
        for packet in container.demux(stream):
            try:
                frames = packet.decode()
            except av.error.FFmpegError as exc:
                error = error or f"undecodable audio at {format_timestamp(len(pcm) / 2 / SPEECH_RATE)}: {exc}"
                continue
            for frame in frames:
                if not isinstance(frame, av.AudioFrame):
                    continue
                if origin is None and frame.time is not None:
                    origin = max(0.0, frame.time - timeline_origin_s(container))
                for resampled in resampler.resample(frame):
                    pcm.extend(resampled.to_ndarray().tobytes())
        for resampled in resampler.resample(None):
            pcm.extend(resampled.to_ndarray().tobytes())
    except av.error.FFmpegError as exc:
        error = error or f"audio reading stopped at {format_timestamp(len(pcm) / 2 / SPEECH_RATE)}: {exc}"
    chunk_bytes = int(chunk_s * SPEECH_RATE) * 2
    chunks = []
    for offset in range(0, len(pcm), chunk_bytes):
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(SPEECH_RATE)
            wav.writeframes(bytes(pcm[offset : offset + chunk_bytes]))
        chunks.append(((origin or 0.0) + offset / 2 / SPEECH_RATE, buffer.getvalue()))
    if not chunks:
        raise ValueError(error or "the audio stream has no decodable samples")
    return chunks, error


def transcribe_audio(chunks: Sequence[tuple[float, bytes]], endpoint: ModelEndpoint) -> list[Cue]:
    """Timed speech from an OpenAI-compatible ``audio.transcriptions`` endpoint (``verbose_json``).

    A server that returns no segments gives one cue per chunk.
    """
    from openai import OpenAI

    client = OpenAI(
        base_url=endpoint.base_url, api_key=endpoint.key(), timeout=endpoint.timeout_s, max_retries=2
    )
    cues: list[Cue] = []
    for start, wav in chunks:
        response = client.audio.transcriptions.create(
            model=endpoint.model, file=("speech.wav", wav, "audio/wav"), response_format="verbose_json"
        )
        segments = getattr(response, "segments", None)
        if segments:
            cues.extend(
                Cue(start_s=start + float(s.start), end_s=start + float(s.end), text=s.text.strip())
                for s in segments
                if s.text.strip()
            )
            continue
        text = response if isinstance(response, str) else str(getattr(response, "text", "") or "")
        if text.strip():
            length = (len(wav) - 44) / 2 / SPEECH_RATE  # the WAV header is 44 bytes
            cues.append(Cue(start_s=start, end_s=start + length, text=text.strip()))
    return cues


# --- picture captions ----------------------------------------------------------------------------------


def caption_pictures(pictures: Sequence[bytes], endpoint: ModelEndpoint, language: str) -> list[str]:
    """A short description of each picture (PNG or JPEG bytes) by an OpenAI-compatible vision chat model."""
    from langchain_core.messages import HumanMessage
    from langchain_openai import ChatOpenAI

    model = ChatOpenAI(
        model=endpoint.model,
        base_url=endpoint.base_url,
        api_key=endpoint.key(),  # type: ignore[arg-type]
        timeout=endpoint.timeout_s,
        max_retries=1,
        temperature=0,
    )
    prompt = CAPTION_PROMPTS["zh" if language == "zh" else "en"]
    captions = []
    for picture in pictures:
        image = base64.b64encode(as_small_jpeg(picture, CAPTION_IMAGE_SIDE)).decode("ascii")
        message = HumanMessage(
            content=[
                {"type": "text", "text": prompt},
                {"type": "image_url", "image_url": {"url": f"data:image/jpeg;base64,{image}"}},
            ]
        )
        captions.append(" ".join(model.invoke([message]).text.split()))
    return captions


def as_small_jpeg(picture: bytes, max_side: int) -> bytes:
    """A JPEG of at most ``max_side`` pixels a side: what vision models take cheaply."""
    image = cv2.imdecode(np.frombuffer(picture, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError("the picture cannot be decoded")
    scale = min(1.0, max_side / max(image.shape[:2]))
    if scale < 1.0:
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ok, buffer = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])
    if not ok:
        raise ValueError("the picture cannot be encoded as JPEG")
    return buffer.tobytes()


# --- external MCP tool ---------------------------------------------------------------------------------


class McpToolMissing(LookupError):
    """The server runs but does not offer the configured tool: retrying will not help."""


def call_mcp_tool(tool: McpVideoTool, video: Path) -> tuple[str, int]:
    """The text the MCP tool returns for ``video``, and the attempt that succeeded.

    Connection failures are retried with exponential backoff; a missing tool or a tool that reports an
    error is not retried.
    """
    from langchain_core.tools import ToolException

    last: Exception | None = None
    for attempt in range(1, tool.attempts + 1):
        try:
            return run_coroutine(
                lambda: asyncio.wait_for(_call_mcp_once(tool, video), tool.timeout_s)
            ), attempt
        except (McpToolMissing, ToolException):
            raise
        except Exception as exc:
            last = exc
            if attempt < tool.attempts:
                time.sleep(tool.backoff_s * 2 ** (attempt - 1))
    assert last is not None
    raise ConnectionError(
        f"server {tool.server_name!r} unreachable after {tool.attempts} attempts: {describe_exception(last)}"
    )


async def _call_mcp_once(tool: McpVideoTool, video: Path) -> str:
    from langchain_mcp_adapters.client import MultiServerMCPClient
    from langchain_mcp_adapters.tools import load_mcp_tools

    client = MultiServerMCPClient({tool.server_name: tool.connection})  # type: ignore[dict-item]
    # One session for listing and calling, so a stdio server is started once per attempt.
    async with client.session(tool.server_name) as session:
        tools = await load_mcp_tools(session, handle_tool_errors=False)
        match = next((t for t in tools if t.name == tool.tool), None)
        if match is None:
            offered = ", ".join(t.name for t in tools) or "none"
            raise McpToolMissing(f"the server offers no tool {tool.tool!r} (it offers: {offered})")
        result = await match.ainvoke({tool.path_argument: str(video), **tool.arguments})
    return content_text(result)


def content_text(content: Any) -> str:
    """Plain text of a LangChain tool result (a string, content blocks, or a message)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(filter(None, (content_text(block) for block in content)))
    if isinstance(content, dict):
        return str(content.get("text", "")) if content.get("type", "text") == "text" else ""
    if hasattr(content, "content"):
        return content_text(content.content)
    return str(content)


def parse_external_segments(text: str, duration_s: float | None) -> list[Cue]:
    """Timed segments from a tool's answer: JSON ``[{start_s, end_s, text}]`` (or ``{"segments": …}``,
    ``start``/``end``, ``description``/``caption``), else the whole answer as one segment over the video."""
    whole = [Cue(start_s=0.0, end_s=duration_s or 0.0, text=text.strip())] if text.strip() else []
    try:
        data = json.loads(text)
    except ValueError:
        return whole
    if isinstance(data, dict):
        data = data.get("segments", [data])
    if not isinstance(data, list):
        return whole
    segments = []
    for item in data:
        if not isinstance(item, dict):
            continue
        body = next((str(item[k]) for k in ("text", "description", "caption", "summary") if item.get(k)), "")
        start = item.get("start_s", item.get("start")) or 0.0
        end = item.get("end_s", item.get("end")) or duration_s or start
        try:
            segments.append(Cue(start_s=float(start), end_s=float(end), text=body.strip()))
        except (TypeError, ValueError):
            continue
    return [segment for segment in segments if segment.text] or whole


def run_coroutine(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion from sync code, also when called inside a running event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(factory())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(factory())).result()
