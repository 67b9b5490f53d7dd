"""What reading the materials left out reaches run.json (notes) and the report (disclosures, zh and en)."""

from __future__ import annotations

import pytest
from reportgraph.prompts.materials import material_disclosures
from reportgraph.tools.intake import material_notes, materials_summary
from reportgraph.tools.intake.corpus import CorpusLoadReport, SkippedEntry
from reportgraph.tools.intake.pdf import PdfExtraction, PdfProblem


def summary() -> dict:
    pdf = PdfExtraction(source_file="paper.pdf", file_hash="ab" * 20, page_count=5, ocr_pages=[2])
    pdf.problems.append(PdfProblem(code="pdf_page_unreadable", message="page 4: no map", page=4))
    pdf.unreadable_pages.append(4)
    corpus = CorpusLoadReport(
        source_file="long_context.json", encoding="utf-8", layout="list", entries=4, loaded=2
    )
    corpus.skipped = [
        SkippedEntry(position=1, title="空的", reason="empty_text", dropped=False),
        SkippedEntry(
            position=3, title="Unknown field", reason="no_text_field", detail="keys: a", dropped=True
        ),
    ]
    return materials_summary([pdf], corpus)


def test_summary_and_notes_name_every_page_and_entry() -> None:
    materials = summary()
    assert materials["pdfs"][0]["ocr_pages"] == [2] and materials["pdfs"][0]["unreadable"][0]["page"] == 4
    assert [entry["position"] for entry in materials["corpus"]["dropped"]] == [3]
    notes = material_notes(materials)
    assert notes[0]["ocr_pages"] == [2] and notes[0]["unreadable_pages"] == [4]
    assert [(n["position"], n["reason"]) for n in notes[1:]] == [(1, "empty_text"), (3, "no_text_field")]


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("zh", ["第 4 页", "第 2 页", "Unknown field", "1 条"]),
        ("en", ["page(s) 4", "page(s) 2", "Unknown field", "1 entries"]),
    ],
)
def test_disclosures_say_what_was_lost(language: str, words: list[str]) -> None:
    lines = material_disclosures(summary(), language)
    assert len(lines) == 3
    for word in words:
        assert any(word in line for line in lines), word
    assert not any("空的" in line for line in lines)  # an empty entry is not a loss


def test_nothing_lost_says_nothing() -> None:
    clean = materials_summary([PdfExtraction(source_file="p.pdf", file_hash="cd" * 20, page_count=3)], None)
    assert material_disclosures(clean, "zh") == [] and material_notes(clean) == []
    assert material_disclosures(None, "en") == []


def test_a_subtitle_file_without_its_video_is_named_unread_and_fails_materials_read() -> None:
    """The video analysis reads a subtitle file only beside the video of its name; one without it used to
    be listed in the inventory and silently left."""
    from reportgraph.tools.checking import ValidationInputs, validate_report
    from reportgraph.tools.intake import unpaired_subtitles
    from reportgraph.tools.intake.spec import RequirementSpec

    unread = unpaired_subtitles(["talk.srt", "talk.en.vtt", "other.srt", "media/talk.srt"], ["talk.mp4"])
    assert [item["file"] for item in unread] == ["other.srt", "media/talk.srt"]
    materials = materials_summary([], None, unread)
    assert any("other.srt" in note["message"] for note in material_notes(materials))
    assert any("other.srt" in line and "video" in line for line in material_disclosures(materials, "en"))
    assert any("other.srt" in line and "视频" in line for line in material_disclosures(materials, "zh"))
    spec = RequirementSpec(language="en", sections=[])
    result = validate_report(ValidationInputs(markdown="# T\n\nText.\n", spec=spec, registry={},
                                              drafting_mode="llm", materials=materials))
    check = next(c for c in result.checks if c.name == "materials_read")
    assert not check.passed and "other.srt" in check.detail
