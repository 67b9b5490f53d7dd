"""Scanned pages are OCRed into readable text (words keep their spaces), OCR text too garbled to quote marks
the page unreadable (disclosed, failing materials_read), and words a font's broken Unicode map took letters
from are restored from the page's OCR or named (issue 27)."""

from __future__ import annotations

from pathlib import Path

import pytest
from ocr import make_scan, word_accuracy
from pdf_files import Page, Run, make_pdf
from reportgraph.prompts.materials import material_disclosures
from reportgraph.tools.checking.disclosure import check_materials_read
from reportgraph.tools.intake import extract_pdf, materials_summary
from reportgraph.tools.intake import pdf as pdf_module
from reportgraph.tools.intake.pdflayout import LOST_GLYPH
from reportgraph.tools.intake.pdfscan import ocr_quality, restore_words

SCANNED = ("Lantern makers in the hill towns cut paper panels by hand. Each panel shows a scene from an old "
           "story, and the light of a candle makes the figures seem to move when the wind turns the frame.")


def test_a_scanned_english_page_keeps_its_word_spaces(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import ocr

    monkeypatch.setitem(ocr.SCANS, "en", SCANNED)
    extraction = extract_pdf(make_scan("en", tmp_path / "scan.pdf"))
    assert extraction.ocr_pages == [1] and not extraction.unreadable_pages
    assert word_accuracy(SCANNED, extraction.pages[0]) >= 0.95, extraction.pages[0]
    assert ocr_quality(extraction.pages[0]) is None


@pytest.mark.parametrize(("text", "garbled"), [
    ("LanternmakersinthehilltownscutpaperpanelsbyhandEachpanelshowsasceneOldstory", True),
    ("|| -- ## 12 34 ;; ~~ %% ^^ && ** (( )) [[ ]] {{ }} <> <> ++ == !! ?? @@ ..", True),
    (SCANNED, False),
    ("灯笼匠人用手裁剪纸板，每块纸板上画着一个古老故事里的场景，风一吹，烛光里的人物仿佛动了起来。", False),
    ("Internationalization and counterrevolutionaries are long words, yet real ones: a page of ordinary "
     "prose holds a few of them among many short words, and its spaces are all there.", False),
])
def test_the_quality_gate(text: str, garbled: bool) -> None:
    assert (ocr_quality(text) is not None) is garbled


def test_garbled_ocr_marks_the_page_unreadable_and_is_disclosed(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    glued = ["Lanternmakersinthehilltownscutpaperpanelsbyhand.Eachpanelshowsascenefromanoldstory"]
    monkeypatch.setattr(pdf_module, "ocr_page", lambda _document, _index: glued)
    extraction = extract_pdf(make_scan("en", tmp_path / "scan.pdf"))
    assert extraction.unreadable_pages == [1] and extraction.records == []
    assert "garbled" in extraction.problems[0].message
    summary = materials_summary([extraction], None)
    assert any("scan.pdf" in line for line in material_disclosures(summary, "en"))


def test_lost_glyphs_are_restored_from_the_pages_ocr() -> None:
    text = "The annotators often conict. This workow is quick. An oer was made."
    damaged = [f"con{LOST_GLYPH}ict", f"work{LOST_GLYPH}ow", f"o{LOST_GLYPH}er"]
    ocr_text = "The annotators often conflict. This workflow is quick. An o er was made."
    repaired, restored, lost = restore_words(text, damaged, ocr_text)
    assert repaired == "The annotators often conflict. This workflow is quick. An oer was made."
    assert restored == {"conict": "conflict", "workow": "workflow"} and lost == ["o?er"]


def test_words_that_stay_broken_are_disclosed_and_fail_materials_read(tmp_path: Path) -> None:
    """A font mapping its ligature glyphs to nothing (the test PDF's ``unmapped``: ﬀ → U+0000)."""
    body = "Cheap tickets were an oﬀer nobody refused, and the ferry was full all summer."
    path = tmp_path / "ferry.pdf"
    path.write_bytes(make_pdf([Page([Run(60, 700, body)])], unmapped=True))
    extraction = extract_pdf(path)
    assert extraction.lost_words == {1: ["o?er"]}
    summary = materials_summary([extraction], None)
    assert any("o?er" in line for line in material_disclosures(summary, "en"))
    assert any("o?er" in line for line in material_disclosures(summary, "zh"))

    class Inputs:
        materials = summary

    class Report:
        inputs = Inputs()

    result = check_materials_read(Report())  # type: ignore[arg-type]
    assert result is not None and not result.passed and "o?er" in result.detail
