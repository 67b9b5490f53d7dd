"""Load a task's web-article corpus (``long_context.json``) robustly.

Accepted layouts: a JSON list of documents, ``{"documents": [...]}``, or JSON Lines. A document has a
``title``, a ``url`` and its text in ``content`` (or ``page_body``). Bytes may be UTF-8 (with or without
BOM), UTF-16 or a legacy Chinese encoding (GB18030/GBK); mojibake and HTML entities are repaired with
ftfy. Text inside documents is data only: nothing in it is ever interpreted.
"""

from __future__ import annotations

import codecs
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import charset_normalizer
import ftfy
from ftfy.badness import is_bad
from pydantic import BaseModel
from reportgraph.tools.intake.taskio import BadInputError
from reportgraph.tools.registry import corpus_doc_id

CorpusLayout = Literal["list", "documents", "jsonl"]

TEXT_FIELDS = ("content", "page_body", "text")
# Keep data as written: no quote uncurling or full-width folding (both are meaningful in Chinese text).
_FTFY_CONFIG = ftfy.TextFixerConfig(uncurl_quotes=False, fix_character_width=False)
_REPAIR_SEGMENT_CHARS = 256_000
_HTML_ENTITY = re.compile(r"&(?:#\d{2,6}|#x[0-9a-fA-F]{2,5}|[a-zA-Z]{2,8});")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# UTF-8 read as Latin-1/cp1252 always shows a lead byte as one of Â…ô; ftfy's own test is ~1 MB/s.
_MOJIBAKE_HINT = re.compile(r"[\u00c2-\u00f4]")
_LEGACY_CHINESE = {"gb2312", "gbk", "cp936", "hz", "gb18030"}


@dataclass(frozen=True, slots=True)
class CorpusDocument:
    """One article: ``doc_id`` is derived from its title, url and (repaired) content."""

    doc_id: str
    title: str
    url: str
    content: str
    position: int  # index of the entry in the file


class CorpusLoadReport(BaseModel):
    """What loading found, for the run log and for deciding whether the corpus is usable."""

    source_file: str
    encoding: str
    layout: CorpusLayout
    entries: int
    loaded: int
    empty_skipped: int = 0
    invalid_skipped: int = 0
    duplicates_skipped: int = 0
    duplicate_titles: int = 0
    repaired: int = 0
    untitled: int = 0
    total_chars: int = 0


@dataclass(frozen=True)
class CorpusLoad:
    documents: list[CorpusDocument]
    report: CorpusLoadReport


