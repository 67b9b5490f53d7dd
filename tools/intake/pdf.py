"""Text of a PDF, page by page, as citable records; problems are recorded, never raised.

A page becomes one record (``pdf-<hash>-p3``) or, when it is long, several page chunks
(``pdf-<hash>-p3c1``, ``-p3c2`` …, all with ``page=3``); the paper's facts (title, authors, affiliations,
venue, year) become one more page-1 record (``pdf-<hash>-p1-meta``). Text is read in reading order and
normalised by :mod:`pdflayout` (pdfminer.six); a page whose text layer is undecodable, or that is only a
picture, is OCRed (:mod:`pdfscan`) and listed in ``ocr_pages``; one that OCR cannot read either is listed
in ``unreadable_pages`` with a problem saying why, as is one whose OCR text fails the quality gate
(:func:`~reportgraph.tools.intake.pdfscan.ocr_quality`: words run together, noise). Words that lost glyphs
to a font's broken Unicode map ("con?ict") are restored from the page's OCR where it shows them, else listed
in ``lost_words`` (disclosed, failing materials_read). Encrypted files are tried with the empty password.
pdfium (pypdfium2) opens the file, gives the document information, renders pages for OCR, and reads a
page's text when pdfminer fails on it.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from pathlib import Path

import pypdfium2 as pdfium
from pydantic import BaseModel, Field
from pypdf import PdfReader
from reportgraph.tools.intake.chunking import ChunkingSettings, chunk_passages
from reportgraph.tools.intake.paper import PaperMetadata, metadata_text, read_paper_metadata
from reportgraph.tools.intake.pdflayout import Line, PageLayout, drop_page_furniture, normalize, page_text
from reportgraph.tools.intake.pdflayout import read_layouts as pdfminer_layouts
from reportgraph.tools.intake.pdfscan import (
    MIN_OCR_RECOVERY,
    letter_count,
    ocr_page,
    ocr_quality,
    restore_words,
    undecodable_reason,
)
from reportgraph.tools.registry import SegmentKind, SourceRecord, pdf_metadata_id, pdf_page_id
from reportgraph.tools.text import detect_language

_HYPHEN_BREAK = re.compile(r"(?<=[a-z])-\n(?=[a-z])")
_CJK_LINE_BREAK = re.compile(
    r"(?<=[\u3400-\u9fff\uff00-\uffef。，、；：？！）」』])\n(?=[\u3400-\u9fff\uff00-\uffef（「『])"
)
_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*")
MAX_OCR_PAGES = 30  # OCR costs seconds a page; a longer scan is read this far and the rest disclosed
_PASSWORD_ERROR = 4  # FPDF_ERR_PASSWORD

logger = logging.getLogger(__name__)


class PdfProblem(BaseModel):
    code: str = Field(
        description="pdf_unreadable | pdf_encrypted | pdf_empty | pdf_no_text | pdf_page_unreadable | "
        "pdf_unmapped_glyphs (words that lost glyphs, not restored) | pdf_glyphs_restored (restored by OCR)"
    )
    message: str
    page: int | None = None


class PdfExtraction(BaseModel):
    source_file: str
    file_hash: str
    page_count: int = 0
    pages: list[str] = Field(default_factory=list, description="Cleaned text of each page ('' when none)")
    records: list[SourceRecord] = Field(default_factory=list)
    problems: list[PdfProblem] = Field(default_factory=list)
    metadata: PaperMetadata = Field(default_factory=PaperMetadata)
    ocr_pages: list[int] = Field(default_factory=list, description="Pages read by OCR (from 1)")
    unreadable_pages: list[int] = Field(default_factory=list, description="Pages with no usable text")
    lost_words: dict[int, list[str]] = Field(
        default_factory=dict, description="Page → words that lost glyphs OCR could not restore ('?' for them)"
    )

    @property
    def doc_id(self) -> str:
        return pdf_doc_id(self.file_hash)


def pdf_doc_id(file_hash: str) -> str:
    return f"pdf-{file_hash[:8]}"


def paper_metadata(extraction: PdfExtraction) -> PaperMetadata:
    """The paper's page-1 facts; ``cite`` is the id of the record stating them ('' when none)."""
    return extraction.metadata


def clean_page_text(text: str) -> str:
    """Undo the line layout of plain page text: re-join hyphenated words and wrapped lines."""
    text = _HYPHEN_BREAK.sub("", text.replace("\r\n", "\n"))
    text = _CJK_LINE_BREAK.sub("", text)
    return _LINE_BREAK.sub(" ", text).strip()


