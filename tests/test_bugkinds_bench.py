"""bench/bugkinds.py's inputs are what they claim to be (a loop is a loop, the PDF is encrypted, the scan has
no text layer …), and its rules can say "wrong". Whether the product handles each input is tested elsewhere
(test_path_errors, test_ocr_pages, test_unreadable_pdf, test_citation_names, test_document_kinds,
test_injections)."""

from __future__ import annotations

import csv
import errno
import json
import os
import re
from pathlib import Path

import bugkinds as bench
import docx
import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader


def _text_layer(path: Path) -> str:
    return "".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(path))


def test_the_loop_is_a_loop(tmp_path: Path) -> None:
    link = bench.build_symlink_loop(tmp_path) / "self"
    assert os.readlink(link) == "self"
    with pytest.raises(OSError) as error:
        link.stat()
    assert error.value.errno == errno.ELOOP


def test_the_dangling_link_points_at_nothing(tmp_path: Path) -> None:
    link = bench.build_dangling_link(tmp_path) / "survey.pdf"
    assert link.is_symlink() and not link.exists() and not Path(os.readlink(link)).exists()


def test_the_unreadable_file_has_no_permission_bits(tmp_path: Path) -> None:
    notes = bench.build_unreadable_file(tmp_path) / "ranger-notes.txt"
    try:
        assert notes.stat().st_mode & 0o777 == 0
    finally:
        notes.chmod(0o644)


def test_the_scan_is_one_picture_and_no_text(tmp_path: Path) -> None:
    path = bench.build_scanned_paper(tmp_path) / "ferry-log.pdf"
    page = pdfium.PdfDocument(path)[0]
    assert _text_layer(path).strip() == ""
    assert [item.type for item in page.get_objects()] == [pdfium.raw.FPDF_PAGEOBJ_IMAGE]


def test_the_ligature_glyphs_map_to_nothing(tmp_path: Path) -> None:
    text = PdfReader(bench.build_lost_ligatures(tmp_path) / "ferries.pdf").pages[0].extract_text()
    for glyphs, whole in bench.LOST_WORDS.items():
        assert glyphs.replace("ﬀ", "\x00") in text and whole not in text


def test_the_encrypted_pdf_is_alone_and_opens_only_with_its_password(tmp_path: Path) -> None:
    folder = bench.build_encrypted_alone(tmp_path)
    assert sorted(p.name for p in folder.iterdir()) == ["locked.pdf", "task.md"]
    reader = PdfReader(folder / "locked.pdf")
    assert reader.is_encrypted
    assert reader.decrypt("harbour") and "Harbour Cafe Queues" in reader.pages[0].extract_text()


def test_the_odd_name_has_a_space_cjk_brackets_and_several_dots(tmp_path: Path) -> None:
    path = bench.build_odd_file_name(tmp_path) / bench.ODD_NAME
    assert " " in path.name and re.search(r"[\u4e00-\u9fff]", path.name) and "[" in path.name
    assert path.name.count(".") >= 3 and "Snails of Two Coasts" in _text_layer(path)


def test_each_other_document_holds_its_text(tmp_path: Path) -> None:
    folder = bench.build_other_documents(tmp_path)
    for name, text in bench.OTHER_DOCS.items():
        path = folder / name
        if path.suffix == ".docx":
            held = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
        elif path.suffix == ".csv":
            held = json.dumps(list(csv.reader(path.open(encoding="utf-8"))))
        else:
            held = path.read_text(encoding="utf-8")
        assert text in held, name


def test_the_instructions_sit_in_a_csv_cell_and_a_document(tmp_path: Path) -> None:
    folder = bench.build_planted_instructions(tmp_path)
    cells = [cell for row in csv.reader((folder / "counts.csv").open(encoding="utf-8")) for cell in row]
    assert any(bench.CANARIES["counts.csv cell"] in cell for cell in cells)
    documents = json.loads((folder / "long_context.json").read_text(encoding="utf-8"))
    assert sum(bench.CANARIES["collection document"] in d["content"] for d in documents) == 1
    assert all(canary not in (folder / "task.md").read_text() for canary in bench.CANARIES.values())


def test_the_report_quotes_a_document_that_shares_no_word_with_the_task(tmp_path: Path) -> None:
    folder = bench.build_unrelated_quotes(tmp_path)
    titles = [d["title"] for d in json.loads((folder / "long_context.json").read_text(encoding="utf-8"))]
    assert titles == [bench.DOCUMENTS[0]["title"], bench.OFF_TOPIC["title"]]
    report = (folder / "report.md").read_text(encoding="utf-8")
    threats = report.split("## Threats")[1]
    assert bench.OFF_TOPIC["content"] in threats and bench.OFF_TOPIC["title"] in threats
    task_words = set(bench.words_of(bench.TASK))
    assert not {w for w in bench.words_of(bench.OFF_TOPIC["content"]) if len(w) > 3} & task_words


def test_the_rules_can_say_wrong() -> None:
    """A crash, a refusal without its code and a passing relevance on an off-topic citation are wrong."""
    assert not bench.refusal_outcome("run", 3, "run failed: RuntimeError: Symlink loop", {}, "self",
                                     "symlink_loop", False).right
    assert not bench.refusal_outcome("index", 0, "", {"self": "other"}, "self", "symlink_loop", True).right
    assert bench.refusal_outcome("index", 0, "", {"self": "symlink_loop"}, "self", "symlink_loop", True).right
    report = f'Glass is blown. [long_context: "{bench.OFF_TOPIC["title"]}"]'

    def relevance(passed: bool) -> bench.Outputs:
        return bench.Outputs({"checks": [{"name": "relevance", "passed": passed, "detail": "?/2"}]}, {}, {},
                             report)

    assert not bench.relevance_outcome("check", 0, "", relevance(True)).right
    assert bench.relevance_outcome("check", 1, "", relevance(False)).right
