"""The requirement spec: what a task asks of its report, read by small rules, as data checked in code.

Modules: model (the data), numbers, length (with table_length, an outline table's length column), outline and
inline (section lists), sections, language,
citations, wording (tone, title), topic, coverage (what no rule understood), reader (the whole spec),
settle (a second, targeted model question where rules and model read a field differently).
"""

from reportgraph.tools.intake.spec.facets import Facet, mentions, section_facets, section_kind
from reportgraph.tools.intake.spec.language import parse_language
from reportgraph.tools.intake.spec.length import LengthReading, parse_length
from reportgraph.tools.intake.spec.model import (
    APPROX_TOLERANCE,
    CJK_CHARS_PER_PAGE,
    FOCUS_OF_KIND,
    WORDS_PER_PAGE,
    CitationRules,
    Disagreement,
    LengthRequirement,
    RequirementSpec,
    SectionFocus,
    SectionRequirement,
    SpecUnit,
    per_page_default,
)
from reportgraph.tools.intake.spec.numbers import parse_chinese_number, parse_number, stated_figures
from reportgraph.tools.intake.spec.reader import merge_llm_spec, parse_requirements
from reportgraph.tools.intake.spec.sections import DEFAULT_OUTLINE, parse_sections
from reportgraph.tools.intake.spec.settle import settle_disagreements
from reportgraph.tools.intake.spec.titles import section_focus

__all__ = [
    "APPROX_TOLERANCE",
    "CJK_CHARS_PER_PAGE",
    "DEFAULT_OUTLINE",
    "FOCUS_OF_KIND",
    "WORDS_PER_PAGE",
    "CitationRules",
    "Disagreement",
    "Facet",
    "LengthReading",
    "LengthRequirement",
    "RequirementSpec",
    "SectionFocus",
    "SectionRequirement",
    "SpecUnit",
    "mentions",
    "merge_llm_spec",
    "parse_chinese_number",
    "parse_language",
    "parse_length",
    "parse_number",
    "parse_requirements",
    "parse_sections",
    "per_page_default",
    "section_facets",
    "section_focus",
    "section_kind",
    "settle_disagreements",
    "stated_figures",
]
