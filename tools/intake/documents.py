"""Text, web pages, Office files and tables of a task folder as citable documents.

Each file becomes one document (``doc-<sha1(file bytes)[:8]>``) chunked like the collection
(``doc-…-<chunk>``, cited ``[notes.txt chunk 2]``); a slide deck becomes one record per slide
(``doc-…-s3``, or ``-s3c1`` … for a long slide, cited ``[deck.pptx slide 3]``). Readers, all well-kept
libraries or the standard library: plain text and Markdown through the project's decoder (charset
detection, mojibake repair: :func:`~reportgraph.tools.intake.taskio.decode_task_bytes`), HTML through the
standard ``html.parser`` (scripts, styles and page furniture left out), ``.docx`` through python-docx
(paragraphs and tables in order), ``.pptx`` through python-pptx (every shape's text, tables and speaker
notes), ``.csv``/``.tsv`` through the standard ``csv`` module and ``.xlsx`` through openpyxl (cached cell
values; one ``header: value`` line a row). Pictures (``.png``, ``.jpg`` … : taskio's ``image`` kind) are
decoded with OpenCV and read by the project's OCR (RapidOCR, tools/ocr.py, with its word spaces), their text
kept only past the OCR quality gate of scanned PDF pages
(:func:`~reportgraph.tools.intake.pdfscan.ocr_quality`); a picture is one document cited
``[chart.png chunk 1]`` like a text file. A file that cannot be read, or holds no text, is recorded as a
problem (``document_unreadable`` / ``document_empty``; a picture OpenCV cannot decode, e.g. HEIC or SVG,
``image_not_decoded``; one without text, e.g. a photo, ``image_no_text``; one whose OCR text fails the gate,
``image_text_unreadable``), never raised: the report names it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterable
from html.parser import HTMLParser
from pathlib import Path

import cv2
import numpy as np
from pydantic import BaseModel, Field
from reportgraph.tools.file_kinds import suffixes_of
from reportgraph.tools.intake.chunking import ChunkingSettings, chunk_text
from reportgraph.tools.intake.pdfscan import letter_count, ocr_quality
from reportgraph.tools.intake.taskio import BadInputError, decode_task_bytes
from reportgraph.tools.ocr import read_page_lines
from reportgraph.tools.registry import SourceRecord, document_id, document_part_id
from reportgraph.tools.text import detect_language

# Codes of a document nothing could be read from (tools/intake/materials.py and prompts/materials.py).
UNREADABLE_DOCUMENT_CODES = ("document_unreadable", "document_empty", "image_not_decoded", "image_no_text",
                             "image_text_unreadable")
# A picture whose OCR finds fewer letters than this (a photo's stray "Ag", a logo) holds no text to cite.
MIN_IMAGE_LETTERS = 6
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.M)
_HTML_SKIPPED = {"script", "style", "noscript", "template", "svg", "nav", "header", "footer", "aside", "form"}
_HTML_BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
                "table", "blockquote", "pre", "dd", "dt", "td", "th"}


class DocumentProblem(BaseModel):
    code: str = Field(description="One of UNREADABLE_DOCUMENT_CODES")
    message: str


class NotRead(ValueError):
    """A file a reader opened but found nothing to cite in, with the code saying why."""

    def __init__(self, code: str, reason: str) -> None:
        self.code = code
        super().__init__(reason)


class DocumentExtraction(BaseModel):
    """What reading one document gave: its records (chunks, or one per slide) and its problems."""

    source_file: str = Field(description="The file's name, as citations write it")
    file_hash: str
    title: str = ""
    parts: list[str] = Field(default_factory=list, description="Text of each slide, or the whole text")
    ocr: bool = Field(default=False, description="The text was read from a picture by OCR")
    records: list[SourceRecord] = Field(default_factory=list)
    problems: list[DocumentProblem] = Field(default_factory=list)

    @property
    def doc_id(self) -> str:
        return document_id(self.file_hash)

    @property
    def unreadable(self) -> DocumentProblem | None:
        return next((p for p in self.problems if p.code in UNREADABLE_DOCUMENT_CODES), None)


def read_document(path: str | Path, settings: ChunkingSettings | None = None) -> DocumentExtraction:
    """The document at ``path`` as records; problems are recorded in the result, never raised."""
    path = Path(path)
    raw = path.read_bytes()
    digest = hashlib.sha1(raw).hexdigest()
    found = DocumentExtraction(source_file=path.name, file_hash=digest, title=path.stem)
    reader = READERS[path.suffix.lower()]
    try:
        title, parts = reader(raw, found)
    except NotRead as error:
        found.problems.append(DocumentProblem(code=error.code, message=f"{path.name}: {error}"))
        return found
    except Exception as error:  # each library raises its own kinds on a damaged file; the file is named
        found.problems.append(DocumentProblem(code="document_unreadable",
                                              message=f"{path.name}: {type(error).__name__}: {error}"))
        return found
    found.title = title.strip() or path.stem
    found.parts = [part.strip() for part in parts]
    _add_records(found, settings or ChunkingSettings(), slides=path.suffix.lower() == ".pptx")
    if not found.records:
        found.problems.append(DocumentProblem(code="document_empty",
                                              message=f"{path.name}: it holds no text"))
    return found


def _add_records(found: DocumentExtraction, settings: ChunkingSettings, slides: bool) -> None:
    for number, part in enumerate(found.parts, start=1):
        chunks = chunk_text(part, settings) if part else []
        for index, chunk in enumerate(chunks, start=1):
            if slides:
                source_id = document_part_id(found.file_hash, number, index if len(chunks) > 1 else None)
            else:
                source_id = f"{found.doc_id}-{index}"
            found.records.append(SourceRecord(
                id=source_id, kind="corpus", segment="slide" if slides else "chunk",
                source_file=found.source_file, title=found.title, text=chunk,
                lang=detect_language(chunk[:200]), chunk_index=index, page=number if slides else None,
                doc_id=found.doc_id,
            ))


# ---------------------------------------------------------------- readers: (bytes, found) → (title, parts)


def _plain(raw: bytes, _found: DocumentExtraction) -> tuple[str, list[str]]:
    try:
        text, _encoding = decode_task_bytes(raw, Path("document"))
    except BadInputError as error:  # binary, or no known encoding
        raise ValueError(str(error).removeprefix("document: ")) from None
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    heading = _HEADING.search(text)
    return (heading.group(1) if heading else ""), [text]


class _TextOfHtml(HTMLParser):
    """A page's readable text: block elements on lines of their own; scripts, styles, navigation left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.title = ""
        self._skipping = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HTML_SKIPPED:
            self._skipping += 1
        self._in_title = tag == "title"
        if tag in _HTML_BLOCKS:
            self.pieces.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HTML_SKIPPED and self._skipping:
            self._skipping -= 1
        self._in_title = False
        if tag in _HTML_BLOCKS:
            self.pieces.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skipping:
            self.pieces.append(data)


