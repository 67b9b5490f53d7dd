"""Materials of the other kinds people put in a task folder (.txt, .md, .html, .docx, .pptx, .csv, .xlsx) are
read as citable documents with stable ids and citation forms `check` resolves; kinds nothing reads, and
files that cannot be read, are named in the report and fail `materials_read`; a refusal for want of text
names each material's real cause (issue 27)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from document_files import FACTS, write_documents
from faults.inputs import encrypted_pdf
from reportgraph.graph.cli import main
from reportgraph.prompts.materials import material_disclosures
from reportgraph.tools.checking.citation_forms import resolve_citations
from reportgraph.tools.file_kinds import EXTENSION_KINDS
from reportgraph.tools.intake import inventory, materials_summary, read_document, unread_materials
from reportgraph.tools.intake.documents import READERS
from reportgraph.tools.registry import render_citation, to_registry

TASK = ("Based on the files in this folder, write a 100-300 word briefing on what they observe. Cite your "
        "sources. Sections: Nature, Town.\n")


def test_every_document_and_picture_suffix_has_a_reader() -> None:
    read = sorted(suffix for suffix, kind in EXTENSION_KINDS.items() if kind in ("document", "image"))
    assert sorted(READERS) == read


@pytest.mark.parametrize("name", sorted(FACTS))
def test_each_kind_is_read_with_stable_ids_and_a_citation_check_resolves(tmp_path: Path, name: str) -> None:
    path = write_documents(tmp_path)[name]
    first, again = read_document(path), read_document(path)
    assert not first.problems
    holding = [record for record in first.records if FACTS[name] in record.text]
    assert holding, [record.text for record in first.records]
    assert [r.id for r in first.records] == [r.id for r in again.records]
    written = render_citation(holding[0])
    assert written.startswith(f"[{name} ")
    rewritten, ledger = resolve_citations(f"It is recorded {written}.", to_registry(first.records))
    assert [c.problem for c in ledger.citations] == [""]
    assert f"[@{holding[0].id}]" in rewritten or FACTS[name] in json.dumps(ledger.records)


def test_html_leaves_out_scripts_styles_and_navigation(tmp_path: Path) -> None:
    text = read_document(write_documents(tmp_path)["page.html"]).records[0].text
    assert "tracking" not in text and "color" not in text and "Contact" not in text


def test_a_slide_that_does_not_exist_and_a_whole_file_do_not_resolve(tmp_path: Path) -> None:
    records = read_document(write_documents(tmp_path)["deck.pptx"]).records
    _, ledger = resolve_citations("One [deck.pptx slide 7]. Two [deck.pptx].", to_registry(records))
    assert [c.form for c in ledger.citations] == ["document_part", "whole_file"]
    assert all(c.problem for c in ledger.citations)


@pytest.mark.parametrize(("name", "data", "code"), [
    ("minutes.doc", b"\xd0\xcf\x11\xe0 old word", "format_not_read"),
    ("plan.odt", b"PK\x03\x04 odf", "format_not_read"),
])
def test_kinds_nothing_reads_are_named_as_not_read(tmp_path: Path, name: str, data: bytes, code: str) -> None:
    (tmp_path / "task.md").write_text(TASK, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("Hedgehogs hibernate from November.", encoding="utf-8")
    (tmp_path / name).write_bytes(data)
    summary = materials_summary([], None, unread_materials(inventory(tmp_path)))
    assert summary["unread_files"] == [{"file": name, "code": code}]
    for language in ("en", "zh"):
        assert any(name in line for line in material_disclosures(summary, language))


@pytest.mark.parametrize(("name", "data", "code"), [
    ("broken.docx", b"PK\x03\x04 not really a word file", "document_unreadable"),
    ("empty.txt", b"   \n", "document_empty"),
    ("blank.csv", b"", "document_empty"),
    ("nothing.html", b"<html><body><script>x()</script></body></html>", "document_empty"),
])
def test_documents_that_cannot_be_read_are_named(tmp_path: Path, name: str, data: bytes, code: str) -> None:
    (tmp_path / name).write_bytes(data)
    document = read_document(tmp_path / name)
    assert document.records == [] and document.unreadable is not None
    summary = materials_summary([], None, (), [document])
    assert [(item["file"], item["code"]) for item in summary["unread_files"]] == [(name, code)]


def _run(folder: Path, output: Path, capfd: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["run", str(folder), "-o", str(output), "--embedder", "none", "--llm", "off"])
    return code, capfd.readouterr().err


def test_an_encrypted_pdf_alone_is_refused_as_encrypted(tmp_path: Path,
                                                        capfd: pytest.CaptureFixture[str]) -> None:
    from pdf_files import Page, Run, make_pdf

    folder = tmp_path / "locked"
    folder.mkdir()
    (folder / "task.md").write_text(TASK, encoding="utf-8")
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(make_pdf([Page([Run(72, 700, "Moths navigate by the moon on clear nights.")])]))
    encrypted_pdf(plain, folder / "field-study.pdf")
    code, printed = _run(folder, tmp_path / "out", capfd)
    assert code == 2
    message = " ".join(printed.split())
    assert "field-study.pdf: encrypted with a password" in message
    assert "collection" not in message and "text layer" not in message


def test_a_folder_of_documents_is_reported_and_checked_alike(tmp_path: Path,
                                                             capfd: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "observations"
    write_documents(folder)
    (folder / "task.md").write_text(TASK, encoding="utf-8")
    assert _run(folder, tmp_path / "out", capfd)[0] in (0, 1)
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    cited = {name for name in FACTS if f"[{name} " in report}
    assert cited, report
    run_checks = json.loads((tmp_path / "out" / "validation.json").read_text(encoding="utf-8"))["checks"]
    assert main(["check", str(folder), str(tmp_path / "out" / "report.md"), "-o", str(tmp_path / "check"),
                 "--embedder", "none"]) in (0, 1)
    checked = json.loads((tmp_path / "check" / "validation.json").read_text(encoding="utf-8"))["checks"]
    by_name = {c["name"]: c for c in checked}
    assert by_name["citations_resolve"]["passed"], by_name["citations_resolve"]["detail"]
    assert {c["name"]: c["passed"] for c in run_checks}["citations_resolve"]
