"""PDF text per page: records, ids, metadata, and every damaged kind of file as a recorded problem."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from reportgraph.tools.intake.pdf import clean_page_text, extract_pdf
from reportgraph.tools.registry import pdf_page_id


@pytest.fixture(scope="module")
def paper(shared_dir: Path) -> Path:
    return shared_dir / "fixtures" / "longeval_zh" / "pdf.pdf"


def first_pages(paper: Path, count: int = 2) -> PdfWriter:
    writer = PdfWriter()
    for page in PdfReader(paper).pages[:count]:
        writer.add_page(page)
    return writer


def write_pdf(path: Path, writer: PdfWriter) -> Path:
    with path.open("wb") as handle:
        writer.write(handle)
    return path


@pytest.mark.shared
def test_real_paper_pages_records_and_metadata(paper: Path) -> None:
    extraction = extract_pdf(paper)  # ids derive from the file's bytes and the page: stable by construction
    assert extraction.problems == [] and extraction.page_count == 20
    assert {record.page for record in extraction.records} == set(range(1, 21))
    file_hash = hashlib.sha1(paper.read_bytes()).hexdigest()
    first = extraction.records[0]
    assert first.id == pdf_page_id(file_hash, 1, 1) and first.kind == "pdf" and first.segment == "page"
    assert first.source_file == "pdf.pdf" and first.doc_id == extraction.doc_id and first.lang == "en"
    short_page = [record for record in extraction.records if record.page == 19]
    assert [record.id for record in short_page] == [pdf_page_id(file_hash, 19)]  # one chunk: plain page id
    assert "LONGEVAL" in extraction.metadata.title and "Long-form Summarization" in extraction.metadata.title
    assert extraction.metadata.authors[:2] == ["Kalpesh Krishna", "Erin Bransom"]
    assert "European Chapter" in extraction.metadata.venue and extraction.metadata.year == "2023"
    assert "inter-annotator agreement" in " ".join(extraction.pages)  # hyphenated line breaks re-joined


@pytest.mark.shared
def test_password_protected_pdf_is_a_problem_not_a_crash(paper: Path, tmp_path: Path) -> None:
    writer = first_pages(paper)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    extraction = extract_pdf(write_pdf(tmp_path / "locked.pdf", writer))
    assert extraction.records == [] and [p.code for p in extraction.problems] == ["pdf_encrypted"]


@pytest.mark.shared
def test_pdf_encrypted_with_empty_user_password_is_read(paper: Path, tmp_path: Path) -> None:
    writer = first_pages(paper)
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    extraction = extract_pdf(write_pdf(tmp_path / "owner_only.pdf", writer))
    assert extraction.problems == [] and extraction.page_count == 2
    assert "LONGEVAL" in extraction.metadata.title and {r.page for r in extraction.records} == {1, 2}


@pytest.mark.shared
def test_truncated_pdf_never_crashes(paper: Path, tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(paper.read_bytes()[: paper.stat().st_size * 2 // 5])
    extraction = extract_pdf(truncated)
    assert extraction.problems or extraction.records  # some pages may be recovered; never an exception
    if not extraction.records:
        assert extraction.problems[0].code in {"pdf_unreadable", "pdf_no_text", "pdf_empty"}


def test_image_only_pdf_reports_no_text_layer(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_blank_page(width=595, height=842)
    extraction = extract_pdf(write_pdf(tmp_path / "scan.pdf", writer))
    assert extraction.page_count == 2 and extraction.records == []
    assert [p.code for p in extraction.problems] == ["pdf_no_text"]


def test_pdf_without_pages_and_non_pdf_bytes(tmp_path: Path) -> None:
    empty = extract_pdf(write_pdf(tmp_path / "empty.pdf", PdfWriter()))
    assert [p.code for p in empty.problems] == ["pdf_empty"]
    garbage = tmp_path / "garbage.pdf"
    garbage.write_bytes(b"this is not a pdf at all" * 10)
    assert [p.code for p in extract_pdf(garbage).problems] == ["pdf_unreadable"]
    zero = tmp_path / "zero.pdf"
    zero.write_bytes(b"")
    assert [p.code for p in extract_pdf(zero).problems] == ["pdf_unreadable"]


def test_page_text_cleaning_rejoins_lines() -> None:
    assert clean_page_text("faith-\nfulness of long\nsummaries") == "faithfulness of long summaries"
    assert clean_page_text("长文本摘要的\n忠实度评估") == "长文本摘要的忠实度评估"
