"""What kind of material a file of a task folder is, by its name's suffix: the one list that intake
(tools/intake/taskio.py classify), the video wing (sidecar subtitles, other videos of a folder), the writer
(labels it must not leave in a draft) and the checker (citation forms naming a file) read.

Suffixes are lower case with their dot; compare ``Path.suffix.lower()`` with them.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Literal

FileKind = Literal["task", "corpus", "pdf", "document", "video", "image", "audio", "subtitle", "other"]

# A collection's suffixes: such a file is a corpus only when its name or content says so (classify).
CORPUS_SUFFIXES = (".json", ".jsonl")
EXTENSION_KINDS: dict[str, FileKind] = {
    ".pdf": "pdf",
    **dict.fromkeys(
        (".mp4", ".mkv", ".webm", ".mov", ".avi", ".m4v", ".flv", ".wmv", ".mpg", ".mpeg", ".ts", ".3gp"),
        "video",
    ),
    **dict.fromkeys(
        (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".tif", ".tiff", ".heic", ".svg"), "image"
    ),
    **dict.fromkeys((".mp3", ".wav", ".m4a", ".aac", ".flac", ".ogg", ".opus", ".wma"), "audio"),
    **dict.fromkeys((".srt", ".vtt", ".ass", ".ssa"), "subtitle"),
    # Text, web pages, Office documents and tables: read as citable documents (tools/intake/documents.py).
    **dict.fromkeys((".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".pptx", ".csv", ".tsv", ".xlsx",
                     ".xlsm"), "document"),
}


def kind_of(name: str) -> FileKind:
    """The kind a file's name gives it by its suffix ("other" when none does); a collection's .json is
    "other" here, as only its name or content makes it a corpus (taskio.classify)."""
    return EXTENSION_KINDS.get(PurePosixPath(name).suffix.lower(), "other")


def suffixes_of(*kinds: FileKind) -> tuple[str, ...]:
    """The suffixes of ``kinds`` (``".mp4"`` …), in the order of EXTENSION_KINDS."""
    return tuple(suffix for suffix, kind in EXTENSION_KINDS.items() if kind in kinds)


VIDEO_SUFFIXES = suffixes_of("video")
SUBTITLE_SUFFIXES = suffixes_of("subtitle")


def suffix_alternation(suffixes: tuple[str, ...]) -> str:
    """A regex group matching any of ``suffixes`` without its dot (``(?:mpeg|mp4|…)``), longest first so
    that no suffix stops a longer one it begins (``ts`` before ``tsv``)."""
    names = sorted((suffix.removeprefix(".") for suffix in suffixes), key=lambda name: (-len(name), name))
    return "(?:" + "|".join(names) + ")"
