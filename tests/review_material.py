"""A small report on a tidal power plant, its sources and its validation, for the review-page tests.

The report cites in the rendered forms report.md uses (a PDF page, a collection chunk, a video time range);
one sentence changes the source's figure (unsupported), one states a figure without a citation (an uncited
claim). The validation is the real checker's (tools.checking.validate_report), not written by hand.
"""

from __future__ import annotations

from typing import Any

from reportgraph.tools.checking import ValidationInputs, validate_report, validation_summary
from reportgraph.tools.intake.spec import (
    CitationRules,
    LengthRequirement,
    RequirementSpec,
    SectionRequirement,
)
from reportgraph.tools.registry import SourceRecord, to_registry

PLANT_PAGE = SourceRecord(
    id="pdf-7a7a7a7a-p2", kind="pdf", segment="page", source_file="barrage.pdf", page=2,
    title="Operating the Estuary Barrage",
    text="The barrage produced 240 megawatts at spring tide. Silt built up behind the sluice gates within "
    "four years of opening.",
)
HARBOUR_CHUNK = SourceRecord(
    id="lc-5e5e5e5e5e-0", kind="corpus", segment="chunk", source_file="long_context.json", chunk_index=0,
    title="Harbour tides", url="https://example.org/harbour-tides", doc_id="lc-5e5e5e5e5e",
    text="The tidal range in the harbour reaches nine metres during the equinox.",
)
LECTURE = SourceRecord(
    id="vid-3c3c3c3c-83000-101000-subtitle", kind="video", segment="subtitle", source_file="lecture.mp4",
    start_s=83.0, end_s=101.0,
    text="Fish passages were added to the barrage after the first ecological survey.",
)
REGISTRY = to_registry([PLANT_PAGE, HARBOUR_CHUNK, LECTURE])

SUPPORTED = "The barrage produced 240 megawatts at spring tide"
UNSUPPORTED = "The barrage produced 910 megawatts in the winter months"
UNCITED = "The operators reported 12 outages in 2019."

REPORT = f"""# Estuary Barrage Review

## 1. Plant Overview

{SUPPORTED} [barrage.pdf p.2]. {UNSUPPORTED} [barrage.pdf p.2]. The tidal range in the harbour reaches nine
metres during the equinox [long_context: "Harbour tides", chunk 0]. {UNCITED}

| figure | value |
| --- | --- |
| spring tide output | 240 megawatts [barrage.pdf p.2] |

## 2. Lecture Notes

- Fish passages were added to the barrage after the first ecological survey [lecture.mp4 01:23–01:41].
"""


def spec(language: str = "en") -> RequirementSpec:
    return RequirementSpec(
        language=language,  # type: ignore[arg-type]
        title="Estuary Barrage Review",
        sections=[
            SectionRequirement(index=1, title="Plant Overview", heading="1. Plant Overview", focus="paper"),
            SectionRequirement(index=2, title="Lecture Notes", heading="2. Lecture Notes", focus="video"),
        ],
        length=LengthRequirement(min=10, max=400, unit="words"),
        citations=CitationRules(required=True, per_section=True),
    )


def validation(report: str = REPORT, language: str = "en") -> dict[str, Any]:
    """validation.json's content for ``report``, as ``reportgraph check`` makes it."""
    result = validate_report(ValidationInputs(markdown=report, spec=spec(language), registry=REGISTRY,
                                              drafting_mode="llm"))
    return {"status": "pass" if result.passed else "needs_review", **validation_summary(result)}
