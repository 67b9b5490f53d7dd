"""Page-1 facts on first pages laid out unlike the fixture's (bench/make_second_task.py builds them), and
bench/coverage.py's measure on records made here."""

from __future__ import annotations

from pathlib import Path

import pytest
from coverage import coverage
from make_second_task import SECOND_PAPER, THIRD_PAPER, build_paper
from reportgraph.tools.intake.pdf import extract_pdf


@pytest.mark.parametrize(
    ("source", "authors", "affiliation", "year"),
    [
        (SECOND_PAPER, ["Amara Nwosu", "Tobias Lindqvist", "Rosa Ferreira-Lang"],
         "Southgate Institute of Building Science", "2022"),
        (THIRD_PAPER, ["Henrik Dahl", "Sofia Marquez", "Wei Jun"],
         "Marine Research Center of Alcudia", "2021"),
    ],
)
def test_every_author_is_read_from_page_one_whatever_the_marks(
    tmp_path: Path, source: str, authors: list[str], affiliation: str, year: str
) -> None:
    path = tmp_path / "paper.pdf"
    build_paper(source, path)  # no Author in the document information: page 1 alone says who wrote it
    meta = extract_pdf(path, ocr=False).metadata
    assert meta.authors == authors and affiliation in meta.affiliations and meta.year == year


def test_coverage_needs_all_anchors_in_one_record_of_the_point_s_section() -> None:
    rubric = [{"id": "a", "section": 1, "anchors": ["Ｆｉｇｕｒｅ  12", "rate"], "weight": 2},
              {"id": "b", "section": 2, "anchors": ["alpha", "beta"], "weight": 1}]
    evidence = {"1": [{"text": "figure 12 shows the RATE", "kind": "pdf"}],
                "2": [{"text": "alpha only", "kind": "collection", "title": "n"},
                      {"text": "beta", "kind": "pdf"}],
                "3": [{"text": "alpha and beta", "kind": "pdf"}]}
    figures = coverage(evidence, rubric, frozenset({"n"}))
    assert figures["in_section"] == round(2 / 3, 3) and figures["anywhere"] == 1.0
    assert figures["missed"] == ["b"] and figures["collection_records"] == 1 and figures["noise_records"] == 1
