"""Text of a PDF, page by page, as citable records; problems are recorded, never raised.

A page becomes one record (``pdf-<hash>-p3``) or, when it is long, several page chunks
(``pdf-<hash>-p3c1``, ``-p3c2`` …, all with ``page=3``). Encrypted files are tried with the empty
password; image-only files, truncated files and files without pages come back with no records and a
problem saying why. Title, authors and venue candidates are read cheaply from page 1.
"""

from __future__ import annotations

import hashlib
import logging
import re
from io import BytesIO
from pathlib import Path

from pydantic import BaseModel, Field
from pypdf import PdfReader
from reportgraph.tools.intake.chunking import ChunkingSettings, chunk_text
from reportgraph.tools.registry import SourceRecord, pdf_page_id
from reportgraph.tools.text import detect_language

_HYPHEN_BREAK = re.compile(r"(?<=[a-z])-\n(?=[a-z])")
_CJK_LINE_BREAK = re.compile(
    r"(?<=[\u3400-\u9fff\uff00-\uffef。，、；：？！）」』])\n(?=[\u3400-\u9fff\uff00-\uffef（「『])"
)
_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*")
_VENUE_LINE = re.compile(r"Proceedings of|Conference|Workshop|Journal|Transactions|Symposium|arXiv|学报|会议")
_HEADER_LINE = re.compile(
    r"Proceedings of|©|\(c\)|arXiv:|pages \d|^\s*(?:January|February|March|April|May|June|July|"
    r"August|September|October|November|December)\b|Vol\.|doi",
    re.IGNORECASE,
)
_AFFILIATION_MARK = re.compile(r"[♠♢♡♣♦♥∗*†‡§¶]|\w\d\b|@")
_AFFILIATION_LINE = re.compile(
    r"Universit|Institut|Laborator|College|School|Department|Inc\.|Research|@|大学|研究"
)
_NAME_SPLIT = re.compile(r"[♠♢♡♣♦♥∗*†‡§¶\d,;]+|\s{2,}|\band\b")
_PERSON_NAME = re.compile(r"^[A-Z][\w'’.\-]+(?: [A-Z][\w'’.\-]*){1,3}$")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")

logger = logging.getLogger(__name__)


class PdfProblem(BaseModel):
    code: str = Field(
        description="pdf_unreadable | pdf_encrypted | pdf_empty | pdf_no_text | pdf_page_unreadable"
    )
    message: str
    page: int | None = None


class PdfMetadata(BaseModel):
    """Candidates only: read from the document info and page 1 by simple rules."""

    title: str = ""
    authors: list[str] = Field(default_factory=list)
    venue: str = ""
    year: str = ""


class PdfExtraction(BaseModel):
    source_file: str
    file_hash: str
    page_count: int = 0
    pages: list[str] = Field(default_factory=list, description="Cleaned text of each page ('' when none)")
    records: list[SourceRecord] = Field(default_factory=list)
    problems: list[PdfProblem] = Field(default_factory=list)
    metadata: PdfMetadata = Field(default_factory=PdfMetadata)

    @property
    def doc_id(self) -> str:
        return pdf_doc_id(self.file_hash)


def pdf_doc_id(file_hash: str) -> str:
    return f"pdf-{file_hash[:8]}"


def clean_page_text(text: str) -> str:
    """Undo the line layout of a page: re-join hyphenated words and wrapped lines."""
    text = _HYPHEN_BREAK.sub("", text.replace("\r\n", "\n"))
    text = _CJK_LINE_BREAK.sub("", text)
    return _LINE_BREAK.sub(" ", text).strip()


