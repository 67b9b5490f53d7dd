"""The source registry: every citable piece of evidence with a stable id and its text.

Ids are derived from content and position only, so the same inputs give the same ids in every run:

- corpus chunk:  ``lc-<sha1(title, url, content)[:10]>-<chunk>``
- PDF page:      ``pdf-<sha1(file bytes)[:8]>-p<page>`` (or ``-p<page>c<k>`` for a chunk of a long page)
- paper facts:   ``pdf-<sha1(file bytes)[:8]>-p1-meta`` (title, authors, venue … read from page 1)
- document chunk: ``doc-<sha1(file bytes)[:8]>-<chunk>`` (a .txt, .md, .html, .docx, .csv or .xlsx file)
- slide:         ``doc-<sha1(file bytes)[:8]>-s<slide>`` (or ``-s<slide>c<k>`` for a chunk of a long slide)
- video segment: ``vid-<sha1(file name, size)[:8]>-<start_ms>-<end_ms>-<segment kind>``

Drafts cite with markers ``[@<id>]``; :func:`render_citation` turns an id into the readable form.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

SourceKind = Literal["corpus", "pdf", "video"]
SegmentKind = Literal["chunk", "page", "slide", "subtitle", "transcript", "caption", "metadata", "external"]

DOCUMENT_PREFIX = "doc-"  # documents of the folder other than the collection (tools/intake/documents.py)
# How a rendered report marks a cited id no source has (render_citations); checkers read it back.
UNRESOLVED_SOURCE = "unresolved source"
CITATION_MARKER = re.compile(r"\[@([A-Za-z0-9][A-Za-z0-9_.\-]*)\]")


class SourceRecord(BaseModel):
    """One citable piece of evidence."""

    id: str
    kind: SourceKind
    segment: SegmentKind
    source_file: str = Field(description="File name inside the task folder, e.g. long_context.json")
    title: str = ""
    url: str = ""
    text: str
    lang: str = "unknown"
    chunk_index: int | None = None
    page: int | None = None
    start_s: float | None = None
    end_s: float | None = None
    doc_id: str = Field("", description="Id of the whole document this piece belongs to")


def file_sha1(path: Path) -> str:
    """The hex SHA-1 of a file's bytes, read in 1 MiB blocks (cache keys of indexes and video analyses).
    Raises OSError when the file cannot be read."""
    digest = hashlib.sha1()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def short_hash(*parts: str | bytes, length: int = 10) -> str:
    digest = hashlib.sha1()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()[:length]


def corpus_doc_id(title: str, url: str, content: str) -> str:
    return f"lc-{short_hash(title, url, content)}"


def corpus_chunk_id(doc_id: str, chunk_index: int) -> str:
    return f"{doc_id}-{chunk_index}"


def pdf_page_id(file_hash: str, page: int, chunk: int | None = None) -> str:
    return f"pdf-{file_hash[:8]}-p{page}" + (f"c{chunk}" if chunk is not None else "")


def document_id(file_hash: str) -> str:
    return f"{DOCUMENT_PREFIX}{file_hash[:8]}"


def document_part_id(file_hash: str, slide: int, chunk: int | None = None) -> str:
    return f"{document_id(file_hash)}-s{slide}" + (f"c{chunk}" if chunk is not None else "")


def pdf_metadata_id(file_hash: str) -> str:
    return f"{pdf_page_id(file_hash, 1)}-meta"


def video_segment_id(file_key: str, start_s: float, end_s: float, segment: SegmentKind) -> str:
    return f"vid-{file_key[:8]}-{round(start_s * 1000)}-{round(end_s * 1000)}-{segment}"


def format_timestamp(seconds: float) -> str:
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def locator(record: SourceRecord) -> str:
    """Where in its document a record sits: ``p.3``, ``slide 2``, ``chunk 4`` or ``01:23–01:41``."""
    if record.kind == "pdf":
        return f"p.{record.page}"
    if record.kind == "video":
        start, end = record.start_s or 0.0, record.end_s or record.start_s or 0.0
        return f"{format_timestamp(start)}–{format_timestamp(end)}"
    if record.doc_id.startswith(DOCUMENT_PREFIX) and record.segment == "slide":
        return f"slide {record.page}"
    return f"chunk {record.chunk_index}"


def render_citation(record: SourceRecord) -> str:
    """The readable inline citation for a record, e.g. ``[pdf.pdf p.3]``, ``[deck.pptx slide 2]``,
    ``[notes.txt chunk 1]``, ``[long_context: "title", chunk 4]``."""
    if record.kind in ("pdf", "video") or record.doc_id.startswith(DOCUMENT_PREFIX):
        # a file of its own: named by file, and its page, time range, slide or chunk
        return f"[{record.source_file} {locator(record)}]"
    title = record.title.replace('"', "'")
    return f'[{record.source_file.removesuffix(".json")}: "{title}", {locator(record)}]'


def cited_ids(text: str) -> list[str]:
    """Ids cited in ``text``, in order of appearance (with repeats)."""
    return CITATION_MARKER.findall(text)


def render_citations(text: str, registry: Mapping[str, Mapping[str, Any]]) -> str:
    """Replace ``[@id]`` markers with readable citations; unknown ids are left visibly unresolved."""

    def replace(match: re.Match[str]) -> str:
        entry = registry.get(match.group(1))
        if entry is None:
            return f"[{UNRESOLVED_SOURCE}: {match.group(1)}]"
        return render_citation(SourceRecord.model_validate(entry))

    return CITATION_MARKER.sub(replace, text)


def to_registry(records: Iterable[SourceRecord]) -> dict[str, dict[str, Any]]:
    """Records as the JSON-able mapping kept in graph state (id → record dict)."""
    return {record.id: record.model_dump(mode="json") for record in records}