def _html(raw: bytes, found: DocumentExtraction) -> tuple[str, list[str]]:
    _title, (text,) = _plain(raw, found)
    parser = _TextOfHtml()
    parser.feed(text)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.pieces).split("\n"))
    return " ".join(parser.title.split()), ["\n".join(line for line in lines if line)]


def _docx(raw: bytes, _found: DocumentExtraction) -> tuple[str, list[str]]:
    import docx  # python-docx; imported here: only folders with Word files need it

    document = docx.Document(io.BytesIO(raw))
    lines: list[str] = []
    title = document.core_properties.title or ""
    for block in document.iter_inner_content():  # paragraphs and tables in document order
        if isinstance(block, docx.table.Table):
            lines += [" | ".join(cell.text.strip() for cell in row.cells) for row in block.rows]
            continue
        text = block.text.strip()
        if text and not title and block.style is not None and block.style.name in ("Title", "Heading 1"):
            title = text
        lines.append(text)
    return title, ["\n".join(line for line in lines if line)]


def _pptx(raw: bytes, _found: DocumentExtraction) -> tuple[str, list[str]]:
    import pptx  # python-pptx

    deck = pptx.Presentation(io.BytesIO(raw))
    slides, title = [], deck.core_properties.title or ""
    for slide in deck.slides:
        lines = [_shape_text(shape) for shape in slide.shapes]
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            lines.append(slide.notes_slide.notes_text_frame.text)
        heading = slide.shapes.title.text_frame.text if slide.shapes.title is not None else ""
        title = title or heading
        slides.append("\n".join(line.strip() for line in lines if line.strip()))
    return title, slides


