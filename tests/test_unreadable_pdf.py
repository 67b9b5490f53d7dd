"""A PDF that cannot be opened at all (encrypted with a password, damaged) is named in report.md, with why,
in the report's language, and keeps materials_read (and so the run) from passing."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from pdf_files import Page, Run, make_pdf
from pypdf import PdfReader, PdfWriter
from reportgraph.graph.graph import graph
from reportgraph.prompts.materials import FILE_REASONS, UNREADABLE_FILE, material_disclosures
from reportgraph.tools.intake import material_notes, materials_summary
from reportgraph.tools.intake.pdf import extract_pdf

TASK = (
    'Write a short report titled "Owl Notes". The report must contain these sections, in this order: '
    "1. Survey methods; 2. Findings. Length: 60 to 300 words. Cite the paper and the collection.\n"
)
DOCUMENTS = [
    {"title": "Owl surveys", "url": "https://example.org/owls",
     "content": "Owl surveys at night rely on calls. Playback of recorded calls doubles detections of owls."},
    {"title": "Owl habitats", "url": "https://example.org/habitat",
     "content": "Tawny owls live in old woodland. They keep the same territory for many years."},
]


def paper_bytes() -> bytes:
    page = Page([Run(72, 760, "Counting Owls at Night", 16), Run(72, 720, "Playback doubles detections.")])
    return make_pdf([page])


def encrypted(raw: bytes) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(raw)))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("code", "damage"),
    [("pdf_encrypted", encrypted), ("pdf_unreadable", lambda raw: raw[: len(raw) // 3])],
)
def test_a_whole_unreadable_pdf_is_summarised_noted_and_disclosed(
    tmp_path: Path, code: str, damage: Callable[[bytes], bytes]
) -> None:
    path = tmp_path / "paper.pdf"
    path.write_bytes(damage(paper_bytes()))
    summary = materials_summary([extract_pdf(path, ocr=False)], None)
    assert summary["pdfs"][0]["unreadable_file"]["code"] == code
    assert [note["code"] for note in material_notes(summary)] == [code]
    for language in ("zh", "en"):
        expected = UNREADABLE_FILE[language].format(file="paper.pdf", reason=FILE_REASONS[language][code])
        assert material_disclosures(summary, language) == [expected]


def test_a_readable_pdf_has_no_file_problem(tmp_path: Path) -> None:
    path = tmp_path / "paper.pdf"
    path.write_bytes(paper_bytes())
    summary = materials_summary([extract_pdf(path, ocr=False)], None)
    assert summary["pdfs"][0]["unreadable_file"] is None
    assert material_disclosures(summary, "en") == [] and material_notes(summary) == []


def test_a_run_with_an_encrypted_pdf_says_so_in_the_report_and_cannot_pass(tmp_path: Path) -> None:
    folder = tmp_path / "owls"
    folder.mkdir()
    (folder / "task.md").write_text(TASK, encoding="utf-8")
    (folder / "long_context.json").write_text(json.dumps(DOCUMENTS), encoding="utf-8")
    (folder / "paper.pdf").write_bytes(encrypted(paper_bytes()))
    output = tmp_path / "out"
    result = graph.invoke(
        {"task_dir": str(folder)},
        context={"llm": "off", "embedder": "none", "cache_dir": str(tmp_path / "cache"),
                 "output_dir": str(output), "max_revision_rounds": 1},
    )
    assert result["status"] == "needs_review"
    report = (output / "report.md").read_text(encoding="utf-8")
    sentence = UNREADABLE_FILE["en"].format(file="paper.pdf", reason=FILE_REASONS["en"]["pdf_encrypted"])
    assert sentence in report
    validation = json.loads((output / "validation.json").read_text(encoding="utf-8"))
    materials_read = next(c for c in validation["checks"] if c["name"] == "materials_read")
    assert not materials_read["passed"]
    assert "paper.pdf (whole file" in materials_read["detail"]
    assert list(materials_read["figure"]["unreadable_files"]) == ["paper.pdf"]
