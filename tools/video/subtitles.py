"""Subtitles as timed text: embedded tracks (mov_text, SubRip, ASS, WebVTT via PyAV) and sidecar files.

Sidecar ``.srt``/``.vtt``/``.ass``/``.ssa`` files are parsed here rather than by FFmpeg so that non-UTF-8
files (GBK Chinese subtitles are common) are decoded by charset detection instead of being garbled.
Cues are then merged into sentence-sized segments (a few cues, at most ~15 s) that make useful citations.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

import av
import av.container
from charset_normalizer import from_bytes
from pydantic import BaseModel
from reportgraph.tools.file_kinds import SUBTITLE_SUFFIXES, VIDEO_SUFFIXES
from reportgraph.tools.registry import format_timestamp
from reportgraph.tools.text import CJK_CHAR, detect_language
from reportgraph.tools.video.probe import (
    Criterion,
    StreamChoice,
    StreamInfo,
    normalize_language,
    rank_with_reason,
    timeline_origin_s,
)

TIMING_LINE = re.compile(
    r"(?P<start>(?:\d+:)?\d{1,2}:\d{2}(?:[,.]\d{1,3})?)\s*-->\s*(?P<end>(?:\d+:)?\d{1,2}:\d{2}(?:[,.]\d{1,3})?)"
)
MARKUP = re.compile(r"<[^>]*>|\{\\[^}]*\}")  # HTML/WebVTT tags and ASS override blocks
SENTENCE_END = re.compile(r"[。！？!?.…;；][\"'”’」』)）]*\s*$")
CJK_PUNCTUATION = "，。！？；：、（）《》「」『』“”‘’"
# A cue without its own end (some embedded tracks) lasts until the next one, but not longer than this.
DEFAULT_CUE_S = 5.0

SidecarSpec = Path | str | Sequence[Path | str] | None


class Cue(BaseModel):
    start_s: float
    end_s: float
    text: str


class SubtitleTrack(BaseModel):
    """One subtitle track: an embedded stream or a sidecar file, with its cues or why it has none."""

    source: str
    origin: Literal["embedded", "sidecar"]
    stream_index: int | None = None
    codec: str
    language: str = ""
    default: bool = False
    forced: bool = False
    cues: list[Cue] = []
    error: str = ""

    @property
    def covered_s(self) -> float:
        return sum(max(0.0, cue.end_s - cue.start_s) for cue in self.cues)

    @property
    def effective_language(self) -> str:
        """The tagged language, else the language of the cue text."""
        if self.language:
            return self.language
        detected = detect_language(" ".join(cue.text for cue in self.cues[:50]))
        return "" if detected == "unknown" else detected

    def summary(self) -> dict[str, object]:
        return {
            "source": self.source,
            "origin": self.origin,
            "stream_index": self.stream_index,
            "codec": self.codec,
            "language": self.effective_language,
            "default": self.default,
            "forced": self.forced,
            "cues": len(self.cues),
            "covered_s": round(self.covered_s, 1),
            "error": self.error,
        }


class EmbeddedSubtitles(BaseModel):
    """The embedded subtitle tracks, plus what the packet scan learned about the file as a whole."""

    tracks: list[SubtitleTrack]
    data_end_s: float = 0.0  # end of the last packet of any stream: less than the duration means truncation
    read_error: str = ""
    complete: bool = True


# --- text cleaning -----------------------------------------------------------------------------------


def clean_cue_text(raw: str) -> str:
    """Plain text of a cue: markup removed, ASS line breaks and entities resolved, lines joined."""
    text = raw.replace("\\N", "\n").replace("\\n", "\n").replace("\\h", " ")
    text = html.unescape(MARKUP.sub("", text))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    joined = ""
    for line in filter(None, lines):
        joined = join_text(joined, line)
    return joined


def join_text(left: str, right: str) -> str:
    """Concatenate two pieces of text, with a space unless both sides are Chinese."""
    if not left:
        return right
    if not right:
        return left
    left_cjk = CJK_CHAR.match(left[-1]) is not None or left[-1] in CJK_PUNCTUATION
    right_cjk = CJK_CHAR.match(right[0]) is not None or right[0] in CJK_PUNCTUATION
    return left + right if left_cjk and right_cjk else f"{left} {right}"


def decode_subtitle_bytes(data: bytes) -> str:
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        return str(best) if best is not None else data.decode("utf-8", errors="replace")


def tidy_cues(cues: Iterable[Cue]) -> list[Cue]:
    """Sorted, non-empty cues; a cue repeating the previous text (rolling captions) extends it instead."""
    tidy: list[Cue] = []
    for cue in sorted(cues, key=lambda c: (c.start_s, c.end_s)):
        if not cue.text or cue.end_s < cue.start_s:
            continue
        if tidy and cue.text == tidy[-1].text and cue.start_s <= tidy[-1].end_s + 0.1:
            tidy[-1].end_s = max(tidy[-1].end_s, cue.end_s)
            continue
        tidy.append(cue)
    return tidy


# --- sidecar files -----------------------------------------------------------------------------------


def parse_timestamp(value: str) -> float:
    """``01:02:03,456`` / ``02:03.456`` / ``1:02:03.45`` → seconds."""
    clock, _, fraction = value.replace(",", ".").partition(".")
    seconds = 0.0
    for part in clock.split(":"):
        seconds = seconds * 60 + int(part)
    return seconds + (float(f"0.{fraction}") if fraction else 0.0)


def parse_srt_or_vtt(text: str) -> list[Cue]:
    """Cues of a SubRip or WebVTT document (numbering, headers, NOTE and STYLE blocks are skipped)."""
    cues: list[Cue] = []
    current: Cue | None = None
    lines: list[str] = []
    for line in [*text.splitlines(), ""]:
        timing = TIMING_LINE.search(line)
        if timing:
            if current is not None:
                cues.append(current.model_copy(update={"text": clean_cue_text("\n".join(lines))}))
            current = Cue(
                start_s=parse_timestamp(timing["start"]), end_s=parse_timestamp(timing["end"]), text=""
            )
            lines = []
        elif current is not None and line.strip():
            lines.append(line)
        elif current is not None:
            cues.append(current.model_copy(update={"text": clean_cue_text("\n".join(lines))}))
            current, lines = None, []
    return tidy_cues(cues)


def parse_ass(text: str) -> list[Cue]:
    """Dialogue events of an ASS/SSA document, using its own ``Format:`` line for the field order."""
    fields = ["layer", "start", "end", "style", "name", "marginl", "marginr", "marginv", "effect", "text"]
    cues: list[Cue] = []
    in_events = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            in_events = stripped.lower() == "[events]"
        elif in_events and stripped.lower().startswith("format:"):
            fields = [name.strip().lower() for name in stripped.split(":", 1)[1].split(",")]
        elif in_events and stripped.lower().startswith("dialogue:"):
            values = stripped.split(":", 1)[1].split(",", len(fields) - 1)
            if len(values) != len(fields):
                continue
            event = dict(zip(fields, values, strict=True))
            try:
                start, end = parse_timestamp(event["start"].strip()), parse_timestamp(event["end"].strip())
            except (KeyError, ValueError):
                continue
            cues.append(Cue(start_s=start, end_s=end, text=clean_cue_text(event.get("text", ""))))
    return tidy_cues(cues)


def sidecar_language(path: Path, video_stem: str | None = None) -> str:
    """Language from a name like ``talk.zh-CN.srt`` (the tag between the stem and the extension)."""
    stem = path.name[: -len(path.suffix)]
    if video_stem and stem.startswith(video_stem + "."):
        return normalize_language(stem[len(video_stem) + 1 :])
    return normalize_language(stem.rsplit(".", 1)[1]) if "." in stem else ""


def read_sidecar(path: Path, video_stem: str | None = None) -> SubtitleTrack:
    codec = path.suffix.lower().lstrip(".")
    track = SubtitleTrack(
        source=path.name, origin="sidecar", codec=codec, language=sidecar_language(path, video_stem)
    )
    try:
        text = decode_subtitle_bytes(path.read_bytes())
    except OSError as exc:
        track.error = f"cannot read {path.name}: {exc.strerror}"
        return track
    track.cues = parse_ass(text) if codec in ("ass", "ssa") else parse_srt_or_vtt(text)
    if not track.cues:
        track.error = f"no subtitle cues found in {path.name}"
    return track


def _is_subtitle_of(path: Path, video_stem: str) -> bool:
    """``talk.srt`` and ``talk.zh.srt`` belong to ``talk.mp4``; ``talk2.srt`` does not."""
    return path.suffix.lower() in SUBTITLE_SUFFIXES and path.name.startswith(video_stem + ".")


def find_sidecars(video: Path, search: SidecarSpec = None) -> list[Path]:
    """Subtitle files for ``video``.

    ``None``: files next to the video named after it (``talk.srt``, ``talk.en.vtt``). A folder: those, plus
    every subtitle file in the folder that is not named after another video there. Files: exactly those.
    """
    same_stem = sorted(
        p for p in video.parent.glob(f"{glob_escape(video.stem)}.*") if _is_subtitle_of(p, video.stem)
    )
    if search is None:
        return same_stem
    if isinstance(search, str | Path) and Path(search).is_dir():
        folder = Path(search)
        other_videos = [p.stem for p in folder.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES and p != video]
        found = [
            p
            for p in sorted(folder.iterdir())
            if p.suffix.lower() in SUBTITLE_SUFFIXES
            and not any(_is_subtitle_of(p, stem) for stem in other_videos)
        ]
        return list(dict.fromkeys([*same_stem, *found]))
    files = [search] if isinstance(search, str | Path) else list(search)
    return [Path(p) for p in files if Path(p).is_file()]


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


# --- embedded tracks ---------------------------------------------------------------------------------


def read_embedded(
    container: av.container.InputContainer, streams: Sequence[StreamInfo], deadline: float
) -> EmbeddedSubtitles:
    """Read every subtitle stream in one pass over the file's packets.

    All streams are demuxed (not only subtitles) so the pass also tells where the file's data really ends,
    which reveals truncated files whose header still declares the full duration.
    """
    tracks = {
        s.index: SubtitleTrack(
            source=f"stream #{s.index}",
            origin="embedded",
            stream_index=s.index,
            codec=s.codec,
            language=s.language,
            default=s.default,
            forced=s.forced,
        )
        for s in streams
    }
    raw: dict[int, list[tuple[float, float | None, str]]] = {index: [] for index in tracks}
    result = EmbeddedSubtitles(tracks=list(tracks.values()))
    packets = 0
    origin = timeline_origin_s(container)
    try:
        for packet in container.demux():
            packets += 1
            if packets % 2000 == 0 and time.monotonic() > deadline:
                result.complete = False
                break
            stamp = packet.pts if packet.pts is not None else packet.dts
            if stamp is None or packet.time_base is None:
                continue
            start = round(max(0.0, float(stamp * packet.time_base) - origin), 3)
            duration = round(float(packet.duration * packet.time_base), 3) if packet.duration else 0.0
            result.data_end_s = max(result.data_end_s, start + duration)
            index = packet.stream.index
            if index not in tracks or tracks[index].error:
                continue
            try:
                subtitles = packet.decode()
            except av.error.FFmpegError as exc:
                tracks[index].error = f"undecodable subtitle packet at {format_timestamp(start)}: {exc}"
                continue
            for subtitle in subtitles:
                dialogue = getattr(subtitle, "dialogue", None)
                if dialogue is None:
                    tracks[index].error = f"{tracks[index].codec} subtitles are images, not text; not read"
                    break
                text = clean_cue_text(dialogue.decode("utf-8", errors="replace"))
                raw[index].append((start, start + duration if duration else None, text))
    except av.error.FFmpegError as exc:
        result.read_error = f"reading stopped at {format_timestamp(result.data_end_s)}: {exc}"
    for index, entries in raw.items():
        tracks[index].cues = tidy_cues(_timed_cues(entries))
        if not tracks[index].cues and not tracks[index].error:
            tracks[index].error = "the track has no cues"
    return result


def _timed_cues(entries: list[tuple[float, float | None, str]]) -> list[Cue]:
    """Cues from ``(start, end or None, text)`` packets: an open end runs to the next cue (at most
    ``DEFAULT_CUE_S``)."""
    cues = []
    for position, (start, end, text) in enumerate(entries):
        next_start = entries[position + 1][0] if position + 1 < len(entries) else start + DEFAULT_CUE_S
        if end is None:
            end = min(next_start, start + DEFAULT_CUE_S)
        cues.append(Cue(start_s=start, end_s=end, text=text))
    return cues


# --- choice and merging ------------------------------------------------------------------------------


def choose_track(tracks: Sequence[SubtitleTrack], language: str) -> tuple[SubtitleTrack, StreamChoice] | None:
    """The track to use as speech evidence, and why it beat the others."""
    criteria: list[Criterion[SubtitleTrack]] = [
        (lambda t: t.effective_language == language, lambda b, r: f"in the report language ({language})"),
        (lambda t: not t.forced, lambda b, r: f"{r.source} is a forced (partial) track"),
        (
            lambda t: round(t.covered_s),
            lambda b, r: f"covers the most speech ({b.covered_s:.0f} s vs {r.covered_s:.0f} s)",
        ),
        (lambda t: len(t.cues), lambda b, r: f"most cues ({len(b.cues)} vs {len(r.cues)})"),
        (lambda t: t.default, lambda b, r: "marked as the default track"),
        (lambda t: t.origin == "embedded", lambda b, r: f"embedded in the video, equal to {r.source}"),
        (
            lambda t: -(t.stream_index if t.stream_index is not None else 1_000_000),
            lambda b, r: f"equal to {r.source}; first in file order",
        ),
    ]
    chosen = rank_with_reason([t for t in tracks if t.cues], criteria, "subtitle track")
    if chosen is None:
        return None
    best, reason = chosen
    language = best.effective_language or "language unknown"
    choice = StreamChoice(
        kind="subtitle",
        source=f"{best.source} ({best.codec}, {language}, {len(best.cues)} cues)",
        stream_index=best.stream_index,
        reason=reason,
    )
    return best, choice


def merge_cues(
    cues: Sequence[Cue], *, max_span_s: float = 15.0, max_gap_s: float = 2.0, breaks: Sequence[float] = ()
) -> list[Cue]:
    """Group consecutive cues into segments of at most ``max_span_s``, ending at sentence ends if possible.

    A segment never spans a pause longer than ``max_gap_s`` or one of ``breaks`` (slide changes), so each
    cited segment belongs to one slide.
    """
    groups: list[list[Cue]] = []
    current: list[Cue] = []

    def crosses_break(previous: Cue, cue: Cue) -> bool:
        # Speech often leads a slide change slightly: a cue starting just before a break goes after it.
        return any(previous.start_s + 0.5 < point <= cue.start_s + 0.5 for point in breaks)

    for cue in cues:
        if current and (cue.start_s - current[-1].end_s > max_gap_s or crosses_break(current[-1], cue)):
            groups.append(current)
            current = []
        if current and cue.end_s - current[0].start_s > max_span_s:
            sentence_ends = [i for i, c in enumerate(current) if SENTENCE_END.search(c.text)]
            cut = sentence_ends[-1] + 1 if sentence_ends else len(current)
            groups.append(current[:cut])
            current = current[cut:]
            while current and cue.end_s - current[0].start_s > max_span_s:
                groups.append([current.pop(0)])
        current.append(cue)
    if current:
        groups.append(current)
    merged = []
    for group in groups:
        text = ""
        for cue in group:
            text = join_text(text, cue.text)
        merged.append(Cue(start_s=group[0].start_s, end_s=group[-1].end_s, text=text))
    return merged
