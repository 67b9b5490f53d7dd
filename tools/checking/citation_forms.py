"""Citations in the forms people write, resolved against a task folder's registry.

Forms read (one source per bracket; ``FILE`` is a file of the task folder):

- product ids ``[@id]``;
- a PDF page ``[FILE.pdf p.3]``, ``[FILE.pdf, Page 3]``, ``[FILE.pdf 第3页]``, pages ``[FILE.pdf pp.3–4]``
  → the page's text (a page the PDF does not have does not resolve);
- a time range ``[FILE.mp4 01:23–01:41]`` (mm:ss or h:mm:ss) → every analysed segment of that video
  overlapping the range by at least ``MIN_OVERLAP_S`` (metadata excluded);
- a document ``[long_context: "title"]`` and a chunk ``[long_context: "title", chunk 4]`` → the
  document's chunks, or that chunk;
- a document of the folder other than the collection ``[notes.txt chunk 2]``, a slide ``[deck.pptx slide 3]``
  (tools/registry.py render_citation) → that chunk, or the slide's text;
- numbered ``[1]`` / labelled ``[RAG-1]`` with a reference list whose entry holds one of the forms above or a
  document's title.

A whole file without page or time range (``[文档: pdf.pdf]``, ``[图片: video.mp4]``) does not
resolve: it names no place a reader could check. A bracket that looks like a citation (a file name,
``chunk``, ``p.``, a colon label) in none of these forms is recorded as an unknown form. Each citation is
rewritten into ``[@id]`` markers (unresolvable ones into an id outside the registry) so every check reads
one form.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reportgraph.tools.checking.citation_styles import citation_summary, split_reference_section
from reportgraph.tools.file_kinds import CORPUS_SUFFIXES, kind_of, suffix_alternation, suffixes_of
from reportgraph.tools.registry import CITATION_MARKER, DOCUMENT_PREFIX, UNRESOLVED_SOURCE, SourceRecord

MIN_OVERLAP_S = 1.0  # a range that only grazes a segment's edge does not cite it
WHOLE_TALK_SLACK_S = 2.0  # a range within this many seconds of both ends of a talk cites the whole talk
UNRESOLVED_PREFIX = "unresolved-"

_INSIDE = r"[^\[\]【】\n]"  # what a bracket holds, unless it opens with a name holding brackets
# Not a Markdown link "[text](url)"; a bracket that opens its line and is followed by a colon is a
# label or definition ("[1]: …"), checked in resolve_citations, and one that ends a lead sentence
# ("…如下表所示 [paper.pdf p.1]：") is a citation.
_BRACKET = re.compile(rf"(?<!!)[\[【]({_INSIDE}{{1,300}})[\]】](?!\()")
_FOOTNOTE_DEFINITION = re.compile(r"^\s*\[\^[^\]\s]+\]:.*$", re.M)
_DEFINITION = re.compile(r"^\s*[\[【]([^\]】\n]{1,40})[\]】]\s*[:：]\s*(.+?)\s*$", re.M)
# File names by suffix (tools/file_kinds.py): a PDF, a video or a collection is cited by page, time range
# or title; a document of another kind by chunk or slide.
_PLACED = suffix_alternation((*suffixes_of("pdf", "video", "audio"), *CORPUS_SUFFIXES))
_DOCUMENTS = suffix_alternation(suffixes_of("document"))
_FILE = rf"(?P<file>[^\s\[\],，:：]+?\.{_PLACED})"
_LABEL = r"(?:(?:文档|图片|视频|论文|来源|资料|source|document|video|pdf)\s*[:：]\s*)?"
# What follows a file's name in each form; shared by the name-regex forms below and by names read from the
# folder itself (any characters: spaces, CJK, brackets, several dots), see Materials.split_name.
_PAGE_TAIL = r"\s*[,，]?\s*(?:pp?\.?\s*|pages?\s+|第\s*)(?P<a>\d+)(?:\s*[-–—~]\s*(?P<b>\d+))?\s*页?$"
_TIME = r"\d{1,2}:\d{2}(?::\d{2})?"
_RANGE_TAIL = rf"\s*[,，@]?\s*(?P<a>{_TIME})(?:\s*(?:[-–—~至到]|to)\s*(?P<b>{_TIME}))?$"
_DOCUMENT_TAIL = r"\s*[:：]\s*[\"“「『]?(?P<title>.+?)[\"”」』]?(?:\s*[,，]\s*chunks?\s*(?P<chunk>\d+))?$"
_PAGE = re.compile(rf"^{_LABEL}{_FILE}{_PAGE_TAIL}", re.I)
_RANGE = re.compile(rf"^{_LABEL}{_FILE}{_RANGE_TAIL}")
_DOCUMENT = re.compile(rf"^(?P<file>[\w.\-]+){_DOCUMENT_TAIL}")
# Documents of other kinds (.txt, .md, .html, .docx, .pptx, .csv, .xlsx …) are cited by part.
_DOC_FILE = rf"(?P<file>[^\[\]\n]+?\.{_DOCUMENTS})"
_PART_TAIL = r"\s*[,，]?\s*(?P<unit>chunk|slide)\s*(?P<a>\d+)$"
_PART = re.compile(rf"^{_LABEL}{_DOC_FILE}{_PART_TAIL}", re.I)
_WHOLE_FILE = re.compile(rf"^{_LABEL}(?:{_FILE}|{_DOC_FILE.replace('<file>', '<doc>')})$", re.I)
_LABEL_ONLY = re.compile(rf"^{_LABEL}")
_TAILS = {
    "pdf_page": re.compile(_PAGE_TAIL, re.I),
    "video_range": re.compile(_RANGE_TAIL),
    "document": re.compile(_DOCUMENT_TAIL),
    "document_part": re.compile(_PART_TAIL, re.I),
    "whole_file": re.compile(r"\s*$"),
}
_TITLE_CHUNK = re.compile(r"^(?P<title>.+?)\s*[,，]\s*chunks?\s*(?P<chunk>\d+)(?:\s*[,，]\s*\d+)*$")
_NUMBERED = re.compile(r"^(?P<label>(?:[A-Za-z]+-)?\d{1,3})$")
_CITATION_LIKE = re.compile(
    rf"^{UNRESOLVED_SOURCE}:|"
    rf"\.(?:{_PLACED}|{_DOCUMENTS})\b|"
    r"chunk|\bp\.\s*\d|page\s*\d|第\s*\d+\s*页|^[^\s:：]{1,20}[:：]\s*\S|^[A-Za-z]+-\d+$",
    re.I,
)


@dataclass
class WrittenCitation:
    """A citation as written, its form, the ids it resolved to, and why not when it did not."""

    written: str
    # id | pdf_page | video_range | document | chunk | document_part | numbered | whole_file | unknown
    form: str
    ids: list[str] = field(default_factory=list)
    problem: str = ""


@dataclass
class CitationLedger:
    citations: list[WrittenCitation] = field(default_factory=list)
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # records made for pages, ranges, docs

    def forms(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for citation in self.citations:
            counts[citation.form] = counts.get(citation.form, 0) + 1
        return counts

    def problem_of(self, marker_id: str) -> WrittenCitation | None:
        return next((c for c in self.citations if marker_id in c.ids and c.problem), None)


def _seconds(stamp: str) -> float:
    total = 0.0
    for part in stamp.split(":"):
        total = total * 60 + int(part)
    return total


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\s\"'“”‘’「」『』《》]+", " ", text).strip()


class Materials:
    """The registry grouped the ways citations name places: pages per PDF, segments per video, chunks per
    document title."""

    def __init__(self, registry: Mapping[str, Mapping[str, Any]]) -> None:
        self.pages: dict[str, dict[int, list[SourceRecord]]] = {}
        self.videos: dict[str, list[SourceRecord]] = {}
        # the whole-talk record of each video (duration, title, streams): what a citation of all of it cites
        self.talks: dict[str, SourceRecord] = {}
        self.documents: dict[str, list[SourceRecord]] = {}
        # (file, "chunk" | "slide", number) → the records of a document other than the collection
        self.parts: dict[tuple[str, str, int], list[SourceRecord]] = {}
        self.files: set[str] = set()
        for value in registry.values():
            record = SourceRecord.model_validate(value)
            self.files.add(record.source_file)
            if record.kind == "pdf" and record.page is not None:
                self.pages.setdefault(record.source_file, {}).setdefault(record.page, []).append(record)
            elif record.kind == "video" and record.segment == "metadata":
                self.talks[record.source_file] = record
            elif record.kind == "video" and record.start_s is not None:
                self.videos.setdefault(record.source_file, []).append(record)
            elif record.kind == "corpus":
                self.documents.setdefault(_key(record.title), []).append(record)
            if record.doc_id.startswith(DOCUMENT_PREFIX):
                slide = record.segment == "slide"
                number = (record.page if slide else record.chunk_index) or 0
                key = (record.source_file, "slide" if slide else "chunk", number)
                self.parts.setdefault(key, []).append(record)
        self.made: dict[str, dict[str, Any]] = {}
        # Each way the product writes a file's name (a collection without ".json"), longest first, so
        # "a.pdf" never takes the place of "a.pdf.pdf"; keyed in NFC as file systems differ in normal form.
        written = {unicodedata.normalize("NFC", f): f for f in self.files}
        written.update(
            {
                unicodedata.normalize("NFC", f.removesuffix(".json")): f
                for f in self.files
                if f.endswith(".json")
            }
        )
        self.names = sorted(written.items(), key=lambda item: -len(item[0]))

    def split_name(self, inner: str) -> tuple[str, str] | None:
        """(file, the rest) when ``inner`` (an optional label such as ``文档:`` aside) starts with the name
        of one of the folder's files followed by a space, comma, colon or the end; else None."""
        text = unicodedata.normalize("NFC", inner)
        for candidate in dict.fromkeys((text, _LABEL_ONLY.sub("", text, count=1))):
            for name, file in self.names:
                rest = candidate[len(name) :]
                if candidate.startswith(name) and (not rest or rest[0] in " \t,，:：@第"):
                    return file, rest
        return None

    def bracket(self) -> re.Pattern[str]:
        """The bracket pattern: a citation opening with one of the folder's names may hold brackets (``[a
        [draft].pdf p.1]``), and so may a quoted collection title (``[long_context: "[RFC] x", chunk 2]``);
        any other bracket holds none."""
        stems = [re.escape(name) for name, file in self.names if file.endswith(".json")]
        # The quoted title first: a title's closing bracket must not end the citation early.
        named = [rf'(?:{"|".join(stems)})\s*[:：]\s*"[^"\n]{{1,300}}"'] if stems else []
        named += [re.escape(name) for name, _ in self.names if re.search(r"[\[\]【】]", name)]
        if not named:
            return _BRACKET
        opening = rf"(?:{'|'.join(named)}){_INSIDE}{{0,300}}"
        return re.compile(rf"(?<!!)[\[【]({opening}|{_INSIDE}{{1,300}})[\]】](?!\()")

    def _make(self, record: SourceRecord) -> str:
        self.made[record.id] = record.model_dump(mode="json")
        return record.id

    def page(self, file: str, page: int) -> tuple[list[str], str]:
        pages = self.pages.get(file)
        if pages is None:
            return [], f"no PDF named {file} in the task folder"
        chunks = pages.get(page)
        if not chunks:
            return [], f"{file} has no page {page} (it has {max(pages)} pages)"
        if len(chunks) == 1:
            return [chunks[0].id], ""
        first = chunks[0]
        page_id = re.sub(r"c\d+$", "", first.id)
        text = "\n".join(c.text for c in sorted(chunks, key=lambda c: c.chunk_index or 0))
        return [self._make(first.model_copy(update={"id": page_id, "text": text, "chunk_index": None}))], ""

    def part(self, file: str, unit: str, number: int) -> tuple[list[str], str]:
        """A document's chunk or a deck's slide (a slide read in chunks cited whole, as a PDF page)."""
        chunks = self.parts.get((file, unit.lower(), number))
        if not chunks:
            known = any(key[0] == file for key in self.parts)
            return [], (f"{file} has no {unit} {number}" if known
                        else f"no document named {file} in the task folder")
        if len(chunks) == 1:
            return [chunks[0].id], ""
        ordered = sorted(chunks, key=lambda c: c.chunk_index or 0)
        text = "\n".join(c.text for c in ordered)
        whole = ordered[0].model_copy(update={"id": re.sub(r"c\d+$", "", ordered[0].id), "text": text})
        return [self._make(whole)], ""

    def time_range(self, file: str, start: float, end: float) -> tuple[list[str], str]:
        segments = self.videos.get(file)
        if segments is None:
            return [], f"no analysed video named {file} in the task folder"
        end = max(end, start + MIN_OVERLAP_S)
        hits = [
            s
            for s in segments
            if min(end, s.end_s or s.start_s or 0) - max(start, s.start_s or 0) >= MIN_OVERLAP_S
        ]
        if not hits:
            return [], f"nothing of {file} was analysed between {start:.0f} s and {end:.0f} s"
        talk = self.talks.get(file)
        if (talk is not None and talk.end_s and start <= WHOLE_TALK_SLACK_S
                and end >= talk.end_s - WHOLE_TALK_SLACK_S):
            hits = [talk, *hits]  # the whole talk cited: its metadata record states what the talk is
        text = "\n".join(f"[{s.segment}] {s.text}" for s in hits)
        key = hits[0].id.split("-")[1]
        made = hits[0].model_copy(
            update={
                "id": f"vid-{key}-{round(start * 1000)}-{round(end * 1000)}-cited",
                "text": text,
                "start_s": start,
                "end_s": end,
            }
        )
        return [self._make(made)], ""

    def document(self, title: str, chunk: int | None) -> tuple[list[str], str]:
        chunks = self.documents.get(_key(title))
        if not chunks:
            return [], f"no document titled “{title}” in the collection"
        if chunk is not None:
            found = [c.id for c in chunks if c.chunk_index == chunk]
            return (found, "") if found else ([], f"“{title}” has no chunk {chunk}")
        if len(chunks) == 1:
            return [chunks[0].id], ""
        ordered = sorted(chunks, key=lambda c: c.chunk_index or 0)
        doc_id = ordered[0].doc_id or ordered[0].id
        text = "\n".join(c.text for c in ordered)
        return [
            self._make(ordered[0].model_copy(update={"id": doc_id, "text": text, "chunk_index": None}))
        ], ""


