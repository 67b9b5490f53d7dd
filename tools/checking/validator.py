"""Hard checks of a report against its requirement spec. Code, not a model, decides pass or fail.

The report under test is the assembled markdown with ``[@id]`` citation markers (what the drafter wrote);
rendering ids into readable citations happens after, and is a pure function of these ids.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field
from reportgraph.tools.checking.citations import foreign_citations
from reportgraph.tools.checking.support import SupportChecker
from reportgraph.tools.intake.spec import RequirementSpec, SectionRequirement
from reportgraph.tools.registry import CITATION_MARKER
from reportgraph.tools.text import count_length, detect_language, language_shares, split_sentences

VideoStatus = Literal["ok", "partial", "failed", "absent"]

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_NUMBERING = re.compile(
    r"^\s*(?:[（(]?\s*(?:\d+|[一二三四五六七八九十]+)\s*[)）.、:：]|第[一二三四五六七八九十\d]+[部分章节]、?)\s*"
)
_QUOTED = re.compile(r"「[^」]*」|“[^”]*”|\"[^\"\n]*\"|《[^》]*》")
_MARKDOWN_SYNTAX = re.compile(r"^\s*(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+\.\s+)", re.M)
# A sentence and the citation markers that close it (markers may also sit inside it, before the stop).
_CITED_SENTENCE = re.compile(
    r"[^。！？!?\n]+?(?:[。！？!?]+|\.(?=[\s」”\"’)）\[]|$)|$)[」”\"’）)]*(?:[ \t]*\[@[^\]]+\])*", re.M
)
_NON_ID_CITATION = re.compile(r"\[(?!@)[^\]\n]*(?:\.pdf|\.mp4|long_context|chunk \d)[^\]\n]*\]")
_ARTEFACTS: dict[str, re.Pattern[str]] = {
    "boxed answer": re.compile(r"\\boxed\{"),
    "reasoning block": re.compile(r"</?think>|</?reasoning>", re.I),
    "tool-call syntax": re.compile(
        r"<tool_call>|</?function_call>|\"tool_calls\"\s*:|\{\s*\"name\"\s*:\s*\"\w+\"\s*,\s*\"arguments\""
    ),
    # A fenced code example is legitimate in a technical report; a fence around the model's JSON is not.
    "JSON code fence": re.compile(r"^```\s*json\b", re.M | re.I),
    "question to the user": re.compile(
        r"(?:需要我|是否需要|要不要|您希望|你希望|是否希望|请问您|如果您需要|你需要我|请告诉我|还有什么)"
        r"[^。\n]*[？?]"
        # Only at the start of a sentence: "what should I do" inside a quoted anecdote asks no one.
        r"|(?:^|[.!?]\s+|\n\s*)(?:Would you like|Would you prefer|Do you want|Shall I|Should I|"
        r"Let me know if|Please let me know|If you(?:'d| would) like|Is there anything else)\b",
        re.I,
    ),
    "self-reference as a model": re.compile(
        r"\bAs an AI(?: language model| assistant| model)?\b(?! researcher| engineer| company| system)"
        r"|\bAs a (?:large )?language model\b|作为(?:一个|一名)?(?:AI|人工智能)?(?:助手|语言模型)",
        re.I,
    ),
}
# Quoted sources may ask their readers questions; only the report's own words must not ask the user.
_OWN_WORDS_ARTEFACTS = frozenset({"question to the user", "self-reference as a model"})
# Words that present something as what the talk or its speaker said or showed.
_VIDEO_ATTRIBUTION = re.compile(
    r"视频(?:中|里|显示|指出|提到|展示|讲解|演示|介绍)|讲者|演讲者|主讲人|报告人|幻灯片"
    r"|\b(?:in|during|from) the (?:talk|video|lecture|recording|presentation)\b"
    r"|\bthe (?:speaker|presenter|lecturer)\b|\bslides?\b"
    r"|\bthe (?:talk|video|lecture|recording) (?:shows|explains|says|presents|demonstrates|mentions|notes)\b",
    re.I,
)
MIN_PARAGRAPH_UNITS = 40
# A sentence of own words in the other language, at least this long (words of English in a Chinese report,
# characters of Chinese in an English one), is off-language even inside a paragraph in the right language.
MIN_FOREIGN_SENTENCE = {"en": 8, "zh": 10}


class CheckResult(BaseModel):
    name: str
    passed: bool
    hard: bool = True
    figure: dict[str, Any] = Field(default_factory=dict)
    detail: str = ""
    sections: list[int] = Field(default_factory=list, description="Required sections this check implicates")


class ValidationResult(BaseModel):
    passed: bool
    checks: list[CheckResult]
    feedback: dict[str, list[str]] = Field(
        default_factory=dict, description="Section index → what to fix there"
    )

    @property
    def failed(self) -> list[CheckResult]:
        return [check for check in self.checks if check.hard and not check.passed]


@dataclass
class ParsedSection:
    heading: str
    body: str
    required_index: int | None = None


@dataclass
class ParsedReport:
    title: str
    preamble: str
    sections: list[ParsedSection] = field(default_factory=list)


def parse_report(markdown: str) -> ParsedReport:
    """Split markdown into title, preamble and level-2 sections (deeper headings stay in the body)."""
    title, preamble_lines = "", []
    sections: list[ParsedSection] = []
    for line in markdown.splitlines():
        match = _HEADING.match(line)
        if match and len(match.group(1)) == 1 and not title and not sections:
            title = match.group(2)
        elif match and len(match.group(1)) == 2:
            sections.append(ParsedSection(match.group(2), ""))
        elif sections:
            sections[-1].body += line + "\n"
        else:
            preamble_lines.append(line)
    return ParsedReport(title, "\n".join(preamble_lines).strip(), sections)


def strip_citations(text: str) -> str:
    return CITATION_MARKER.sub("", text)


def measurable_text(markdown: str) -> str:
    """The prose that counts toward length: no citation markers, no markdown syntax."""
    return _MARKDOWN_SYNTAX.sub("", strip_citations(markdown))


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKC", _NUMBERING.sub("", text)).lower()
    return re.sub(r"[\W_]+", "", text)


def heading_matches(heading: str, required: SectionRequirement) -> bool:
    found, wanted = _normal(heading), _normal(required.title)
    return bool(wanted) and (found == wanted or wanted in found)


def paragraphs(body: str) -> list[str]:
    return [block.strip() for block in re.split(r"\n\s*\n", body) if block.strip()]


def foreign_sentence(sentence: str, wanted: str) -> bool:
    """A sentence of the report's own words that is in the other language and long enough to count."""
    language = detect_language(sentence)
    if language in (wanted, "unknown"):
        return False
    unit = "words" if language == "en" else "cjk_chars"
    return count_length(sentence, unit) >= MIN_FOREIGN_SENTENCE[language]


