"""PDF text per page: reading order, normalisation, page furniture, undecodable layers and OCR, paper
facts, and every damaged kind of file as a recorded problem."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from pdf_files import Page, Run, make_pdf, picture_page, two_column_page
from pypdf import PdfReader, PdfWriter
from reportgraph.tools.intake import paper_metadata
from reportgraph.tools.intake.pdf import clean_page_text, extract_pdf
from reportgraph.tools.intake.pdfscan import undecodable_reason
from reportgraph.tools.registry import pdf_metadata_id, pdf_page_id
from reportgraph.tools.retrieval.lexical import LexicalIndex, top_positions
from reportgraph.tools.text import split_sentences

LEFT = (
    "Annotators in the left column judged every clause of the summary against the source. "
    "They marked each clause as supported or unsupported and wrote a short reason. "
    "Their agreement rose when clauses were short."
)
RIGHT = (
    "The right column reports costs instead of agreement. Reading the whole source took most of the "
    "time, so the team showed only retrieved passages. The cost per summary fell by a third."
)
BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufb00-\ufb06\ufffd]")


@pytest.fixture(scope="module")
def paper(shared_dir: Path) -> Path:
    return shared_dir / "fixtures" / "longeval_zh" / "pdf.pdf"


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def first_pages(paper: Path, count: int = 2) -> PdfWriter:
    writer = PdfWriter()
    for page in PdfReader(paper).pages[:count]:
        writer.add_page(page)
    return writer


def write_pdf(path: Path, writer: PdfWriter) -> Path:
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def test_two_column_page_drawn_row_by_row_is_read_column_after_column(tmp_path: Path) -> None:
    pdf = write(tmp_path / "columns.pdf", make_pdf([two_column_page(LEFT, RIGHT)]))
    text = " ".join(extract_pdf(pdf, ocr=False).pages)
    assert text.index("Their agreement rose") < text.index("The right column reports")
    sentences = set(split_sentences(text))
    for sentence in split_sentences(LEFT) + split_sentences(RIGHT):  # every sentence as written, none mixed
        assert sentence in sentences, sentence


def test_ligatures_are_folded_and_unmapped_glyphs_dropped_and_disclosed(tmp_path: Path) -> None:
    body = "The eﬃcient workﬂow ﬁnds each unit. An oﬀer was made."
    clean = extract_pdf(write(tmp_path / "lig.pdf", make_pdf([Page([Run(60, 700, body)])])), ocr=False)
    assert "The efficient workflow finds each unit. An offer was made." in clean.pages[0]
    assert clean.problems == []
    broken = extract_pdf(write(tmp_path / "nul.pdf", make_pdf([Page([Run(60, 700, body)])], unmapped=True)))
    assert not BAD_CHARS.search(broken.pages[0]) and "An oer was made." in broken.pages[0]
    assert [p.code for p in broken.problems] == ["pdf_unmapped_glyphs"] and broken.problems[0].page == 1


def test_running_headers_page_numbers_and_line_numbers_are_dropped(tmp_path: Path) -> None:
    pages = []
    for number in range(1, 4):
        runs = [Run(60, 810, "Journal of Careful Reading, Vol. 7", 8), Run(290, 30, str(number), 8)]
        runs += [Run(20, 700 - 13 * row, str(number * 10 + row), 7) for row in range(5)]  # line numbers
        runs += [
            Run(60, 700 - 13 * row, f"Sentence {row} of page {number} is body text.") for row in range(5)
        ]
        pages.append(Page(runs))
    extraction = extract_pdf(write(tmp_path / "furniture.pdf", make_pdf(pages)), ocr=False)
    for number, text in enumerate(extraction.pages, start=1):
        assert "Journal of Careful Reading" not in text and not re.search(r"\b\d{2}\b", text), text
        assert text.startswith(f"Sentence 0 of page {number}") and text.endswith("is body text.")


def test_paper_facts_come_from_page_one_layout_and_are_citable(tmp_path: Path) -> None:
    runs = [
        Run(
            60,
            815,
            "Proceedings of the 2024 Conference on Empirical Methods in Natural Language Processing",
            8,
        ),
        Run(90, 760, "Counting Clauses: Agreement in Long", 17),
        Run(140, 740, "Summary Evaluation", 17),
        Run(90, 710, "Ana Sousa* Li Wei# Jonas Berg*", 11),
        Run(90, 694, "*University of Lisbon #Example Institute of Technology", 10),
        Run(90, 678, "{ana,jonas}@lisbon.example", 9),
        Run(90, 640, "Abstract", 11),
        Run(60, 620, "We count clauses in long summaries and report agreement.", 10),
    ]
    pdf = write(tmp_path / "facts.pdf", make_pdf([Page(runs)], info={"Title": "draft.dvi"}))
    extraction = extract_pdf(pdf, ocr=False)
    meta = paper_metadata(extraction)
    assert meta.title == "Counting Clauses: Agreement in Long Summary Evaluation"
    assert meta.authors == ["Ana Sousa", "Li Wei", "Jonas Berg"]
    assert meta.affiliations == ["University of Lisbon", "Example Institute of Technology"]
    assert meta.venue_short == "EMNLP" and meta.year == "2024" and "Empirical Methods" in meta.venue
    record = next(r for r in extraction.records if r.id == meta.cite)
    assert meta.cite == pdf_metadata_id(extraction.file_hash) and record.page == 1
    assert record.segment == "metadata" and "Ana Sousa; Li Wei; Jonas Berg" in record.text
    assert extraction.records[0].id == pdf_page_id(extraction.file_hash, 1)  # the page itself stays first


def test_no_paper_fact_comes_from_the_file_name_or_its_creation_date(tmp_path: Path) -> None:
    """A converter's Title (the file's own name) and the file's CreationDate state nothing about the paper:
    page 1 would be cited for a title and a year it does not print."""
    runs = [Run(60, 760, "Notes on ranking without a printed title page.", 10)]
    info = {"Title": "scan.pdf", "CreationDate": "D:20260101120000"}
    extraction = extract_pdf(write(tmp_path / "scan.pdf", make_pdf([Page(runs)], info=info)), ocr=False)
    meta = paper_metadata(extraction)
    assert meta.year == "" and "scan" not in meta.title.lower()
    assert not any("2026" in r.text or "Title: scan" in r.text for r in extraction.records)


def test_picture_only_page_is_ocred_and_listed(tmp_path: Path) -> None:
    pages = [
        Page([Run(60, 700, "A page with a text layer comes first.")]),
        picture_page(["Scanned results page"]),
    ]
    extraction = extract_pdf(write(tmp_path / "scan.pdf", make_pdf(pages)))
    assert extraction.ocr_pages == [2] and extraction.unreadable_pages == []
    assert "results" in extraction.pages[1].lower()
    assert any(r.page == 2 and "results" in r.text.lower() for r in extraction.records)
    off = extract_pdf(tmp_path / "scan.pdf", ocr=False)
    assert off.unreadable_pages == [2] and [p.code for p in off.problems] == ["pdf_page_unreadable"]


@pytest.mark.parametrize(
    ("text", "unmapped", "undecodable"),
    [
        ("This is an ordinary English page about summaries and annotators." * 2, 0, False),
        ("这是一个包含 English words 的中文页面，讨论长文本摘要的忠实度评估方法与标注一致性。" * 2, 0, False),
        ("ڑЉܔନɯĠং൩ʦோۼષǛ̪֬ନɯن٩Ńǅ૱ڑ࠼װନɯ͈͈ګĥੱЉഠǛ೯࠸࠼АӞܔЉ̪֬։Ƙʦݞܨज़ҜڑନɯĠং൩ܴ̪аݦ̀ୣҨĸߚ࠼ՎϺ", 0, True),
        ("Title only", 40, True),
        ("A long English page with one broken glyph in it, nothing more than that at all.", 1, False),
    ],
    ids=["english", "chinese", "wrong-encoding", "no-tounicode", "one-bad-glyph"],
)
def test_undecodable_text_layers_are_told_apart(text: str, unmapped: int, undecodable: bool) -> None:
    assert (undecodable_reason(text, unmapped) is not None) is undecodable


def test_blank_pages_are_no_text_not_unreadable(tmp_path: Path) -> None:
    extraction = extract_pdf(write(tmp_path / "blank.pdf", make_pdf([Page(), Page()])))
    assert extraction.page_count == 2 and extraction.records == [] and extraction.unreadable_pages == []
    assert [p.code for p in extraction.problems] == ["pdf_no_text"]


def test_pdf_without_pages_and_non_pdf_bytes(tmp_path: Path) -> None:
    empty = extract_pdf(write_pdf(tmp_path / "empty.pdf", PdfWriter()))
    assert [p.code for p in empty.problems] == ["pdf_empty"]  # not "truncated or damaged?"
    garbage = write(tmp_path / "garbage.pdf", b"this is not a pdf at all" * 10)
    assert [p.code for p in extract_pdf(garbage).problems] == ["pdf_unreadable"]
    assert [p.code for p in extract_pdf(write(tmp_path / "zero.pdf", b"")).problems] == ["pdf_unreadable"]


def test_page_text_cleaning_rejoins_lines() -> None:
    assert clean_page_text("faith-\nfulness of long\nsummaries") == "faithfulness of long summaries"
    assert clean_page_text("长文本摘要的\n忠实度评估") == "长文本摘要的忠实度评估"


@pytest.mark.shared
def test_real_paper_pages_records_and_metadata(paper: Path) -> None:
    extraction = extract_pdf(paper)  # ids derive from the file's bytes and the page: stable by construction
    assert extraction.problems == [] and extraction.page_count == 20 and extraction.ocr_pages == []
    assert {record.page for record in extraction.records} == set(range(1, 21))
    file_hash = hashlib.sha1(paper.read_bytes()).hexdigest()
    first = extraction.records[0]
    assert first.id == pdf_page_id(file_hash, 1, 1) and first.kind == "pdf" and first.segment == "page"
    assert first.source_file == "pdf.pdf" and first.doc_id == extraction.doc_id and first.lang == "en"
    meta = paper_metadata(extraction)
    assert (
        meta.title == "LONGEVAL: Guidelines for Human Evaluation of Faithfulness in Long-form Summarization"
    )
    assert len(meta.authors) == 7 and meta.authors[:2] == ["Kalpesh Krishna", "Erin Bransom"]
    assert "Yale University" in meta.affiliations
    assert "European Chapter" in meta.venue and meta.venue_short == "EACL" and meta.year == "2023"
    text = "\n".join(extraction.pages)
    assert "inter-annotator agreement" in text and "summaries (Kryscinski" in text  # across a footnote
    assert not BAD_CHARS.search(text)


@pytest.mark.shared
def test_bugcase_ligatures_and_nul(shared_dir: Path) -> None:
    extraction = extract_pdf(shared_dir / "bugcases" / "pdf-ligatures-nul" / "paper.pdf")
    assert not any(BAD_CHARS.search(record.text) for record in extraction.records)
    assert "efficient protocol for the office" in extraction.pages[0]
    texts = [record.text for record in extraction.records]
    index = LexicalIndex.build(texts)
    top = top_positions(index.scores("This workflow is efficient because annotators never read"), 1)
    assert "efficient because annotators never read the whole source" in texts[top[0][0]]
    assert {p.code for p in extraction.problems} == {"pdf_unmapped_glyphs"}  # disclosed, not hidden


@pytest.mark.shared
def test_bugcase_cjk_font_without_unicode_map(shared_dir: Path) -> None:
    extraction = extract_pdf(shared_dir / "bugcases" / "pdf-cjk-no-tounicode" / "paper.pdf")
    assert extraction.unreadable_pages == [1] or extraction.ocr_pages == [1]
    if extraction.unreadable_pages:  # the font is not embedded: nothing to OCR, so it is disclosed
        problem = next(p for p in extraction.problems if p.code == "pdf_page_unreadable")
        assert problem.page == 1 and "Unicode" in problem.message
    assert not any(record.lang == "en" for record in extraction.records)


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
    extraction = extract_pdf(truncated, ocr=False)
    assert extraction.problems or extraction.records  # some pages may be recovered; never an exception
    if not extraction.records:
        assert extraction.problems[0].code in {"pdf_unreadable", "pdf_no_text", "pdf_empty"}