def _shape_text(shape: object) -> str:
    if getattr(shape, "has_table", False):
        rows = shape.table.rows  # type: ignore[attr-defined]
        return "\n".join(" | ".join(cell.text.strip() for cell in row.cells) for row in rows)
    if getattr(shape, "shapes", None) is not None:  # a group: its members' text
        return "\n".join(_shape_text(member) for member in shape.shapes)  # type: ignore[attr-defined]
    return str(shape.text_frame.text) if getattr(shape, "has_text_frame", False) else ""  # type: ignore[attr-defined]


def _rows_text(rows: Iterable[Iterable[object]]) -> str:
    """``header: value; header: value`` per row, so every value is cited with what it is."""
    lines: list[str] = []
    header: list[str] = []
    for row in rows:
        cells = ["" if cell is None else " ".join(str(cell).split()) for cell in row]
        if not any(cells):
            continue
        if not header:
            header = cells
            continue
        named = zip(header + [""] * len(cells), cells, strict=False)
        lines.append("; ".join(f"{name}: {value}" if name else value for name, value in named if value))
    return "\n".join(([" | ".join(header)] if header else []) + lines)


def _csv(raw: bytes, found: DocumentExtraction) -> tuple[str, list[str]]:
    _title, (text,) = _plain(raw, found)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:  # one column, or too few rows to tell: the default comma
        dialect = csv.excel
    return "", [_rows_text(csv.reader(io.StringIO(text), dialect))]


def _xlsx(raw: bytes, found: DocumentExtraction) -> tuple[str, list[str]]:
    import openpyxl  # cached values of formulas (data_only): what the workbook shows

    book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    try:
        sheets = [f"{sheet.title}\n{_rows_text(sheet.iter_rows(values_only=True))}"
                  for sheet in book.worksheets]
        title = book.properties.title or ""
    finally:
        book.close()
    return title, ["\n\n".join(sheets)]


def _image(raw: bytes, found: DocumentExtraction) -> tuple[str, list[str]]:
    found.ocr = True
    picture = cv2.imdecode(np.frombuffer(raw, np.uint8), cv2.IMREAD_COLOR)
    if picture is None:
        raise NotRead("image_not_decoded", "OpenCV cannot decode this picture format")
    text = "\n".join(read_page_lines(picture))
    if letter_count(text) < MIN_IMAGE_LETTERS:
        raise NotRead("image_no_text", f"OCR found no text in the picture ({letter_count(text)} letters)")
    if problem := ocr_quality(text):
        raise NotRead("image_text_unreadable", f"the text OCR read is not usable: {problem}")
    return "", [text]


READERS: dict[str, Callable[[bytes, DocumentExtraction], tuple[str, list[str]]]] = {
    ".txt": _plain, ".md": _plain, ".markdown": _plain, ".html": _html, ".htm": _html, ".docx": _docx,
    ".pptx": _pptx, ".csv": _csv, ".tsv": _csv, ".xlsx": _xlsx, ".xlsm": _xlsx,
    **dict.fromkeys(suffixes_of("image"), _image),
}