def _is_video(name: str) -> bool:
    """A file cited by time range: a video, or an audio file the talk pipeline heard."""
    return kind_of(name) in ("video", "audio")


def _cite(inner: str, form: str, file: str, match: re.Match[str], materials: Materials) -> WrittenCitation:
    """A citation of ``file`` in ``form`` (a key of ``_TAILS``), its place read from ``match``."""
    if form == "pdf_page":
        first, last = int(match["a"]), int(match["b"] or match["a"])
        ids: list[str] = []
        for number in range(first, min(last, first + 10) + 1):
            found, problem = materials.page(file, number)
            if problem:
                return WrittenCitation(inner, form, [], problem)
            ids += found
        return WrittenCitation(inner, form, ids)
    if form == "video_range":
        start = _seconds(match["a"])
        end = _seconds(match["b"]) if match["b"] else start
        found, problem = materials.time_range(file, start, end)
        return WrittenCitation(inner, form, found, problem)
    if form == "document_part":
        found, problem = materials.part(file, match["unit"], int(match["a"]))
        return WrittenCitation(inner, form, found, problem)
    if form == "whole_file":
        name = file.lower()
        what = ("a page" if name.endswith(".pdf") else "a time range" if _is_video(name)
                else "a chunk or slide")
        return WrittenCitation(inner, form, [], f"cites the whole of {file}: give {what}")
    chunk = int(match["chunk"]) if match["chunk"] else None
    found, problem = materials.document(match["title"], chunk)
    return WrittenCitation(inner, "chunk" if chunk is not None else "document", found, problem)