def own_words(text: str) -> str:
    """Text without quoted passages (sources quoted in their own words) and citation markers."""
    return _QUOTED.sub(" ", strip_citations(text))


def artefacts_in(text: str) -> list[str]:
    """Names of the leftovers of generation found in ``text`` (answer boxes, questions to the user …)."""
    own = own_words(text)
    return [
        name
        for name, pattern in _ARTEFACTS.items()
        if pattern.search(own if name in _OWN_WORDS_ARTEFACTS else text)
    ]


def cited_sentences(paragraph: str) -> list[tuple[str, list[str]]]:
    """(claim text without markers, ids cited) for each sentence of a paragraph that cites something."""
    result = []
    for match in _CITED_SENTENCE.finditer(paragraph):
        ids = CITATION_MARKER.findall(match.group(0))
        claim = strip_citations(match.group(0)).strip()
        if ids and claim:
            result.append((claim, ids))
    return result


@dataclass
class ValidationInputs:
    markdown: str
    spec: RequirementSpec
    registry: Mapping[str, Mapping[str, Any]]
    drafting_mode: Literal["llm", "extractive"]
    video_status: VideoStatus = "absent"
    video_disclosure: str = ""
    section_budgets: dict[int, int] = field(default_factory=dict)
    support: SupportChecker = field(default_factory=SupportChecker)


