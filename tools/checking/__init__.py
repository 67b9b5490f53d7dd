"""Checking wing: the hard checks of a report against its task, in code.

``validate_report(ValidationInputs) -> ValidationResult`` runs every check of ``CHECKS`` (validator.py);
citations in any known form are resolved first (citation_forms.py). Check families: structure, citation
checks, grounding (support via alignment and support), relevance, substance (facets), hygiene, disclosure.
"""

from reportgraph.tools.checking.citation_forms import CitationLedger, WrittenCitation, resolve_citations
from reportgraph.tools.checking.report import (
    CheckResult,
    ValidationInputs,
    ValidationResult,
    VideoStatus,
    measurable_text,
    parse_report,
)
from reportgraph.tools.checking.support import (
    EmbedFunction,
    SupportChecker,
    content_tokens,
    lexical_support,
    llm_support_judge,
)
from reportgraph.tools.checking.validator import CHECKS, validate_report, validation_summary
from reportgraph.tools.intake.spec.facets import Facet, mentions, section_facets

__all__ = [
    "CHECKS",
    "CheckResult",
    "CitationLedger",
    "EmbedFunction",
    "Facet",
    "SupportChecker",
    "ValidationInputs",
    "ValidationResult",
    "VideoStatus",
    "WrittenCitation",
    "content_tokens",
    "lexical_support",
    "llm_support_judge",
    "measurable_text",
    "mentions",
    "parse_report",
    "resolve_citations",
    "section_facets",
    "validate_report",
    "validation_summary",
]