def _resolve_named(inner: str, materials: Materials) -> WrittenCitation | None:
    """``inner`` read against the folder's own file names (whatever characters they hold), else None."""
    split = materials.split_name(inner)
    if split is None:
        return None
    file, rest = split
    for form, tail in _TAILS.items():
        if form == "document" and not file.endswith(".json"):
            continue
        if match := tail.match(rest):
            return _cite(inner, form, file, match, materials)
    return None


def _resolve_inner(inner: str, materials: Materials, registry: Mapping[str, Any]) -> WrittenCitation:
    """One bracket's content (without the brackets) as a citation, resolved."""
    inner = inner.strip()
    if inner.startswith("@") and inner[1:] in registry:
        return WrittenCitation(inner, "id", [inner[1:]])
    if named := _resolve_named(inner, materials):  # before the id form: a file may be named "@x.pdf"
        return named
    if inner.startswith("@"):
        return WrittenCitation(inner, "id", [inner[1:]], f"no source with id {inner[1:]}")
    if inner.startswith(f"{UNRESOLVED_SOURCE}:"):  # a rendered report's own mark of an id without a source
        missing = inner.partition(":")[2].strip()
        return WrittenCitation(inner, "id", [missing], f"no source with id {missing}")
    if match := _PAGE.match(inner):
        return _cite(inner, "pdf_page", match["file"], match, materials)
    if match := _RANGE.match(inner):
        return _cite(inner, "video_range", match["file"], match, materials)
    if match := _PART.match(inner):
        return _cite(inner, "document_part", match["file"], match, materials)
    if match := _WHOLE_FILE.match(inner):
        return _cite(inner, "whole_file", match["file"] or match["doc"], match, materials)
    if (match := _DOCUMENT.match(inner)) and match["file"].removesuffix(".json") in {
        f.removesuffix(".json") for f in materials.files if f.endswith(".json")
    }:
        return _cite(inner, "document", match["file"], match, materials)
    if match := _TITLE_CHUNK.match(inner):
        found, problem = materials.document(match["title"], int(match["chunk"]))
        return WrittenCitation(inner, "chunk", found, problem)
    if materials.documents.get(_key(inner)):
        found, problem = materials.document(inner, None)
        return WrittenCitation(inner, "document", found, problem)
    return WrittenCitation(inner, "unknown", [], f"unknown citation form [{inner}]")