def extract_pdf(
    path: str | Path, settings: ChunkingSettings | None = None, ocr: bool = True
) -> PdfExtraction:
    """Records of every readable page, plus the problems met on the way (``ocr=False``: no OCR)."""
    path = Path(path)
    raw = path.read_bytes()
    extraction = PdfExtraction(source_file=path.name, file_hash=hashlib.sha1(raw).hexdigest())
    try:
        document = pdfium.PdfDocument(raw)
    except pdfium.PdfiumError as error:
        if getattr(error, "err_code", None) == _PASSWORD_ERROR:
            return _problem(extraction, "pdf_encrypted", "encrypted with a password; the text cannot be read")
        if _has_no_pages(raw):  # pdfium refuses a well-formed PDF without pages ("PDFium: Success")
            return _problem(extraction, "pdf_empty", "the PDF has no pages")
        return _problem(extraction, "pdf_unreadable", f"not a readable PDF (truncated or damaged?): {error}")
    extraction.page_count = len(document)
    if not extraction.page_count:
        return _problem(extraction, "pdf_empty", "the PDF has no pages")
    layouts = _layouts(raw, document)
    drop_page_furniture(layouts)
    for number, layout in enumerate(layouts, start=1):
        extraction.pages.append(_page_text(extraction, document, number, layout, ocr))
    info = {key: str(value) for key, value in document.get_metadata_dict().items()}
    if _names_the_file(info.get("Title", ""), path):
        del info["Title"]  # converters (e.g. Pillow) write the file name there: it is no title
    readable_first = 1 not in extraction.unreadable_pages and 1 not in extraction.ocr_pages
    extraction.metadata = read_paper_metadata(layouts[0] if readable_first else None, info)
    _add_records(extraction, settings or ChunkingSettings(), path.stem)
    if not extraction.records:
        _problem(
            extraction,
            "pdf_no_text",
            f"none of its {extraction.page_count} pages has readable text "
            "(scanned or image-only, and OCR found none?)",
        )
    return extraction


def _names_the_file(title: str, path: Path) -> bool:
    """True when a document-information title is only the file's name (``paper``, ``paper.docx``)."""
    name = re.sub(r"\.(?:pdf|docx?|tex|pptx?|png|jpe?g|tiff?)$", "", title.strip().lower())
    return bool(name) and name.split("/")[-1].split("\\")[-1] in (path.stem.lower(), path.name.lower())


def _has_no_pages(raw: bytes) -> bool:
    """True when pypdf reads ``raw`` as a whole PDF whose page tree is empty."""
    try:
        return len(PdfReader(io.BytesIO(raw), strict=True).pages) == 0
    except Exception:  # pypdf raises many kinds on damaged files; any of them means "not an empty PDF"
        return False


def _problem(extraction: PdfExtraction, code: str, message: str, page: int | None = None) -> PdfExtraction:
    extraction.problems.append(
        PdfProblem(code=code, message=f"{extraction.source_file}: {message}", page=page)
    )
    return extraction


def _layouts(raw: bytes, document: pdfium.PdfDocument) -> list[PageLayout]:
    """pdfminer's layout of each page; pdfium's plain text (stream order) where pdfminer fails."""
    found: list[PageLayout | Exception] = []
    try:
        found = list(pdfminer_layouts(raw))
    except Exception:  # pdfminer cannot open some files pdfium repairs (damaged xref, odd encryption)
        logger.debug("pdfminer could not open the file; pdfium reads the pages", exc_info=True)
    layouts = []
    for index in range(len(document)):
        layout = found[index] if index < len(found) else None
        layouts.append(layout if isinstance(layout, PageLayout) else _pdfium_layout(document, index))
    return layouts


def _pdfium_layout(document: pdfium.PdfDocument, index: int) -> PageLayout:
    page = document[index]
    width, height = page.get_size()
    try:
        raw_text = page.get_textpage().get_text_range()
    except pdfium.PdfiumError:
        raw_text = ""
    text, unmapped = normalize(clean_page_text(raw_text))
    layout = PageLayout(width=width, height=height, unmapped=unmapped)
    if text:  # no geometry: one box in the page's middle, out of reach of the furniture rules
        layout.boxes.append([Line(text, width * 0.2, height * 0.5, width * 0.8, height * 0.5, 0.0)])
    return layout


