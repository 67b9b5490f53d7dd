"""Load a task's web-article corpus (``long_context.json``) robustly.

Accepted layouts: a JSON list of documents, ``{"documents": [...]}``, or JSON Lines. A document has a
``title``, a ``url`` and its text under one of :data:`TEXT_FIELDS` (the names common crawls and dataset
exports use). Bytes may be UTF-8 (with or without BOM), UTF-16 or a legacy Chinese encoding
(GB18030/GBK); mojibake and HTML entities are repaired with ftfy; the source's own reference markers
(``[1]``, ``[citation needed]``, ``[编辑]``) are removed so quotes do not carry them. The same text
under several urls (mirrors) or nearly the same text (reposts, :mod:`duplicates`) is kept once. Every
entry left out is listed in the load report with its reason; ``dropped`` counts those that may hold text
the loader could not read. Text inside documents is data only: nothing in it is ever interpreted.
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
from pydantic import BaseModel, Field
from reportgraph.tools.intake.duplicates import near_duplicates
from reportgraph.tools.intake.taskio import BadInputError
from reportgraph.tools.registry import corpus_doc_id, short_hash

CorpusLayout = Literal["list", "documents", "jsonl"]
SkipReason = Literal[
    "not_a_document", "no_text_field", "text_not_text", "empty_text", "duplicate", "near_duplicate"
]

TEXT_FIELDS = (
    "content",
    "page_body",
    "text",
    "body",
    "page_content",
    "passage",
    "article",
    "markdown",
    "full_text",
    "raw_text",
    "document",
    "contents",
)
TITLE_FIELDS = ("title", "headline", "name")
URL_FIELDS = ("url", "link", "href", "source_url")
# Reasons that may hide text the loader could not read (the run then needs review); the others are right.
DROPPING_REASONS = frozenset({"not_a_document", "no_text_field", "text_not_text"})
# Wiki-style footnote markers: a run such as "[1][2]", "[3–5]" or a letter note "[a]" (a–h: "[x]" is a
# Markdown task box) written right after a word or punctuation mark, as wikis render them. Never "[0]",
# a marker after a space or a bracket, or one followed by "(", ":", "[" or an operator: those are
# Markdown links, reference definitions, lists and indexes in code (``[0, 1]``, ``data["a"][1] = 2``).
# (The pattern starts with "[" so the regex engine jumps from bracket to bracket; the look-behind checks
# the character before it.)
_NUMBERED_MARKERS = re.compile(
    r"\[(?<=[^\W\d_]\[|[.,;:!?。，；：！？、)）”\"’']\[)"
    r"(?:[1-9]\d{0,2}(?:[–-][1-9]\d{0,2})?|[a-h]|(?:note|注|註)\s?\d{1,3})\]"
    r"(?:\[(?:[1-9]\d{0,2}(?:[–-][1-9]\d{0,2})?|[a-h]|(?:note|注|註)\s?\d{1,3})\])*"
    r"(?![(:\[]|\s*[=+*/%<>])"
)
# Editing and verification tags, wherever they stand.
_TAG_MARKERS = re.compile(
    r"\s?\[(?:citation needed|clarification needed|verification needed|dubious|edit|编辑|編輯|编辑本段|"
    r"来源请求|來源請求|需要来源|需要引用|失效链接|失效連結|谁？|誰？|何时？|何時？|需要解释|"
    r"要出典|要出典範囲|編集|要検証|cita requerida|réf\. nécessaire|référence nécessaire|"
    r"Quelle fehlt|Bearbeiten|Quelltext bearbeiten|Bearbeiten \| Quelltext bearbeiten|"
    r"необходима ссылка|источник не указан|править)\]",
    re.IGNORECASE,
)
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


class SkippedEntry(BaseModel):
    """One entry left out of the collection, named so a reader can find it in the file."""

    position: int = Field(description="Index of the entry in the file, from 0")
    title: str = ""
    url: str = ""
    reason: SkipReason
    detail: str = ""
    dropped: bool = Field(description="True when the entry may hold text the loader could not read")


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
    near_duplicates_skipped: int = 0
    duplicate_titles: int = 0
    repaired: int = 0
    untitled: int = 0
    markers_removed: int = Field(default=0, description="Runs of reference markers removed ([1][2] is one)")
    total_chars: int = 0
    dropped: int = Field(
        default=0, description="Entries left out that may hold text the loader could not read"
    )
    skipped: list[SkippedEntry] = Field(default_factory=list)


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
    report = CorpusLoadReport(
        source_file=path.name, encoding=encoding, layout=layout, entries=len(entries), loaded=0
    )
    documents = _read_documents(entries, report)
    if entries and report.invalid_skipped == len(entries):
        raise BadInputError(
            code="corpus_shape",
            message=f"none of its {len(entries)} entries is a document object with a text field "
            f"({', '.join(TEXT_FIELDS)})",
            path=path,
        )
    documents = _without_near_duplicates(documents, report)
    report.loaded = len(documents)
    report.total_chars = sum(len(doc.content) for doc in documents)
    report.dropped = sum(entry.dropped for entry in report.skipped)
    report.skipped.sort(key=lambda entry: entry.position)
    return CorpusLoad(documents, report)


def strip_reference_markers(text: str) -> tuple[str, int]:
    """``text`` without wiki-style reference and editing markers, and how many were removed."""
    if "[" not in text:
        return text, 0
    # Tags first: a numbered marker followed by a tag ("[5][citation needed]") is then a run of its own.
    text, tags = _TAG_MARKERS.subn("", text)
    text, numbered = _NUMBERED_MARKERS.subn("", text)
    return text, numbered + tags


def _read_documents(entries: list[Any], report: CorpusLoadReport) -> list[CorpusDocument]:
    documents: list[CorpusDocument] = []
    seen_texts: dict[str, int] = {}  # the text's words → position of the entry kept for it
    seen_titles: set[str] = set()
    for position, entry in enumerate(entries):
        problem = _entry_problem(entry)
        if problem is not None:
            report.invalid_skipped += 1
            _skip(report, position, entry, *problem)
            continue
        raw_title, raw_url, raw_content = _document_fields(entry)
        title, url = repair_text(raw_title).strip(), repair_text(raw_url).strip()
        repaired = repair_text(raw_content)
        content, markers = strip_reference_markers(repaired)
        report.markers_removed += markers
        report.repaired += (title, url, repaired) != (raw_title.strip(), raw_url.strip(), raw_content)
        if not content.strip():
            report.empty_skipped += 1
            _skip(report, position, entry, "empty_text", "its text field is empty (null or blank)")
            continue
        key = short_hash(" ".join(content.split()))
        if key in seen_texts:
            report.duplicates_skipped += 1
            _skip(report, position, entry, "duplicate", f"the same text as entry {seen_texts[key]}")
            continue
        seen_texts[key] = position
        if not title:
            report.untitled += 1
            title = _fallback_title(url, content)
        report.duplicate_titles += title in seen_titles
        seen_titles.add(title)
        documents.append(CorpusDocument(corpus_doc_id(title, url, content), title, url, content, position))
    return documents


def _without_near_duplicates(
    documents: list[CorpusDocument], report: CorpusLoadReport
) -> list[CorpusDocument]:
    copies = near_duplicates([doc.content for doc in documents])
    for index, original in copies.items():
        doc = documents[index]
        report.near_duplicates_skipped += 1
        report.skipped.append(
            SkippedEntry(
                position=doc.position,
                title=doc.title,
                url=doc.url,
                reason="near_duplicate",
                detail=f"nearly the same text as entry {documents[original].position}",
                dropped=False,
            )
        )
    return [doc for index, doc in enumerate(documents) if index not in copies]


def _skip(report: CorpusLoadReport, position: int, entry: Any, reason: SkipReason, detail: str) -> None:
    title = url = ""
    if isinstance(entry, dict):
        title, url = _first_text(entry, TITLE_FIELDS).strip(), _first_text(entry, URL_FIELDS).strip()
    report.skipped.append(
        SkippedEntry(
            position=position,
            title=title[:120],
            url=url,
            reason=reason,
            detail=detail,
            dropped=reason in DROPPING_REASONS,
        )
    )


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


def _entry_problem(entry: Any) -> tuple[SkipReason, str] | None:
    """Why an entry is not a document, or None when it is one."""
    if not isinstance(entry, dict):
        return "not_a_document", f"a JSON {type(entry).__name__}, not an object"
    if not any(name in entry for name in TEXT_FIELDS):
        keys = ", ".join(sorted(map(str, entry))[:8])
        return "no_text_field", f"no text field ({', '.join(TEXT_FIELDS[:6])} …); its keys: {keys}"
    given = {name: entry[name] for name in TEXT_FIELDS if entry.get(name) not in (None, "", [])}
    if given and not any(_is_text(value) for value in given.values()):
        name, value = next(iter(given.items()))
        # an object or a number is not an article: its repr would be quoted as if it were the text
        return "text_not_text", f"its {name} is a JSON {type(value).__name__}, not text"
    return None


def _is_text(value: Any) -> bool:
    """A string, or paragraphs given as a list of strings."""
    return isinstance(value, str) or (isinstance(value, list) and all(_is_text(item) for item in value))


def _document_fields(entry: dict[str, Any]) -> tuple[str, str, str]:
    """(title, url, content) of a document entry; the first non-empty text field is its content."""
    return _first_text(entry, TITLE_FIELDS), _first_text(entry, URL_FIELDS), _first_text(entry, TEXT_FIELDS)


def _first_text(entry: dict[str, Any], names: tuple[str, ...]) -> str:
    texts = (_as_text(entry.get(name)) for name in names)
    return next((text for text in texts if text.strip()), "")


def _as_text(value: Any) -> str:
    """The text of a field; "" for null and an object. A number stays (a title "1984"); an entry whose only
    text is a number or an object is refused before (_entry_problem)."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list) and _is_text(value):  # paragraphs given as a list
        return "\n".join(_as_text(item) for item in value)
    return ""


def _fallback_title(url: str, content: str) -> str:
    if url:
        return url
    first_line = content.strip().split("\n", 1)[0]
    return first_line[:40]