def decode_bytes(raw: bytes) -> tuple[str, str]:
    """Decode file bytes, returning the text and the encoding used."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if raw.startswith(bom):
            return raw.decode(encoding, errors="replace"), encoding
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(raw).best()
    encoding = best.encoding if best is not None else "utf-8"
    # GB18030 is a superset of GB2312/GBK: decoding with it never loses characters the guess would keep.
    if encoding.replace("_", "").lower() in _LEGACY_CHINESE:
        encoding = "gb18030"
    return raw.decode(encoding, errors="replace"), encoding


def repair_text(text: str) -> str:
    """Fix mojibake, HTML entities and control characters, touching only segments that need it.

    ftfy is thorough but slow (about 2.5 MB/s), so segments without a sign of damage are passed through.
    """
    if len(text) <= _REPAIR_SEGMENT_CHARS:
        return _repair_segment(text)
    return "".join(_repair_segment(segment) for segment in _segments(text, _REPAIR_SEGMENT_CHARS))


def _segments(text: str, size: int) -> Iterator[str]:
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            newline = text.rfind("\n", start + size // 2, end)
            end = newline + 1 if newline != -1 else end
        yield text[start:end]
        start = end


def _repair_segment(segment: str) -> str:
    needs_repair = (
        _HTML_ENTITY.search(segment) is not None
        or _CONTROL_CHARS.search(segment) is not None
        or not unicodedata.is_normalized("NFC", segment)
        or (_MOJIBAKE_HINT.search(segment) is not None and is_bad(segment))
    )
    return ftfy.fix_text(segment, _FTFY_CONFIG) if needs_repair else segment


def load_corpus(path: str | Path) -> CorpusLoad:
    """Read and clean a corpus file.

    Raises :class:`BadInputError` with code ``corpus_malformed`` (not JSON; the message names the file,
    line and column) or ``corpus_shape`` (JSON of another shape, or no entry that is a document).
    """
    path = Path(path)
    text, encoding = decode_bytes(path.read_bytes())
    entries, layout = _parse_entries(text, path)

    documents: list[CorpusDocument] = []
    seen_ids: set[str] = set()
    seen_titles: set[str] = set()
    counts = dict.fromkeys(("empty", "invalid", "duplicates", "duplicate_titles", "repaired", "untitled"), 0)
    for position, entry in enumerate(entries):
        fields = _document_fields(entry)
        if fields is None:
            counts["invalid"] += 1
            continue
        raw_title, raw_url, raw_content = fields
        title, url, content = (
            repair_text(raw_title).strip(),
            repair_text(raw_url).strip(),
            repair_text(raw_content),
        )
        counts["repaired"] += (title, url, content) != (raw_title.strip(), raw_url.strip(), raw_content)
        if not content.strip():
            counts["empty"] += 1
            continue
        doc_id = corpus_doc_id(title, url, content)
        if doc_id in seen_ids:
            counts["duplicates"] += 1
            continue
        seen_ids.add(doc_id)
        if not title:
            counts["untitled"] += 1
            title = _fallback_title(url, content)
        counts["duplicate_titles"] += title in seen_titles
        seen_titles.add(title)
        documents.append(CorpusDocument(doc_id, title, url, content, position))

    if entries and counts["invalid"] == len(entries):
        raise BadInputError(
            code="corpus_shape",
            message=f"none of its {len(entries)} entries is a document object with a text field "
            f"({', '.join(TEXT_FIELDS)})",
            path=path,
        )
    report = CorpusLoadReport(
        source_file=path.name,
        encoding=encoding,
        layout=layout,
        entries=len(entries),
        loaded=len(documents),
        empty_skipped=counts["empty"],
        invalid_skipped=counts["invalid"],
        duplicates_skipped=counts["duplicates"],
        duplicate_titles=counts["duplicate_titles"],
        repaired=counts["repaired"],
        untitled=counts["untitled"],
        total_chars=sum(len(doc.content) for doc in documents),
    )
    return CorpusLoad(documents, report)


def _parse_entries(text: str, path: Path) -> tuple[list[Any], CorpusLayout]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        lines = _json_lines(text) if error.msg == "Extra data" else None
        if lines is not None:
            return lines, "jsonl"
        raise BadInputError(
            code="corpus_malformed",
            message=f"malformed JSON at line {error.lineno}, column {error.colno}: {error.msg}",
            path=path,
        ) from error
    if isinstance(data, list):
        return data, "list"
    if isinstance(data, dict) and isinstance(data.get("documents"), list):
        return data["documents"], "documents"
    found = f"an object with keys {sorted(data)[:6]}" if isinstance(data, dict) else type(data).__name__
    raise BadInputError(
        code="corpus_shape",
        message=f'expected a JSON list of documents or {{"documents": [...]}}, found {found}',
        path=path,
    )


def _json_lines(text: str) -> list[Any] | None:
    """Entries of a JSON Lines file, or None when some non-empty line is not JSON."""
    entries = []
    for line in text.splitlines():
        if line.strip():
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError:
                return None
    return entries


def _document_fields(entry: Any) -> tuple[str, str, str] | None:
    """(title, url, content) of an entry, or None when it is not a document object."""
    if not isinstance(entry, dict):
        return None
    if not any(name in entry for name in TEXT_FIELDS):
        return None
    texts = (_as_text(entry.get(name)) for name in TEXT_FIELDS)
    content = next((text for text in texts if text.strip()), "")
    return _as_text(entry.get("title")), _as_text(entry.get("url")), content


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):  # paragraphs given as a list
        return "\n".join(_as_text(item) for item in value)
    return str(value)


def _fallback_title(url: str, content: str) -> str:
    if url:
        return url
    first_line = content.strip().split("\n", 1)[0]
    return first_line[:40]