def _resolve_reference(
    label: str, entry: str, materials: Materials, registry: Mapping[str, Any]
) -> WrittenCitation:
    """A numbered or labelled citation through its reference-list entry."""
    inner = entry.strip()
    bracketed = _BRACKET.search(inner)
    found = _resolve_inner(bracketed.group(1) if bracketed else inner, materials, registry)
    if found.form == "unknown":
        found.problem = f"reference [{label}] ({entry[:80]}) names nothing in the task folder"
    return WrittenCitation(f"[{label}]", "numbered", found.ids, found.problem)


def _footnote(
    inner: str, footnotes: Mapping[str, str], materials: Materials, registry: Mapping[str, Any]
) -> WrittenCitation:
    label = inner[1:]
    if label not in footnotes:
        return WrittenCitation(f"[{inner}]", "footnote", [], f"footnote [{inner}] has no definition")
    found = _resolve_reference(inner, footnotes[label], materials, registry)
    return WrittenCitation(f"[{inner}]", "footnote", found.ids, found.problem)


def _labels_its_line(match: re.Match[str]) -> bool:
    """Whether the bracket opens its line and a colon follows it: a label or definition, not a citation."""
    text = match.string
    after = text[match.end(): match.end() + 1]
    line_start = text.rfind("\n", 0, match.start()) + 1
    return after in (":", "：") and not text[line_start:match.start()].strip()


