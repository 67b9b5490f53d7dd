"""Open a media file with PyAV and describe it: container, duration, streams, and which streams to use.

Failures to open are turned into :class:`MediaError` with a specific reason in English and Chinese (empty
file, plain text, a PDF renamed .mp4, …) so callers can report exactly why a file gave no evidence.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar

import av
import av.container
import av.stream
from pydantic import BaseModel

T = TypeVar("T")
# A ranking key (larger is better) and how to explain a win on it against the runner-up.
Criterion = tuple[Callable[[T], Any], Callable[[T, T], str]]

StreamType = Literal["video", "audio", "subtitle", "data", "attachment", "unknown"]

# ISO 639-2 (as MP4/MKV tag them) → the short codes the report uses.
LANGUAGE_CODES = {
    "eng": "en", "en": "en",
    "chi": "zh", "zho": "zh", "chs": "zh", "cht": "zh", "cmn": "zh", "yue": "zh", "zh": "zh",
    "jpn": "ja", "kor": "ko", "fre": "fr", "fra": "fr", "ger": "de", "deu": "de", "spa": "es", "rus": "ru",
}  # fmt: skip
UNDETERMINED_LANGUAGES = {"", "und", "unk", "mis", "mul", "zxx"}

# Leading bytes of common non-media files, to say what a mis-named file really is.
FILE_SIGNATURES = {
    b"%PDF": ("a PDF document", "PDF 文档"),
    b"\x89PNG": ("a PNG image", "PNG 图片"),
    b"\xff\xd8\xff": ("a JPEG image", "JPEG 图片"),
    b"PK\x03\x04": ("a ZIP archive (or an Office document)", "ZIP 压缩包（或 Office 文档）"),
    b"GIF8": ("a GIF image", "GIF 图片"),
}


class MediaError(Exception):
    """A file that cannot be read as media, with the reason in English and Chinese."""

    def __init__(self, reason_en: str, reason_zh: str) -> None:
        super().__init__(reason_en)
        self.reason_en = reason_en
        self.reason_zh = reason_zh


class StreamInfo(BaseModel):
    index: int
    type: StreamType
    codec: str
    decodable: bool
    language: str = ""
    default: bool = False
    forced: bool = False
    cover_art: bool = False
    title: str = ""
    duration_s: float | None = None
    frames: int = 0
    width: int = 0
    height: int = 0
    fps: float | None = None
    sample_rate: int = 0
    channels: int = 0

    def label(self) -> str:
        """A short description, e.g. ``#0 h264 1280×720 25 fps``."""
        parts = [f"#{self.index}", self.codec]
        if self.type == "video" and self.width:
            parts.append(f"{self.width}×{self.height}")
            if self.fps:
                parts.append(f"{self.fps:g} fps")
        if self.type == "audio" and self.sample_rate:
            parts.append(f"{self.sample_rate / 1000:g} kHz")
        if self.language:
            parts.append(self.language)
        return " ".join(parts)


class MediaProbe(BaseModel):
    path: str
    size_bytes: int
    format: str
    duration_s: float | None
    title: str = ""
    bit_rate: int = 0
    streams: list[StreamInfo]

    def of_type(self, kind: StreamType) -> list[StreamInfo]:
        return [s for s in self.streams if s.type == kind]


class StreamChoice(BaseModel):
    """Which stream of a kind was used, and why."""

    kind: Literal["video", "audio", "subtitle"]
    source: str
    stream_index: int | None = None
    reason: str


def normalize_language(tag: str | None) -> str:
    code = (tag or "").strip().lower().replace("_", "-")
    if code in UNDETERMINED_LANGUAGES:
        return ""
    return LANGUAGE_CODES.get(code, LANGUAGE_CODES.get(code.split("-")[0], code))


@functools.cache
def has_decoder(codec: str) -> bool:
    try:
        av.codec.Codec(codec, "r")
    except Exception:  # PyAV raises UnknownCodecError (and others) for codecs without a decoder
        return False
    return True


def describe_unreadable(path: Path, error: Exception) -> MediaError:
    """Why FFmpeg could not open ``path``, as specifically as the file's first bytes allow."""
    try:
        head = path.read_bytes()[:4096] if path.is_file() else b""
    except OSError as exc:
        return MediaError(f"the file cannot be read ({exc.strerror})", f"文件无法读取（{exc.strerror}）")
    for signature, (what_en, what_zh) in FILE_SIGNATURES.items():
        if head.startswith(signature):
            return MediaError(f"not a video: the file is {what_en}", f"不是视频：该文件实为{what_zh}")
    if head and b"\x00" not in head:
        try:
            sample = head.decode("utf-8")
        except UnicodeDecodeError:
            sample = ""
        if sample:
            preview = " ".join(sample.split())[:40]
            return MediaError(
                f"not a video: the file contains plain text (starts with {preview!r})",
                f"不是视频：该文件是纯文本（开头为 {preview!r}）",
            )
    return MediaError(
        f"not a recognisable media file: FFmpeg could not parse it ({error})",
        "无法识别的媒体文件：FFmpeg 无法解析",
    )


def open_media(path: Path) -> av.container.InputContainer:
    """Open ``path`` for reading, or raise :class:`MediaError` saying why it is not usable media."""
    if not path.exists():
        raise MediaError("the file does not exist", "文件不存在")
    if path.is_dir():
        raise MediaError("the path is a folder, not a file", "该路径是文件夹而非文件")
    if path.stat().st_size == 0:
        raise MediaError("the file is empty (0 bytes)", "文件为空（0 字节）")
    try:
        return av.open(str(path), mode="r")
    except av.error.FFmpegError as exc:
        raise describe_unreadable(path, exc) from exc