def _page_text(
    extraction: PdfExtraction, document: pdfium.PdfDocument, number: int, layout: PageLayout, ocr: bool
) -> str:
    """The page's text from its text layer, or from OCR when the layer is undecodable or missing."""
    text = page_text(layout)
    reason = undecodable_reason(text, layout.unmapped)
    if reason is None and (text.strip() or not layout.pictures):
        return _restore_glyphs(extraction, document, number, text, layout, ocr) if layout.unmapped else text
    reason = reason or "it is a picture without a text layer"
    if not ocr or len(extraction.ocr_pages) >= MAX_OCR_PAGES:
        why = "OCR is off" if not ocr else f"only {MAX_OCR_PAGES} pages are OCRed"
        return _unreadable(extraction, number, f"{reason}; {why}")
    try:
        lines = ocr_page(document, number - 1)
    except Exception as error:  # rendering or the OCR engine failing costs this page, not the run
        return _unreadable(extraction, number, f"{reason}; OCR failed: {error}")
    read, _ = normalize(clean_page_text("\n".join(lines)))
    if garbled := ocr_quality(read):  # quoted it would be nonsense: the page is unreadable, and disclosed
        return _unreadable(extraction, number, f"{reason}; the OCR text is garbled: {garbled}")
    claimed = letter_count(text) + layout.unmapped
    if letter_count(read) < max(1, MIN_OCR_RECOVERY * claimed):
        return _unreadable(
            extraction, number, f"{reason}; OCR read {letter_count(read)} letters of ~{claimed}"
        )
    extraction.ocr_pages.append(number)
    return read


def _restore_glyphs(extraction: PdfExtraction, document: pdfium.PdfDocument, number: int, text: str,
                    layout: PageLayout, ocr: bool) -> str:
    """The page's text with the words that lost glyphs (a font's broken ToUnicode map: "con?ict") restored
    from the OCR of the page; those OCR cannot restore are recorded in ``lost_words`` and disclosed."""
    lines: list[str] = []
    if ocr and layout.damaged:
        try:
            lines = ocr_page(document, number - 1)
        except Exception:  # the words stay lost and are disclosed; the page's text is still good
            logger.debug("OCR of page %d failed", number, exc_info=True)
    text, restored, lost = restore_words(text, layout.damaged, " ".join(lines))
    if restored:
        pairs = ", ".join(f"{broken} → {whole}" for broken, whole in restored.items())
        _problem(extraction, "pdf_glyphs_restored", f"page {number}: words restored by OCR: {pairs}", number)
    if lost:
        extraction.lost_words[number] = lost
    if lost or not layout.damaged:
        words = f": {', '.join(lost)}" if lost else ""
        _problem(extraction, "pdf_unmapped_glyphs", f"page {number}: {layout.unmapped} glyphs without a "
                 f"Unicode value (a font's broken ToUnicode map) were lost{words}", number)
    return text


def _unreadable(extraction: PdfExtraction, number: int, reason: str) -> str:
    extraction.unreadable_pages.append(number)
    _problem(extraction, "pdf_page_unreadable", f"page {number} cannot be read: {reason}", number)
    return ""


def _add_records(extraction: PdfExtraction, settings: ChunkingSettings, stem: str) -> None:
    """Each page's chunks; the paper's facts follow page 1's chunks (which stay first: title, abstract)."""
    meta = extraction.metadata
    title = meta.title or stem
    for number, text in enumerate(extraction.pages, start=1):
        chunks = chunk_passages(text, settings)
        for index, chunk in enumerate(chunks, start=1):
            source_id = pdf_page_id(extraction.file_hash, number, index if len(chunks) > 1 else None)
            extraction.records.append(_record(extraction, source_id, title, chunk, number, index))
        facts = metadata_text(meta)
        if number == 1 and facts:
            meta.cite = pdf_metadata_id(extraction.file_hash)
            extraction.records.append(_record(extraction, meta.cite, title, facts, 1, 0, "metadata"))


def _record(
    extraction: PdfExtraction,
    source_id: str,
    title: str,
    text: str,
    page: int,
    index: int,
    segment: SegmentKind = "page",
) -> SourceRecord:
    return SourceRecord(
        id=source_id,
        kind="pdf",
        segment=segment,
        source_file=extraction.source_file,
        title=title,
        text=text,
        lang=detect_language(text),
        page=page,
        chunk_index=index,
        doc_id=extraction.doc_id,
    )