def resolve_citations(markdown: str, registry: Mapping[str, Mapping[str, Any]]) -> tuple[str, CitationLedger]:
    """``markdown`` with every citation as ``[@id]`` markers (reference list removed), and the ledger of
    what each written citation was and resolved to; ``ledger.records`` holds the page, range and document
    records made for it (add them to the registry the checks read)."""
    materials = Materials(registry)
    body, references = split_reference_section(markdown)
    definitions = {**citation_summary(markdown).references}
    definitions.update({m.group(1).strip(): m.group(2) for m in _DEFINITION.finditer(markdown)})
    footnotes = citation_summary(markdown).footnotes
    body = _FOOTNOTE_DEFINITION.sub("", _DEFINITION.sub("", body))
    ledger = CitationLedger()

    def replace(match: re.Match[str]) -> str:
        if _labels_its_line(match):
            return match.group(0)
        inner = match.group(1).strip()
        numbered = _NUMBERED.match(inner)
        if inner.startswith("^") and not materials.split_name(inner):  # a footnote: through its definition
            citation = _footnote(inner, footnotes, materials, registry)
        elif numbered and inner in definitions:
            citation = _resolve_reference(inner, definitions[inner], materials, registry)
        elif numbered and not _CITATION_LIKE.search(inner) and not inner[:1].isalpha():
            citation = WrittenCitation(f"[{inner}]", "numbered", [], f"[{inner}] has no reference-list entry")
        elif not (
            inner.startswith("@")
            or _CITATION_LIKE.search(inner)
            or materials.documents.get(_key(inner))
            or materials.split_name(inner)
        ):
            return match.group(0)  # an ordinary bracket, not a citation
        else:
            citation = _resolve_inner(inner, materials, registry)
        if not citation.ids:
            citation.ids = [f"{UNRESOLVED_PREFIX}{len(ledger.citations) + 1}"]
        ledger.citations.append(citation)
        return "".join(f"[@{source_id}]" for source_id in citation.ids)

    rewritten = materials.bracket().sub(replace, body)
    ledger.records = materials.made
    if references.strip():
        rewritten = rewritten.rstrip() + "\n"
    return rewritten, ledger


def product_ledger(markdown: str, registry: Mapping[str, Any]) -> CitationLedger:
    """The ledger of a report citing only with ``[@id]`` (the product's own drafts)."""
    return CitationLedger(
        [
            WrittenCitation(
                f"@{cited}", "id", [cited], "" if cited in registry else f"no source with id {cited}"
            )
            for cited in CITATION_MARKER.findall(markdown)
        ]
    )