class Validator:
    """Runs every hard check and turns failures into per-section feedback."""

    def __init__(self, inputs: ValidationInputs) -> None:
        self.inputs = inputs
        self.spec = inputs.spec
        self.report = parse_report(inputs.markdown)
        self.feedback: dict[int, list[str]] = {}
        self._assign_sections()

    def _assign_sections(self) -> None:
        used: set[int] = set()
        for required in self.spec.sections:
            for position, section in enumerate(self.report.sections):
                if position not in used and heading_matches(section.heading, required):
                    section.required_index = required.index
                    used.add(position)
                    break

    def _note(self, index: int, message: str) -> None:
        self.feedback.setdefault(index, []).append(message)

    def _section(self, index: int) -> ParsedSection | None:
        return next((s for s in self.report.sections if s.required_index == index), None)

    def run(self) -> ValidationResult:
        outcomes = [
            self.check_sections(),
            self.check_title(),
            self.check_length(),
            self.check_language(),
            self.check_citations_resolve(),
            self.check_citation_support(),
            self.check_sections_cited(),
            self.check_uncited_paragraphs(),
            self.check_required_materials(),
            self.check_video_disclosure(),
            self.check_invented_video(),
            self.check_artefacts(),
        ]
        checks = [check for check in outcomes if check is not None]
        passed = all(check.passed for check in checks if check.hard)
        feedback = {str(index): messages for index, messages in sorted(self.feedback.items())}
        return ValidationResult(passed=passed, checks=checks, feedback=feedback)

    # -- structure -------------------------------------------------------------------------------
    def check_sections(self) -> CheckResult:
        found = [s.heading for s in self.report.sections]
        order = [s.required_index for s in self.report.sections if s.required_index is not None]
        missing = [r for r in self.spec.sections if r.index not in order]
        extra = [s.heading for s in self.report.sections if s.required_index is None]
        in_order = order == sorted(order)
        for required in missing:
            self._note(
                required.index, f"Section missing: write it under the exact heading '{required.heading}'."
            )
        if not in_order:
            for index in order:
                self._note(index, "Sections are out of order: keep the required order.")
        passed = not missing and not extra and in_order
        detail = (
            "all required sections present, in order, nothing extra"
            if passed
            else (f"missing {[r.heading for r in missing]}; extra {extra}; in order: {in_order}")
        )
        return CheckResult(
            name="sections",
            passed=passed,
            figure={"required": [r.heading for r in self.spec.sections], "found": found},
            detail=detail,
            sections=[r.index for r in missing],
        )

    def check_title(self) -> CheckResult | None:
        if not self.spec.title:
            return None
        passed = _normal(self.spec.title) in _normal(self.report.title)
        return CheckResult(
            name="title",
            passed=passed,
            figure={"required": self.spec.title, "found": self.report.title},
            detail="title as required" if passed else "the report's title is not the one the task asks for",
        )

    def check_length(self) -> CheckResult | None:
        requirement = self.spec.length
        if requirement is None:
            return None
        total = count_length(measurable_text(self.inputs.markdown), requirement.unit)
        passed = requirement.contains(total)
        figure: dict[str, Any] = {
            "count": total,
            "min": requirement.min,
            "max": requirement.max,
            "unit": requirement.unit,
            "method": "whole report without citation markers and markdown syntax; "
            + (
                "CJK characters plus Latin words/numbers"
                if requirement.unit == "cjk_chars"
                else requirement.unit
            ),
        }
        per_section = {
            s.required_index: count_length(measurable_text(s.body), requirement.unit)
            for s in self.report.sections
            if s.required_index is not None
        }
        figure["sections"] = {str(k): v for k, v in per_section.items()}
        implicated: list[int] = []
        if not passed:
            short = requirement.min is not None and total < requirement.min
            gap = (
                (requirement.min - total)
                if short and requirement.min is not None
                else total - (requirement.max or total)
            )
            implicated = self._length_culprits(per_section, short, gap)
        detail = f"{total} {requirement.unit} (required {requirement.min}–{requirement.max})"
        return CheckResult(name="length", passed=passed, figure=figure, detail=detail, sections=implicated)

    def _length_culprits(self, per_section: dict[int, int], short: bool, gap: int) -> list[int]:
        """The fewest sections whose distance from their budget covers the gap get the feedback."""
        budgets = self.inputs.section_budgets or {
            index: (self.spec.length.target if self.spec.length else 0) // max(1, len(self.spec.sections))
            for index in per_section
        }
        deviation = {
            index: (budgets.get(index, 0) - length) if short else (length - budgets.get(index, 0))
            for index, length in per_section.items()
        }
        culprits: list[int] = []
        covered = 0
        for index, dev in sorted(deviation.items(), key=lambda kv: -kv[1]):
            if dev <= 0 or covered >= gap:
                break
            culprits.append(index)
            covered += dev
        if not culprits:  # every section met its budget, yet the whole is off: all share the change
            culprits = list(per_section)
        unit = self.spec.length.unit if self.spec.length else "words"
        verb, change = ("too short", "add") if short else ("too long", "cut")
        for index in culprits:
            amount = deviation[index] if deviation[index] > 0 else -(-gap // len(culprits))
            target = per_section[index] + (amount if short else -amount)
            self._note(
                index,
                f"Report {verb} by {gap} {unit}: {change} about {amount} {unit} here "
                f"(section now {per_section[index]}, aim for about {max(target, 0)}).",
            )
        return culprits

    def check_language(self) -> CheckResult:
        wanted = self.spec.language
        off_language: list[int] = []
        foreign_sentences = 0
        unquoted_all = []
        for section in self.report.sections:
            for paragraph in paragraphs(section.body):
                own = own_words(paragraph)
                unquoted_all.append(own)
                shares = language_shares(own)
                off = shares.dominant not in (wanted, "unknown") and count_length(own, "chars") >= 20
                # Padding in another language hides in a paragraph that is mostly in the right one.
                foreign = [s for s in split_sentences(own) if foreign_sentence(s, wanted)]
                foreign_sentences += len(foreign)
                if (off or foreign) and section.required_index is not None:
                    off_language.append(section.required_index)
        own_shares = language_shares(" ".join(unquoted_all))
        whole_shares = language_shares(strip_citations(self.inputs.markdown))
        whole_share = whole_shares.zh if wanted == "zh" else whole_shares.en
        # Extractive reports quote sources in their own language; their own words must be in the task's.
        whole_ok = self.inputs.drafting_mode == "extractive" or whole_share >= 0.5
        passed = not off_language and whole_ok
        for index in sorted(set(off_language)):
            self._note(
                index,
                f"Write this section in {'Chinese' if wanted == 'zh' else 'English'}; "
                "quote sources in their own language only inside quotation marks.",
            )
        return CheckResult(
            name="language",
            passed=passed,
            figure={
                "required": wanted,
                "mode": self.inputs.drafting_mode,
                "share_whole_text": {"zh": whole_shares.zh, "en": whole_shares.en},
                "share_own_words": {"zh": own_shares.zh, "en": own_shares.en},
                "off_language_paragraphs": len(off_language),
                "off_language_sentences": foreign_sentences,
            },
            detail="own words in the task's language"
            + ("" if whole_ok else "; too much text in another language"),
            sections=sorted(set(off_language)),
        )

    # -- citations -------------------------------------------------------------------------------
    def _section_citations(self) -> list[tuple[int | None, str]]:
        return [
            (section.required_index, cited)
            for section in self.report.sections
            for cited in CITATION_MARKER.findall(section.body)
        ] + [(None, cited) for cited in CITATION_MARKER.findall(self.report.title + self.report.preamble)]

    def check_citations_resolve(self) -> CheckResult:
        citations = self._section_citations()
        unresolved = [(index, cited) for index, cited in citations if cited not in self.inputs.registry]
        non_id = [
            (section.required_index, found)
            for section in self.report.sections
            for found in _NON_ID_CITATION.findall(section.body) + foreign_citations(own_words(section.body))
        ]
        for index, cited in unresolved:
            if index is not None:
                self._note(
                    index, f"Citation [@{cited}] does not exist: cite only ids from the evidence given."
                )
        for index, found in non_id:
            if index is not None:
                self._note(index, f"Citation {found} is not an evidence id: write citations as [@id].")
        passed = bool(citations) or not self.spec.citations.required
        passed = passed and not unresolved and not non_id
        return CheckResult(
            name="citations_resolve",
            passed=passed,
            figure={
                "citations": len(citations),
                "distinct": len({c for _, c in citations}),
                "unresolved": sorted({c for _, c in unresolved}),
                "not_id_form": [f for _, f in non_id],
            },
            detail=f"{len(citations) - len(unresolved)}/{len(citations)} citations resolve in the registry",
            sections=sorted({i for i, _ in unresolved + non_id if i is not None}),
        )

    def check_citation_support(self) -> CheckResult:
        checked, unsupported = 0, []
        extractive = self.inputs.drafting_mode == "extractive"
        for section in self.report.sections:
            for paragraph in paragraphs(section.body):
                for claim, ids in cited_sentences(paragraph):
                    for cited in ids:
                        record = self.inputs.registry.get(cited)
                        if record is None:
                            continue
                        checked += 1
                        verdict = self.inputs.support.check(claim, str(record.get("text", "")))
                        # An extractive quote is verbatim: whatever its language, its source must contain it.
                        quote_found = verdict.lexical >= self.inputs.support.lexical_threshold
                        if not verdict.supported or (extractive and not quote_found):
                            unsupported.append((section.required_index, cited, claim, verdict))
        for index, cited, claim, verdict in unsupported:
            if index is not None:
                self._note(
                    index,
                    f'[@{cited}] does not support the sentence "{claim[:80]}" '
                    f"(overlap {verdict.lexical:.2f}): cite the evidence that says it, or drop it.",
                )
        return CheckResult(
            name="citation_support",
            passed=not unsupported,
            figure={
                "checked": checked,
                "unsupported": len(unsupported),
                "method": "lexical containment"
                + (" + embedding similarity" if self.inputs.support.uses_embeddings else ""),
                "examples": [
                    {"id": c, "sentence": s[:120], "lexical": round(v.lexical, 3), "dense": v.dense}
                    for _, c, s, v in unsupported[:10]
                ],
            },
            detail=f"{checked - len(unsupported)}/{checked} cited sentences supported by their sources",
            sections=sorted({i for i, *_ in unsupported if i is not None}),
        )

    def check_sections_cited(self) -> CheckResult | None:
        rules = self.spec.citations
        if not (rules.required and rules.per_section):
            return None
        uncited = [
            s.required_index
            for s in self.report.sections
            if s.required_index is not None and not CITATION_MARKER.search(s.body)
        ]
        for index in uncited:
            self._note(index, "This section cites nothing: support its statements with [@id] citations.")
        return CheckResult(
            name="sections_cited",
            passed=not uncited,
            figure={"sections_without_citations": uncited},
            detail="every section cites its sources" if not uncited else f"sections {uncited} cite nothing",
            sections=uncited,
        )

    def check_uncited_paragraphs(self) -> CheckResult | None:
        if not self.spec.citations.required:
            return None
        unit = (
            self.spec.length.unit
            if self.spec.length
            else ("cjk_chars" if self.spec.language == "zh" else "words")
        )
        threshold = MIN_PARAGRAPH_UNITS if unit != "words" else MIN_PARAGRAPH_UNITS // 2
        uncited: list[tuple[int | None, str]] = []
        total = 0
        for section in self.report.sections:
            for paragraph in paragraphs(section.body):
                if paragraph.startswith(">") or count_length(strip_citations(paragraph), unit) < threshold:
                    continue
                total += 1
                if not CITATION_MARKER.search(paragraph):
                    uncited.append((section.required_index, paragraph))
        for index, paragraph in uncited:
            if index is not None:
                self._note(index, f'Paragraph without a citation: "{paragraph[:60]}…" — cite its source.')
        return CheckResult(
            name="claims_cited",
            passed=not uncited,
            figure={"paragraphs": total, "uncited": len(uncited)},
            detail=f"{total - len(uncited)}/{total} substantial paragraphs carry a citation",
            sections=sorted({i for i, _ in uncited if i is not None}),
        )

    def check_required_materials(self) -> CheckResult | None:
        must = self.spec.citations.must_cite
        if not must:
            return None
        cited_kinds = {
            str(self.inputs.registry[c].get("kind"))
            for _, c in self._section_citations()
            if c in self.inputs.registry
        }
        available = {str(r.get("kind")) for r in self.inputs.registry.values()}
        missing = []
        for kind in must:
            if kind in cited_kinds:
                continue
            if kind == "video" and self.inputs.video_status in ("failed", "absent") and self._disclosed():
                continue  # nothing to cite; the report says so instead
            missing.append(kind)
        focus_of = {"pdf": "paper", "video": "video"}
        for kind in missing:
            targets = [r.index for r in self.spec.sections if r.focus == focus_of.get(kind)] or [
                r.index for r in self.spec.sections
            ][:1]
            for index in targets:
                why = "" if kind in available else " (no such evidence was available)"
                self._note(index, f"The task asks for the {kind} to be used: cite it here{why}.")
        return CheckResult(
            name="required_materials_cited",
            passed=not missing,
            figure={
                "required": list(must),
                "cited_kinds": sorted(cited_kinds),
                "video_status": self.inputs.video_status,
            },
            detail="every material the task names is cited" if not missing else f"not cited: {missing}",
        )

    def _disclosed(self) -> bool:
        disclosure = self.inputs.video_disclosure.strip()
        return bool(disclosure) and disclosure in self.inputs.markdown

    def check_video_disclosure(self) -> CheckResult | None:
        if self.inputs.video_status not in ("failed", "partial") or not self.inputs.video_disclosure:
            return None
        video_sections = [r.index for r in self.spec.sections if r.focus == "video"]
        where = (
            [s for s in self.report.sections if s.required_index in video_sections] if video_sections else []
        )
        disclosure = self.inputs.video_disclosure.strip()
        passed = disclosure in (" ".join(s.body for s in where) if where else self.inputs.markdown)
        if not passed:
            for index in video_sections:
                self._note(index, f'Say plainly what could not be analysed in the video: "{disclosure}"')
        return CheckResult(
            name="video_failure_disclosed",
            passed=passed,
            figure={"video_status": self.inputs.video_status, "disclosure": disclosure},
            detail="the report states what of the video could not be analysed"
            if passed
            else "the video analysis failed and the report does not say so",
            sections=video_sections if not passed else [],
        )

    def check_invented_video(self) -> CheckResult | None:
        """With no video evidence at all, nothing but the disclosure may speak of what the talk said."""
        if self.inputs.video_status != "failed":
            return None
        disclosure = self.inputs.video_disclosure.strip()
        invented: list[tuple[int | None, str]] = []
        for section in self.report.sections:
            own = own_words(section.body.replace(disclosure, " ") if disclosure else section.body)
            invented += [
                (section.required_index, sentence)
                for sentence in split_sentences(own)
                if _VIDEO_ATTRIBUTION.search(sentence)
            ]
        for index, sentence in invented:
            if index is not None:
                self._note(
                    index,
                    f'The video could not be analysed, yet "{sentence[:60]}" speaks of it: remove it; '
                    "only the statement of what could not be analysed may mention the video.",
                )
        return CheckResult(
            name="no_invented_video",
            passed=not invented,
            figure={"video_status": self.inputs.video_status, "sentences": [s[:120] for _, s in invented]},
            detail="nothing is said about the unanalysed video beyond the disclosure"
            if not invented
            else f"{len(invented)} sentences speak of a video that could not be analysed",
            sections=sorted({i for i, _ in invented if i is not None}),
        )

    def check_artefacts(self) -> CheckResult:
        found: list[tuple[int | None, str]] = []
        for section in self.report.sections:
            found += [(section.required_index, name) for name in artefacts_in(section.body)]
        found += [(None, name) for name in artefacts_in(self.report.title + "\n" + self.report.preamble)]
        for index, name in found:
            if index is not None:
                self._note(index, f"Remove the leftover {name}: the section must be finished prose.")
        return CheckResult(
            name="no_artefacts",
            passed=not found,
            figure={"found": [name for _, name in found]},
            detail="no leftover artefacts" if not found else f"leftovers: {sorted({n for _, n in found})}",
            sections=sorted({i for i, _ in found if i is not None}),
        )


def validate_report(inputs: ValidationInputs) -> ValidationResult:
    return Validator(inputs).run()