def _stream_info(stream: av.stream.Stream) -> StreamInfo:
    disposition = stream.disposition
    codec_context = stream.codec_context
    # FFmpeg gives a stream in a codec it does not know (an unknown fourcc) no codec context at all.
    codec = codec_context.name if codec_context is not None else "unknown"
    time_base = stream.time_base
    duration = float(stream.duration * time_base) if stream.duration and time_base else None
    info = StreamInfo(
        index=stream.index,
        type=stream.type
        if stream.type in ("video", "audio", "subtitle", "data", "attachment")
        else "unknown",
        codec=codec,
        decodable=codec_context is not None and has_decoder(codec),
        language=normalize_language(stream.language or stream.metadata.get("language")),
        default=bool(disposition & av.stream.Disposition.default),
        forced=bool(disposition & av.stream.Disposition.forced),
        cover_art=bool(disposition & av.stream.Disposition.attached_pic),
        title=stream.metadata.get("title", ""),
        duration_s=duration,
        frames=stream.frames or 0,
    )
    if codec_context is None:
        return info
    if isinstance(stream, av.VideoStream):
        rate = stream.average_rate or stream.guessed_rate
        info.width, info.height = stream.codec_context.width, stream.codec_context.height
        info.fps = round(float(rate), 3) if rate else None
    elif isinstance(stream, av.AudioStream):
        info.sample_rate = stream.codec_context.sample_rate or 0
        info.channels = stream.codec_context.channels or 0
    return info


def timeline_origin_s(container: av.container.InputContainer) -> float:
    """When the file's clock starts (MPEG-TS often starts at ~1.4 s); times are reported from here."""
    return (container.start_time or 0) / 1_000_000


def probe_container(path: Path, container: av.container.InputContainer) -> MediaProbe:
    streams = [_stream_info(stream) for stream in container.streams]
    if container.duration:
        duration: float | None = container.duration / 1_000_000
    else:
        durations = [s.duration_s for s in streams if s.duration_s]
        duration = max(durations) if durations else None
    return MediaProbe(
        path=str(path),
        size_bytes=path.stat().st_size,
        format=container.format.name,
        duration_s=duration,
        title=container.metadata.get("title", ""),
        bit_rate=container.bit_rate or 0,
        streams=streams,
    )


def rank_with_reason(
    candidates: Sequence[T], criteria: Sequence[Criterion[T]], noun: str
) -> tuple[T, str] | None:
    """The best candidate by ``criteria`` (in order; larger is better) and the criterion that decided."""
    if not candidates:
        return None

    def key(candidate: T) -> tuple[Any, ...]:
        return tuple(rank(candidate) for rank, _ in criteria)

    ranked = sorted(candidates, key=key, reverse=True)
    best = ranked[0]
    if len(ranked) == 1:
        return best, f"the only {noun}"
    runner_up = ranked[1]
    for rank, explain in criteria:
        if rank(best) != rank(runner_up):
            return best, f"best of {len(ranked)} {noun}s: {explain(best, runner_up)}"
    return best, f"best of {len(ranked)} {noun}s: equal to the runner-up, first in file order"


VIDEO_CRITERIA: list[Criterion[StreamInfo]] = [
    (lambda s: s.decodable, lambda b, r: f"stream #{r.index} ({r.codec}) cannot be decoded"),
    (
        lambda s: s.width * s.height,
        lambda b, r: f"largest picture ({b.width}×{b.height} vs {r.width}×{r.height})",
    ),
    (lambda s: s.default, lambda b, r: "marked as the default stream"),
    (
        lambda s: round(s.duration_s or 0.0),
        lambda b, r: f"longest ({b.duration_s:.0f} s vs {r.duration_s or 0:.0f} s)",
    ),
    (lambda s: -s.index, lambda b, r: "first in file order"),
]


def choose_video_stream(probe: MediaProbe) -> StreamChoice | None:
    """The picture to analyse: real video (not cover art), decodable, largest, default, longest."""
    chosen = rank_with_reason(
        [s for s in probe.of_type("video") if not s.cover_art], VIDEO_CRITERIA, "video stream"
    )
    if chosen is None:
        return None
    best, reason = chosen
    return StreamChoice(kind="video", source=best.label(), stream_index=best.index, reason=reason)


def choose_audio_stream(probe: MediaProbe, language: str) -> StreamChoice | None:
    """The speech to transcribe: decodable, in the report language, default, longest, best sample rate."""
    criteria: list[Criterion[StreamInfo]] = [
        (lambda s: s.decodable, lambda b, r: f"stream #{r.index} ({r.codec}) cannot be decoded"),
        (lambda s: s.language == language, lambda b, r: f"in the report language ({language})"),
        (lambda s: s.default, lambda b, r: "marked as the default stream"),
        (lambda s: round(s.duration_s or 0.0), lambda b, r: f"longest ({b.duration_s:.0f} s)"),
        (lambda s: s.sample_rate, lambda b, r: f"higher sample rate ({b.sample_rate} vs {r.sample_rate} Hz)"),
        (lambda s: -s.index, lambda b, r: "first in file order"),
    ]
    chosen = rank_with_reason(probe.of_type("audio"), criteria, "audio stream")
    if chosen is None:
        return None
    best, reason = chosen
    return StreamChoice(kind="audio", source=best.label(), stream_index=best.index, reason=reason)
