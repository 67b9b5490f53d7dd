"""section_substance on a basic-information section: the authors facet counts a line that names the authors
after their label ("Authors: A, B and C", "by A, B", "作者：A、B"), in any case, and nothing else; the title
facet is not met by another fact's "Label: Value" line."""

from __future__ import annotations

import pytest
from reportgraph.tools.checking import Facet, ValidationInputs, mentions, validate_report
from reportgraph.tools.intake.paper import PaperMetadata, metadata_text
from reportgraph.tools.intake.spec import (
    CitationRules,
    LengthRequirement,
    RequirementSpec,
    SectionRequirement,
)
from reportgraph.tools.intake.spec.facets import SECTION_KINDS
from reportgraph.tools.registry import SourceRecord, pdf_metadata_id, pdf_page_id, to_registry

META = PaperMetadata(
    title="Counting Owls: Survey Methods for Nocturnal Birds",
    authors=["Ada Lovelace", "Alan Turing", "Grace Hopper"],
    venue="Proceedings of the Workshop on Field Ornithology",
    venue_short="FORN",
    year="2021",
)
META_ID = pdf_metadata_id("ab12cd34ef")
PAGE_ID = pdf_page_id("ab12cd34ef", 1)
REGISTRY = to_registry(
    [
        SourceRecord(id=META_ID, kind="pdf", segment="metadata", source_file="owls.pdf", page=1,
                     text=metadata_text(META)),
        SourceRecord(id=PAGE_ID, kind="pdf", segment="page", source_file="owls.pdf", page=1,
                     text="Owl surveys rely on calls. Playback of recorded calls doubles detections."),
    ]
)
SPEC = RequirementSpec(
    language="en",
    title="Reading Report",
    sections=[SectionRequirement(index=1, title="Basic Information", heading="1. Basic Information")],
    length=LengthRequirement(min=10, max=200, unit="words"),
    citations=CitationRules(required=True, per_section=True),
)
AUTHORS_LINE = "- Authors: Ada Lovelace, Alan Turing and Grace Hopper [@{meta}]."
REPORT = """# Reading Report

## 1. Basic Information

- Title: Counting Owls: Survey Methods for Nocturnal Birds [@{meta}].
{authors}
- Venue: Proceedings of the Workshop on Field Ornithology (FORN 2021) [@{meta}].
- Year: 2021 [@{meta}].
- Playback of recorded calls doubles detections [@{page}].
"""


def _substance(authors_line: str) -> tuple[bool, dict[str, int], list[str]]:
    markdown = REPORT.format(meta=META_ID, page=PAGE_ID, authors=authors_line.format(meta=META_ID))
    result = validate_report(ValidationInputs(markdown=markdown, spec=SPEC, registry=REGISTRY,
                                              drafting_mode="llm"))
    check = next(c for c in result.checks if c.name == "section_substance")
    return check.passed, check.figure["cited_sentences_per_facet"]["1"], check.figure["missing"]


def test_an_english_authors_line_covers_the_authors_facet_and_its_absence_fails() -> None:
    passed, counts, missing = _substance(AUTHORS_LINE)
    assert passed, missing
    assert counts["authors"] == 1
    passed, counts, missing = _substance("")
    assert not passed
    assert counts["authors"] == 0
    assert missing == ["authors (section 1)"]


@pytest.mark.parametrize(
    "line",
    [
        "Authors: Ada Lovelace, Alan Turing and Grace Hopper",
        "- **Authors**: A. Lovelace, A. M. Turing, G. Hopper",
        "| Authors | Ada Lovelace; Alan Turing |",
        "The paper is by Ada Lovelace, Alan Turing and Grace Hopper.",
        "It was written by Yann LeCun and Yoshua Bengio.",
        "The authors are Ada Lovelace and Alan Turing.",
        "作者：Ada Lovelace、Alan Turing",
        "作者：林乔云、托马斯",
        "| 作者 | 林乔云、托马斯 |",
        "论文第一作者Ada Lovelace在实习期间完成了这项工作。",
    ],
)
def test_author_names_after_their_label_are_the_authors_facet(line: str) -> None:
    assert mentions(_authors_facet(), line)


@pytest.mark.parametrize(
    "line",
    [
        "The authors propose a new survey method for Nocturnal Birds.",
        "Author affiliations: University of Massachusetts Amherst",
        "作者单位：马萨诸塞大学、艾伦人工智能研究所",
        "作者首先调研了162篇论文。",
        "作者：不详。",
        "Published in 2021 by the Association for Field Ornithology.",
    ],
)
def test_lines_that_name_no_author_are_not_the_authors_facet(line: str) -> None:
    assert not mentions(_authors_facet(), line)


def test_without_its_title_line_the_title_facet_is_missing_whatever_the_other_label_lines() -> None:
    markdown = REPORT.format(meta=META_ID, page=PAGE_ID, authors=AUTHORS_LINE.format(meta=META_ID))
    untitled = "\n".join(line for line in markdown.splitlines() if not line.startswith("- Title:"))
    result = validate_report(ValidationInputs(markdown=untitled, spec=SPEC, registry=REGISTRY,
                                              drafting_mode="llm"))
    check = next(c for c in result.checks if c.name == "section_substance")
    assert check.figure["missing"] == ["title (section 1)"]


@pytest.mark.parametrize("line", ["- **Title**: Counting Owls", "LongEval: Guidelines for Human Evaluation"])
def test_a_title_in_bold_or_with_its_subtitle_is_the_title_facet(line: str) -> None:
    assert mentions(_facet("title"), line)


def _authors_facet() -> Facet:
    return _facet("authors")


def _facet(name: str) -> Facet:
    return next(f for f in SECTION_KINDS["basic_information"][1] if f.name == name)
