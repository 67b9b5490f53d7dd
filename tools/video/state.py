"""The state one video analysis carries from step to step, and its bookkeeping."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import av.container
from reportgraph.tools.file_kinds import kind_of
from reportgraph.tools.registry import SegmentKind, SourceRecord, video_segment_id
from reportgraph.tools.text import detect_language
from reportgraph.tools.video.probe import MediaProbe, open_media
from reportgraph.tools.video.slides import SceneScan
from reportgraph.tools.video.subtitles import Cue, EmbeddedSubtitles, SubtitleTrack
from reportgraph.tools.video.types import (
    Limitation,
    ProgressCallback,
    StepReport,
    VideoAnalysis,
    make_disclosure,
    video_file_key,
)


class VideoRun:
    """One analysis in progress: the file, its deadline, what the steps found so far, and the result.

    Each step of the pipeline (:mod:`~reportgraph.tools.video.analysis`) reads and sets these fields, and
    records itself with :meth:`step`, its problems with :meth:`problem` and its evidence with
    :meth:`add_record`.
    """

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
        # A sound recording (taskio's "audio" kind) has no pictures to miss: only its speech is analysed.
        self.audio_file = kind_of(path.name) == "audio"

    def problem(self, text: str, limitation: Limitation | None = None) -> None:
        self.result.problems.append(text)
        if limitation is not None:
            self.result.limitations.append(limitation)

    def notify(self, step: str, message: str, done: int | None = None, total: int | None = None) -> None:
        if self.progress is None:
            return
        try:
            if total is None:
                self.progress(step, message)
            else:
                self.progress(step, message, done=done, total=total)
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



    @contextmanager
    def media(self) -> Iterator[av.container.InputContainer]:
        """A fresh container per pass, so no pass depends on where another one left the file position."""
        container = open_media(self.path)
        try:
            yield container
        finally:
            container.close()

    @property
    def slide_changes(self) -> list[float]:
        return [scene.start_s for scene in self.scan.scenes[1:]] if self.scan else []

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