def extract_pdf(path: str | Path, settings: ChunkingSettings | None = None) -> PdfExtraction:
    """Records of every page with a text layer, plus the problems met on the way."""
    path = Path(path)
    settings = settings or ChunkingSettings()
    raw = path.read_bytes()
    extraction = PdfExtraction(source_file=path.name, file_hash=hashlib.sha1(raw).hexdigest())

    def problem(code: str, message: str, page: int | None = None) -> PdfExtraction:
        extraction.problems.append(PdfProblem(code=code, message=f"{path.name}: {message}", page=page))
        return extraction

    # pypdf raises many error types on damaged files (and on damaged pages): none of them may stop a run.
    try:
        reader = PdfReader(BytesIO(raw), strict=False)
        encrypted = reader.is_encrypted
    except Exception as error:
        return problem("pdf_unreadable", f"not a readable PDF (truncated or damaged?): {error}")
    if encrypted and not _opens_without_password(reader):
        return problem("pdf_encrypted", "encrypted with a password; the text cannot be read")
    try:
        page_count = len(reader.pages)
    except Exception as error:
        return problem("pdf_unreadable", f"its page tree cannot be read (truncated or damaged?): {error}")
    extraction.page_count = page_count
    if page_count == 0:
        return problem("pdf_empty", "the PDF has no pages")

    raw_first_page = ""
    for number in range(1, page_count + 1):
        try:
            raw_text = reader.pages[number - 1].extract_text() or ""
        except Exception as error:
            logger.debug("page %d of %s unreadable", number, path.name, exc_info=True)
            problem("pdf_page_unreadable", f"page {number} could not be read: {error}", page=number)
            raw_text = ""
        if number == 1:
            raw_first_page = raw_text
        extraction.pages.append(clean_page_text(raw_text))

    extraction.metadata = _metadata(reader, raw_first_page)
    title = extraction.metadata.title or path.stem
    for number, page_text in enumerate(extraction.pages, start=1):
        chunks = chunk_text(page_text, settings)
        for index, chunk in enumerate(chunks, start=1):
            extraction.records.append(
                SourceRecord(
                    id=pdf_page_id(extraction.file_hash, number, index if len(chunks) > 1 else None),
                    kind="pdf",
                    segment="page",
                    source_file=path.name,
                    title=title,
                    text=chunk,
                    lang=detect_language(chunk),
                    page=number,
                    chunk_index=index,
                    doc_id=extraction.doc_id,
                )
            )
    if not extraction.records:
        problem("pdf_no_text", f"none of its {page_count} pages has a text layer (scanned or image-only?)")
    return extraction


def _opens_without_password(reader: PdfReader) -> bool:
    try:
        return bool(reader.decrypt(""))
    except Exception:  # unsupported encryption or a damaged encryption dictionary
        return False


def _metadata(reader: PdfReader, first_page: str) -> PdfMetadata:
    try:
        info = reader.metadata
        info_title = str(info.title or "").strip() if info else ""
        info_author = str(info.author or "").strip() if info else ""
    except Exception:  # a damaged info dictionary only costs the candidates it would give
        info_title = info_author = ""
    lines = [line.strip() for line in first_page.splitlines() if line.strip()][:30]
    venue = next((line for line in lines if _VENUE_LINE.search(line)), "")
    year_match = _YEAR.search(
        " ".join(line for line in lines[:6] if _HEADER_LINE.search(line))
    ) or _YEAR.search(venue)

    body = lines[next((i for i, line in enumerate(lines) if not _HEADER_LINE.search(line)), len(lines)) :]
    position = 0
    title_lines: list[str] = []
    # The title runs until the first line carrying author marks (♠, ∗, superscripts, e-mail) or affiliations.
    while (
        position < len(body)
        and len(title_lines) < 3
        and not (_AFFILIATION_MARK.search(body[position]) or _AFFILIATION_LINE.search(body[position]))
    ):
        title_lines.append(body[position])
        position += 1
    author_lines: list[str] = []
    while (
        position < len(body)
        and len(author_lines) < 4
        and not (_AFFILIATION_LINE.search(body[position]) or body[position].lower().startswith("abstract"))
    ):
        author_lines.append(body[position])
        position += 1
    authors = [
        name.strip()
        for line in author_lines
        for name in _NAME_SPLIT.split(line)
        if _PERSON_NAME.match(name.strip())
    ]
    if not authors and info_author:
        authors = [name.strip() for name in re.split(r"[;,]| and ", info_author) if name.strip()]
    return PdfMetadata(
        title=info_title or " ".join(title_lines),
        authors=authors,
        venue=re.sub(r",?\s*pages \d+.*$", "", venue).strip(),
        year=year_match.group(0) if year_match else "",
    )
