"""Slide (scene) changes in a video stream, found on small grayscale thumbnails.

Frames are decoded in order and a thumbnail is taken ``SAMPLE_FPS`` times a second. A new scene starts when
a thumbnail differs from the first thumbnail of the current scene (comparing with the scene's start, not
the previous sample, also catches slow drifts). The exact cut is then found by bisecting the frames decoded
since the previous sample, so scene starts are frame-accurate although only a few frames are converted.
Scenes shorter than ``MIN_SCENE_S`` (fades, flashes) are folded into the scene before them, and a scene
that looks like an earlier one (a slide shown again) shares its picture number, so it is OCR'd once.

When decoding every frame would not fit the time budget, only keyframes are decoded from there on, and if
even that would not fit, the rest is sampled by seeking to evenly spaced points; the scan says which.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import av
import av.container
import cv2
import numpy as np
from reportgraph.tools.registry import format_timestamp
from reportgraph.tools.video.probe import timeline_origin_s

THUMB_SIZE = (160, 90)
PIXEL_DELTA = 30  # a thumbnail pixel has changed when its gray level moves by more than this
CHANGED_SHARE = 0.01  # pictures differ when more than this share of thumbnail pixels changed
SAMPLE_FPS = 2.0
MIN_SCENE_S = 1.0
MAX_IMAGE_SIDE = 1920  # scene pictures kept for OCR/captions are scaled down to fit this
# Pictures are kept as PNG: JPEG artefacts (even at quality 92) make the OCR drop the spaces between words.
PNG_COMPRESSION = 1
REFINE_MAX_PIXELS = 1920 * 1088  # above this, holding the frames between samples costs too much memory
# Footage with hundreds of shots would otherwise hold gigabytes of pictures; later ones are then not kept.
MAX_STORED_BYTES = 512 * 1024 * 1024
MAX_CONSECUTIVE_ERRORS = 50
# Decode this long (or a quarter of the budget, if less) before projecting whether decoding everything fits.
MIN_MEASURE_S = 1.0
MIN_MEASURE_SAMPLES = 3
INITIAL_SEEK_COST_S = 0.1
MAX_FRAMES_AFTER_SEEK = 600


@dataclass
class Scene:
    start_s: float
    end_s: float
    picture: int  # 1-based number of the distinct picture; a slide shown again keeps its number
    first_showing: bool
    thumb: np.ndarray = field(repr=False)
    image: bytes | None = field(default=None, repr=False)  # PNG, only for the first showing of a picture


@dataclass
class SceneScan:
    scenes: list[Scene] = field(default_factory=list)
    samples: int = 0
    analysed_until_s: float = 0.0
    decoded_until_s: float = 0.0  # every frame was looked at up to here
    keyframe_samples: int = 0  # then only keyframes
    seek_samples: int = 0  # then frames found by seeking
    seek_interval_s: float = 0.0
    decode_errors: int = 0
    decode_error: str = ""  # the first decoding failure, with its time
    reached_end: bool = False
    budget_limited: bool = False  # decoding every frame did not fit the time budget
    seconds: float = 0.0

    @property
    def distinct_pictures(self) -> int:
        return sum(scene.first_showing for scene in self.scenes)

    @property
    def pictures_not_kept(self) -> int:
        return sum(scene.first_showing and scene.image is None for scene in self.scenes)

    def coverage_note(self, duration_s: float | None) -> str:
        """How the frames were looked at, for the step report."""
        if not self.budget_limited:
            return f"every frame decoded, sampled at {SAMPLE_FPS:g} fps"
        note = f"time budget: every frame decoded up to {format_timestamp(self.decoded_until_s)}"
        if self.keyframe_samples:
            note += f", then only keyframes ({self.keyframe_samples})"
        if self.seek_samples:
            note += f", then {self.seek_samples} frames sampled about every {self.seek_interval_s:.0f} s"
        if duration_s and not self.reached_end:
            note += f"; nothing after {format_timestamp(self.analysed_until_s)} was looked at"
        return note


def thumbnail(frame: av.VideoFrame) -> np.ndarray:
    return frame.to_ndarray(format="gray", width=THUMB_SIZE[0], height=THUMB_SIZE[1])


def pictures_differ(first: np.ndarray, second: np.ndarray) -> bool:
    return float((cv2.absdiff(first, second) > PIXEL_DELTA).mean()) > CHANGED_SHARE


def encode_picture(frame: av.VideoFrame) -> bytes | None:
    scale = min(1.0, MAX_IMAGE_SIDE / max(frame.width, frame.height))
    if scale < 1.0:
        image = frame.to_ndarray(
            format="bgr24",
            width=round(frame.width * scale) // 2 * 2,
            height=round(frame.height * scale) // 2 * 2,
        )
    else:
        image = frame.to_ndarray(format="bgr24")
    ok, buffer = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, PNG_COMPRESSION])
    return buffer.tobytes() if ok else None


def frame_seconds(frame: av.VideoFrame, origin_s: float) -> float | None:
    return None if frame.time is None else max(0.0, frame.time - origin_s)


@dataclass
class _OpenScene:
    start_s: float
    anchor: np.ndarray
    last_thumb: np.ndarray
    last_frame: av.VideoFrame


class _SceneTracker:
    """Turns time-ordered samples into scenes (see the module docstring)."""

    def __init__(self, min_scene_s: float, origin_s: float) -> None:
        self.min_scene_s = min_scene_s
        self.origin_s = origin_s
        self.scenes: list[Scene] = []
        self.pictures: list[np.ndarray] = []  # thumbnail of each distinct picture
        self.stored_bytes = 0
        self.open: _OpenScene | None = None
        self.last_time = -1.0

    def add(
        self, time_s: float, thumb: np.ndarray, frame: av.VideoFrame, between: list[av.VideoFrame]
    ) -> None:
        self.last_time = time_s
        if self.open is None:
            self.open = _OpenScene(time_s, thumb, thumb, frame)
            return
        if not pictures_differ(thumb, self.open.anchor):
            self.open.last_thumb, self.open.last_frame = thumb, frame
            return
        cut = self._refine_cut(between, self.open.anchor, default=time_s)
        self._close(cut)
        self.open = _OpenScene(cut, thumb, thumb, frame)

    def finish(self, end_s: float) -> list[Scene]:
        if self.open is not None:
            self._close(max(end_s, self.open.start_s))
        return self.scenes

    def _refine_cut(self, between: list[av.VideoFrame], anchor: np.ndarray, default: float) -> float:
        """Time of the first frame in ``between`` that differs from ``anchor`` (bisection)."""
        low, high = 0, len(between)
        while low < high:
            middle = (low + high) // 2
            if pictures_differ(thumbnail(between[middle]), anchor):
                high = middle
            else:
                low = middle + 1
        cut = frame_seconds(between[low], self.origin_s) if low < len(between) else None
        return default if cut is None else cut

    def _close(self, end_s: float) -> None:
        scene, self.open = self.open, None
        assert scene is not None
        if end_s - scene.start_s < self.min_scene_s and self.scenes:
            self.scenes[-1].end_s = end_s  # a fade or flash: part of the scene before it
            return
        for number, picture in enumerate(self.pictures, start=1):
            if not pictures_differ(scene.last_thumb, picture):
                if self.scenes and self.scenes[-1].picture == number:
                    self.scenes[-1].end_s = end_s  # the same slide again right after a flash: one showing
                else:
                    self.scenes.append(Scene(scene.start_s, end_s, number, False, scene.last_thumb))
                return
        self.pictures.append(scene.last_thumb)
        image = None
        if self.stored_bytes < MAX_STORED_BYTES:
            image = encode_picture(scene.last_frame)
            self.stored_bytes += len(image or b"")
        self.scenes.append(Scene(scene.start_s, end_s, len(self.pictures), True, scene.last_thumb, image))


def scan_scenes(
    container: av.container.InputContainer,
    stream_index: int,
    *,
    duration_s: float | None,
    budget_s: float,
    sample_fps: float = SAMPLE_FPS,
    min_scene_s: float = MIN_SCENE_S,
) -> SceneScan:
    """Scenes of one video stream, within ``budget_s`` seconds of wall time. Never raises FFmpeg errors.

    Three tiers, each used only when the one before would overrun the budget: every frame; keyframes only
    (encoders put one at most scene cuts, and skipping the rest makes decoding ~10× faster); evenly spaced
    seeks.
    """
    started = time.monotonic()
    deadline = started + budget_s
    stream = container.streams[stream_index]
    assert isinstance(stream, av.VideoStream)
    stream.thread_type = "AUTO"
    tracker = _SceneTracker(min_scene_s, timeline_origin_s(container))
    scan = SceneScan()
    finished = _decode_in_order(container, stream, tracker, scan, duration_s, deadline, sample_fps)
    if not finished:
        scan.budget_limited = True
        stream.codec_context.skip_frame = "NONKEY"
        finished = _decode_in_order(container, stream, tracker, scan, duration_s, deadline, sample_fps)
    if not finished and duration_s:
        _sample_by_seeking(container, stream, tracker, scan, duration_s, deadline, sample_fps)
    scan.scenes = tracker.finish(duration_s if scan.reached_end and duration_s else scan.analysed_until_s)
    scan.seconds = time.monotonic() - started
    return scan


def _decode_in_order(
    container: av.container.InputContainer,
    stream: av.VideoStream,
    tracker: _SceneTracker,
    scan: SceneScan,
    duration_s: float | None,
    deadline: float,
    sample_fps: float,
) -> bool:
    """Decode on from the current position, sampling thumbnails.

    Returns False as soon as decoding the rest this way is projected to overrun ``deadline``. With
    ``skip_frame`` set to keyframes only, every decoded frame is a sample and no cut is refined.
    """
    keyframes_only = stream.codec_context.skip_frame == "NONKEY"
    rate = stream.average_rate or stream.guessed_rate
    frame_step = 1.0 / float(rate) if rate else 0.04
    pixels = stream.codec_context.width * stream.codec_context.height
    refine = not keyframes_only and pixels <= REFINE_MAX_PIXELS
    between: list[av.VideoFrame] = []
    next_sample = scan.analysed_until_s
    consecutive_errors = 0
    began, began_at_s, samples_before = time.monotonic(), scan.analysed_until_s, scan.samples
    measure_s = min(MIN_MEASURE_S, (deadline - began) / 4)
    try:
        for packet in container.demux(stream):
            try:
                frames = packet.decode()
            except av.error.FFmpegError as exc:
                consecutive_errors += 1
                _note_decode_error(scan, exc, scan.analysed_until_s)
                if consecutive_errors >= MAX_CONSECUTIVE_ERRORS:
                    return True
                continue
            consecutive_errors = 0
            for frame in frames:
                moment = frame_seconds(frame, tracker.origin_s)
                if moment is None:
                    moment = scan.analysed_until_s
                scan.analysed_until_s = max(scan.analysed_until_s, moment + frame_step)
                if keyframes_only:
                    scan.keyframe_samples += 1
                else:
                    scan.decoded_until_s = scan.analysed_until_s
                if keyframes_only or moment + 1e-6 >= next_sample:  # keyframes are sparse: each is a sample
                    tracker.add(moment, thumbnail(frame), frame, between)
                    scan.samples += 1
                    between = []
                    next_sample = moment + 1.0 / sample_fps
                elif refine:
                    between.append(frame)
            if _overruns(scan, began, began_at_s, samples_before, measure_s, duration_s, deadline):
                return False
    except av.error.FFmpegError as exc:
        _note_decode_error(scan, exc, scan.analysed_until_s)
        return True
    # Keyframes stop before the end (the last one may be seconds earlier): the stream ended, all was seen.
    near_end = scan.analysed_until_s >= (duration_s or 0.0) - max(1.0, 0.02 * (duration_s or 0.0))
    scan.reached_end = keyframes_only or near_end
    return True


def _overruns(
    scan: SceneScan,
    began: float,
    began_at_s: float,
    samples_before: int,
    measure_s: float,
    duration_s: float | None,
    deadline: float,
) -> bool:
    """Whether decoding the rest at the pace measured since ``began`` would end after ``deadline``."""
    now = time.monotonic()
    covered = scan.analysed_until_s - began_at_s
    measured = now - began > measure_s and scan.samples - samples_before >= MIN_MEASURE_SAMPLES
    if not (measured and duration_s and covered > 0):
        return False
    rest = (now - began) / covered * (duration_s - scan.analysed_until_s)
    return now + rest > deadline


def _note_decode_error(scan: SceneScan, exc: Exception, at_s: float) -> None:
    """Count a decoding failure; the first one is kept with its time."""
    scan.decode_errors += 1
    scan.decode_error = scan.decode_error or f"at {format_timestamp(at_s)}: {exc}"


def _sample_by_seeking(
    container: av.container.InputContainer,
    stream: av.VideoStream,
    tracker: _SceneTracker,
    scan: SceneScan,
    duration_s: float,
    deadline: float,
    sample_fps: float,
) -> None:
    """Sample the rest of the file at evenly spaced keyframes, spacing them so the budget covers the end."""
    position = scan.analysed_until_s
    seek_cost = INITIAL_SEEK_COST_S
    steps: list[float] = []
    while (remaining := deadline - time.monotonic()) > 0:
        step = max(1.0 / sample_fps, (duration_s - position) / max(1.0, remaining / seek_cost))
        position += step
        if position >= duration_s:
            scan.reached_end = True
            break
        began = time.monotonic()
        frame = _frame_near(container, stream, position, tracker, scan)
        took = time.monotonic() - began
        seek_cost = took if not steps else 0.7 * seek_cost + 0.3 * took
        steps.append(step)
        if frame is None:
            continue
        moment = frame_seconds(frame, tracker.origin_s) or position
        tracker.add(moment, thumbnail(frame), frame, [])
        scan.samples += 1
        scan.seek_samples += 1
        scan.analysed_until_s = max(scan.analysed_until_s, moment)
    scan.seek_interval_s = sum(steps) / len(steps) if steps else 0.0


def _frame_near(
    container: av.container.InputContainer,
    stream: av.VideoStream,
    target_s: float,
    tracker: _SceneTracker,
    scan: SceneScan,
) -> av.VideoFrame | None:
    """The keyframe at or before ``target_s`` if it is new, else the frame at ``target_s``."""
    time_base = stream.time_base
    assert time_base is not None
    try:
        container.seek(int((target_s + tracker.origin_s) / time_base), stream=stream, backward=True)
        for count, frame in enumerate(container.decode(stream)):
            moment = frame_seconds(frame, tracker.origin_s)
            if (
                moment is not None
                and moment > tracker.last_time + 1e-3
                and (frame.key_frame or moment >= target_s)
            ):
                return frame
            if count >= MAX_FRAMES_AFTER_SEEK:
                break
    except av.error.FFmpegError as exc:
        _note_decode_error(scan, exc, target_s)
    return None
