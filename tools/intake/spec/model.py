"""The requirement spec as data: what a task asks of its report, in a form the validator checks in code."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from reportgraph.tools.registry import SourceKind
from reportgraph.tools.text import LengthUnit

SectionFocus = Literal["paper", "video", "corpus", "general"]
# The section focus a source kind is the main material of: a required PDF is cited in the paper section.
FOCUS_OF_KIND: dict[SourceKind, SectionFocus] = {"pdf": "paper", "video": "video", "corpus": "corpus"}
SpecUnit = Literal["cjk_chars", "words", "chars", "pages"]

# A page of text, for tasks that state their length in pages. A single-spaced page of 12-pt body text holds
# about 500 English words (the usual words-to-pages conversion: 250 double-spaced, 500 single-spaced); an A4
# page of 小四 (12-pt) Chinese type, single-spaced, holds about 800 字 (33 lines of ~25-28 characters less
# headings and margins). Both are run settings (Context.words_per_page / chars_per_page) with these defaults.
WORDS_PER_PAGE = 500
CJK_CHARS_PER_PAGE = 800
# 约/about figures and bare figures ("写一篇2000字的文章") become figure ± APPROX_TOLERANCE. LongBench-Write
# scores length by ratio, S_l = 100·(1 − (l'/l − 1)/3) above and 100·(1 − (l/l' − 1)/2) below the target;
# at ±10 % that is ≥ 94, so "inside the range" means "scores well". ±20 % would accept answers scoring 87.
APPROX_TOLERANCE = 0.10


def per_page_default(unit: LengthUnit) -> int:
    """The default figure for one page counted in ``unit`` (words, or 字 for cjk_chars and chars)."""
    return WORDS_PER_PAGE if unit == "words" else CJK_CHARS_PER_PAGE


class SectionRequirement(BaseModel):
    index: int = Field(description="1-based position in the required order")
    title: str = Field(description="The section's name as the task gives it, e.g. 论文基本信息")
    heading: str = Field(description="The exact heading text the report uses, e.g. （1）论文基本信息")
    focus: SectionFocus = Field(default="general", description="Which material the section is mainly about")


class LengthRequirement(BaseModel):
    """A length range in ``unit``; pages are kept as pages and measured through ``per_page``."""

    min: int | None = None
    max: int | None = None
    unit: SpecUnit
    approximate: bool = Field(default=False, description="约/about: the range was widened around one figure")
    source_text: str = Field(default="", description="The phrase of the task the range was read from")
    counted_in: LengthUnit | None = Field(
        default=None, description="pages only: the unit a page is counted in (words, or cjk_chars for 字)"
    )
    per_page: int | None = Field(default=None, description="pages only: words or 字 per page")
    per_section: tuple[int | None, int | None] | None = Field(
        default=None, description="A length given per section or item (min, max); min/max are its total"
    )

    def contains(self, value: int) -> bool:
        """Whether ``value``, in ``unit``, is inside the range."""
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    @property
    def text_unit(self) -> LengthUnit:
        """The unit text is counted in: ``unit`` itself, or for pages the unit a page is counted in."""
        if self.unit == "pages":
            return self.counted_in or "words"
        return self.unit

    def in_text_unit(self) -> LengthRequirement:
        """The same range in a countable unit: pages × per_page (words or 字); other units unchanged.

        E.g. 2–3 pages at 500 words/page → 1000–1500 words; about 3 pages (3–3, approximate) at 800 字 →
        2160–2640 字. ``source_text`` still names the pages.
        """
        if self.unit != "pages":
            return self
        figure = self.per_page or per_page_default(self.text_unit)
        low: float | None = self.min
        high: float | None = self.max
        if self.approximate and self.min is not None and self.min == self.max:
            # "3页左右": ±10 % of 3 pages rounds back to 3 pages, but not to exactly 2400 字.
            low, high = self.min * (1 - APPROX_TOLERANCE), self.min * (1 + APPROX_TOLERANCE)
        return self.model_copy(
            update={
                "min": None if low is None else round(low * figure),
                "max": None if high is None else round(high * figure),
                "unit": self.text_unit,
                "counted_in": None,
                "per_page": None,
            }
        )

    @property
    def target(self) -> int:
        """The length a drafter aims at, in ``text_unit``: the middle of a closed range, else a margin past
        the bound (15 % above a minimum, 15 % below a maximum)."""
        counted = self.in_text_unit()
        if counted.min is not None and counted.max is not None:
            return (counted.min + counted.max) // 2
        if counted.min is not None:
            return int(counted.min * 1.15)
        assert counted.max is not None
        return int(counted.max * 0.85)


class CitationRules(BaseModel):
    required: bool = Field(default=True, description="The task asks for sources to be cited")
    per_section: bool = Field(default=True, description="Every section must carry at least one citation")
    must_cite: list[Literal["pdf", "video", "corpus"]] = Field(
        default_factory=list, description="Material kinds the task names as the basis of the report"
    )


class Disagreement(BaseModel):
    """A field where the model's reading of the task differs from the rules' reading."""

    field: Literal["language", "sections", "length", "title"]
    rules: str = Field(description="What the rules read (JSON text), 'null' when they read nothing")
    model: str = Field(description="What the model read (JSON text)")
    kept: Literal["rules", "model"] = Field(description="Whose reading the spec holds")
    span: str = Field(default="", description="The task's own words the two readings differ on")
    settled_by: Literal["", "question", "unanswered"] = Field(
        default="", description="question: a targeted second question chose; unanswered: it had no usable "
        "answer, so the rules' reading stands for review"
    )
    reason: str = Field(default="", description="The answer's reason, when a question settled the field")


class RequirementSpec(BaseModel):
    language: Literal["zh", "en"] = Field(description="The language the report is written in")
    title: str | None = Field(default=None, description="The report title the task asks for, if any")
    sections: list[SectionRequirement]
    sections_from_task: bool = Field(
        default=True, description="False when the task names no sections and `sections` is a default outline"
    )
    length: LengthRequirement | None = None
    citations: CitationRules = Field(default_factory=CitationRules)
    soft: list[str] = Field(default_factory=list, description="Tone, register and audience requirements")
    topic: str = Field(default="", description="What the report is about, as a retrieval query")
    parsed_by: Literal["rules", "llm", "rules+llm"] = "rules"
    unparsed: list[str] = Field(
        default_factory=list,
        description="Verbatim spans of the task that look like a requirement (a figure with a length unit, "
        "an ordinal list, words such as 部分/章节/篇幅/字数/sections/pages/words) but were not understood",
    )
    disagreements: list[Disagreement] = Field(
        default_factory=list, description="Fields where a model's reading of the task differs from the rules'"
    )
