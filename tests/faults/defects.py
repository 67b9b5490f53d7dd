"""Planted defects: passing reports and the defective variants made from them, for the validator.

An :class:`Original` is a report that passes every hard check together with what the validator is given
(spec, registry, drafting mode, video status). Each generator below returns :class:`Variant` s of one defect
kind, each naming the checks of which at least one must fail. Variants are built by editing the markdown
the validator reads (``[@id]`` markers), the way a faulty drafter would have written it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from reportgraph.tools.checking import (
    Facet,
    SupportChecker,
    ValidationInputs,
    ValidationResult,
    lexical_support,
    measurable_text,
    validate_report,
)
from reportgraph.tools.intake.spec import RequirementSpec
from reportgraph.tools.registry import CITATION_MARKER
from reportgraph.tools.text import CJK_CHAR, ENGLISH_WORD, LATIN_RUN, LengthUnit, count_length, language_unit

Language = Literal["zh", "en"]


@dataclass(frozen=True)
class Original:
    name: str
    markdown: str
    spec: RequirementSpec
    registry: Mapping[str, Mapping[str, Any]]
    drafting_mode: Literal["llm", "extractive"]
    video_status: Literal["ok", "partial", "failed", "absent"] = "absent"
    video_disclosure: str = ""
    section_budgets: dict[int, int] = field(default_factory=dict)
    # Facets the substance check asks for (None: derived from the task); hand-made originals give {} and
    # the substance check is planted with facets of its own (missing_facets).
    facets: dict[int, list[Facet]] | None = None
    task_text: str = ""
    # The embedder support and relevance use (None: none), and the whole collection relevance ranks among
    # (None: the registry's); without both, relevance leaves a collection citation unverified (issue 27).
    embed: Callable[[list[str]], Any] | None = None
    collection: Mapping[str, Mapping[str, Any]] | None = None

    @property
    def language(self) -> Language:
        return self.spec.language

    @property
    def unit(self) -> LengthUnit:
        return self.spec.length.unit if self.spec.length else language_unit(self.language)

    def validate(self, markdown: str | None = None, **overrides: Any) -> ValidationResult:
        inputs = ValidationInputs(
            markdown=self.markdown if markdown is None else markdown,
            spec=overrides.get("spec", self.spec),
            registry=overrides.get("registry", self.registry),
            drafting_mode=self.drafting_mode,
            video_status=overrides.get("video_status", self.video_status),
            video_disclosure=overrides.get("video_disclosure", self.video_disclosure),
            section_budgets=self.section_budgets,
            facets=overrides.get("facets", self.facets),
            task_text=self.task_text,
            support=SupportChecker(self.embed),
            collection=self.collection,
        )
        return validate_report(inputs)


@dataclass(frozen=True)
class Variant:
    original: str
    kind: str
    label: str
    markdown: str
    expect: frozenset[str]  # at least one of these checks must fail
    overrides: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- editing reports


@dataclass
class Layout:
    """The report as its head (title, notes) and its level-2 sections (heading line, body)."""

    head: str
    sections: list[tuple[str, str]]

    def render(self) -> str:
        return self.head + "".join(heading + body for heading, body in self.sections)

    def with_body(self, index: int, body: str) -> Layout:
        sections = list(self.sections)
        sections[index] = (sections[index][0], body)
        return Layout(self.head, sections)


def layout(markdown: str) -> Layout:
    starts = [m.start() for m in re.finditer(r"^## ", markdown, re.M)]
    sections = []
    for position, start in enumerate(starts):
        end = starts[position + 1] if position + 1 < len(starts) else len(markdown)
        heading_end = markdown.index("\n", start) + 1
        sections.append((markdown[start:heading_end], markdown[heading_end:end]))
    return Layout(markdown[: starts[0]] if starts else markdown, sections)


def other(language: Language) -> Language:
    return "en" if language == "zh" else "zh"


PADDING = {
    "zh": "为了满足篇幅要求，本节在此补充一些与主题相关但并没有提供新信息的说明文字，"
    "用来把报告的总字数凑够规定的范围。",
    "en": "This sentence was added only to make the section longer and says nothing the sources support.",
}
FILLER = {
    "zh": "本报告依据所给材料撰写，各部分内容均围绕任务要求展开，力求准确、清晰并便于初学者理解和查阅。",
    "en": "This report was written from the materials provided and each part follows the task closely. ",
}
INVENTED_VIDEO = {
    "zh": "视频中，讲者用三张幻灯片演示了该方法在真实数据上的效果，并现场回答了观众的提问。",
    "en": "In the talk, the speaker demonstrates the method on three slides and answers questions.",
}
ATTRIBUTION = {"zh": "讲者在视频中指出，", "en": "The speaker explains in the talk that "}
QUESTIONS = {
    "zh": [
        "需要我进一步补充实验细节吗？",
        "您希望我从哪些方面继续展开？",
        "是否需要我再补充一个对比表格？",
        "要不要我把这一节写得更详细一些？",
    ],
    "en": [
        "Would you like me to add a comparison table?",
        "Do you want a shorter version of this section?",
        "Shall I expand the second section?",
        "Is there anything else you would like to know about the paper?",
    ],
}
_UNIT_TOKEN = {
    "cjk_chars": re.compile(rf"{CJK_CHAR.pattern}|{LATIN_RUN.pattern}"),
    "words": ENGLISH_WORD,
    "chars": re.compile(r"\S"),
}


def measure(markdown: str, unit: LengthUnit) -> int:
    return count_length(measurable_text(markdown), unit)


def prefix_units(text: str, unit: LengthUnit, count: int) -> str:
    """The shortest start of ``text`` (repeated as often as needed) that is ``count`` units long."""
    units = len(_UNIT_TOKEN[unit].findall(text))
    text = text * (count // units + 1)
    ends = [match.end() for match in _UNIT_TOKEN[unit].finditer(text)]
    return text[: ends[count - 1]] if count else ""


def append_to_last_section(markdown: str, paragraph: str) -> str:
    return markdown.rstrip("\n") + "\n\n" + paragraph + "\n"


_CITED_SENTENCE_END = re.compile(r"\[@[^\]]+\][。.!?！？」”]*")


def without_last_sentence(line: str) -> str | None:
    """The line without its last cited sentence, if another cited sentence remains."""
    ends = [match.end() for match in _CITED_SENTENCE_END.finditer(line)]
    return line[: ends[-2]] if len(ends) >= 2 else None


def resize(original: Original, target: int) -> str:
    """The report cut (whole lines, last first, keeping each section's first cited line, then sentences of
    that line) and padded with an uncited paragraph of plain text, so that it is exactly ``target`` units."""
    unit = original.unit
    parts = layout(original.markdown)
    bodies = [body.split("\n") for _, body in parts.sections]

    def render() -> str:
        return Layout(
            parts.head, [(h, "\n".join(b)) for (h, _), b in zip(parts.sections, bodies, strict=True)]
        ).render()

    def removable(lines: list[str]) -> list[int]:
        first_cited = next((i for i, line in enumerate(lines) if CITATION_MARKER.search(line)), None)
        return [
            i
            for i, line in enumerate(lines)
            if line.strip() and i != first_cited and not line.startswith(">")
        ]

    markdown = render()
    while measure(markdown, unit) > target:
        candidates = [
            (len(removable(lines)), number) for number, lines in enumerate(bodies) if removable(lines)
        ]
        if candidates:
            _, number = max(candidates)
            del bodies[number][removable(bodies[number])[-1]]
        else:  # one cited line per section is left: shorten the longest of them by a sentence
            shorter = [
                (len(line), number, position, cut)
                for number, lines in enumerate(bodies)
                for position, line in enumerate(lines)
                if (cut := without_last_sentence(line)) is not None
            ]
            assert shorter, f"{original.name}: cannot cut below {measure(markdown, unit)}"
            _, number, position, cut = max(shorter)
            bodies[number][position] = cut
        markdown = render()
    missing = target - measure(markdown, unit)
    if missing:
        markdown = append_to_last_section(markdown, prefix_units(FILLER[original.language], unit, missing))
    assert measure(markdown, unit) == target, (original.name, measure(markdown, unit), target)
    return markdown


@dataclass(frozen=True)
class Citation:
    """One single-id marker and the sentence it closes."""

    source_id: str
    start: int
    end: int
    claim: str


_SENTENCE_START = re.compile(r"(?:[。！？!?\n]|\.\s)(?=[^。！？!?\n]*$)")


def citations(markdown: str) -> list[Citation]:
    """Markers that stand alone (no marker right before or after), with the text of their sentence."""
    found = []
    for match in CITATION_MARKER.finditer(markdown):
        before, after = markdown[: match.start()], markdown[match.end() :]
        if before.rstrip().endswith("]") or after.startswith("[@"):
            continue
        boundary = _SENTENCE_START.search(before)
        claim = before[boundary.end() if boundary else 0 :]
        claim = CITATION_MARKER.sub("", claim).strip(' -「」“”"')
        if len(claim) >= 8:
            found.append(Citation(match.group(1), match.start(), match.end(), claim))
    return found


def with_marker(markdown: str, citation: Citation, new_id: str) -> str:
    return markdown[: citation.start] + f"[@{new_id}]" + markdown[citation.end :]


# ---------------------------------------------------------------- the defect kinds


def removed_sections(o: Original) -> list[Variant]:
    parts = layout(o.markdown)
    return [
        Variant(
            o.name,
            "section removed",
            f"section {n + 1} removed",
            Layout(parts.head, parts.sections[:n] + parts.sections[n + 1 :]).render(),
            frozenset({"sections"}),
        )
        for n in range(len(parts.sections))
    ]


def renamed_sections(o: Original) -> list[Variant]:
    parts = layout(o.markdown)
    unrelated = {"zh": "其他补充说明", "en": "Further Remarks"}[o.language]
    translated = {"zh": "Section Overview", "en": "本节概述"}[o.language]
    first_title = o.spec.sections[0].title
    edits = {
        "renamed to an unrelated title": (0, f"## {unrelated}\n"),
        "renamed to another language": (1, f"## {translated}\n"),
        "title cut short": (
            0,
            f"## {o.spec.sections[0].heading.replace(first_title, first_title[: len(first_title) // 2])}\n",
        ),
        "heading demoted to level 3": (len(parts.sections) - 1, "#" + parts.sections[-1][0]),
    }
    variants = []
    for label, (index, heading) in edits.items():
        sections = list(parts.sections)
        sections[index] = (heading, sections[index][1])
        variants.append(
            Variant(
                o.name,
                "section renamed",
                label,
                Layout(parts.head, sections).render(),
                frozenset({"sections"}),
            )
        )
    return variants


def reordered_sections(o: Original) -> list[Variant]:
    parts = layout(o.markdown)
    swapped = [parts.sections[1], parts.sections[0], *parts.sections[2:]]
    last_first = [parts.sections[-1], *parts.sections[:-1]]
    return [
        Variant(
            o.name,
            "sections out of order",
            label,
            Layout(parts.head, order).render(),
            frozenset({"sections"}),
        )
        for label, order in (("first two swapped", swapped), ("last moved first", last_first))
    ]


def wrong_length(o: Original) -> list[Variant]:
    assert o.spec.length is not None and o.spec.length.min is not None and o.spec.length.max is not None
    low, high = o.spec.length.min, o.spec.length.max
    targets = {
        "1 under the minimum": low - 1,
        "5% under the minimum": int(low * 0.95),
        "half the minimum": low // 2,
        "1 over the maximum": high + 1,
        "5% over the maximum": int(high * 1.05) + 1,
        "half again the maximum": high * 3 // 2,
    }
    return [
        Variant(
            o.name,
            "length out of range",
            f"{label} ({target} {o.unit})",
            resize(o, target),
            frozenset({"length"}),
        )
        for label, target in targets.items()
    ]


def unknown_citations(o: Original) -> list[Variant]:
    cited = citations(o.markdown)
    first, middle, last = cited[0], cited[len(cited) // 2], cited[-1]
    typo = middle.source_id[:-1] + ("x" if middle.source_id[-1] != "x" else "y")
    pdf_page = next((c for c in cited if c.source_id.startswith("pdf-")), first)
    out_of_range = (
        re.sub(r"-p\d+(?:c\d+)?$", "-p999", pdf_page.source_id)
        if pdf_page.source_id.startswith("pdf-")
        else "pdf-0badf00d-p999"
    )
    edits = {
        "an id that was never issued": (first, "[@lc-0000000000-9]"),
        "an id with a typo": (middle, f"[@{typo}]"),
        "a page the PDF does not have": (pdf_page, f"[@{out_of_range}]"),
        "a numbered reference [3]": (last, "[3]"),
        "a footnote reference [^2]": (middle, "[^2]"),
    }
    return [
        Variant(
            o.name,
            "citation to a non-existent id",
            label,
            o.markdown[: c.start] + marker + o.markdown[c.end :],
            frozenset({"citations_resolve"}),
        )
        for label, (c, marker) in edits.items()
    ]


def moved_citations(o: Original, wanted: int = 3) -> list[Variant]:
    """A marker moved onto a sentence its source does not support (the sentence's own marker replaced)."""
    cited = citations(o.markdown)
    text = {
        c.source_id: str(o.registry[c.source_id].get("text", "")) for c in cited if c.source_id in o.registry
    }
    variants: list[Variant] = []
    used: set[str] = set()
    for target in cited:
        if len(variants) == wanted:
            break
        if target.source_id in used or lexical_support(target.claim, text.get(target.source_id, "")) < 0.5:
            continue
        donor = next(
            (
                c
                for c in reversed(cited)
                if c.source_id != target.source_id
                and c.source_id not in used
                and lexical_support(target.claim, text[c.source_id]) < 0.3
            ),
            None,
        )
        if donor is None:
            continue
        used.update({target.source_id, donor.source_id})
        moved = with_marker(o.markdown, target, donor.source_id)
        if donor.start > target.start:  # the donor sentence loses its marker (positions after the edit shift)
            shift = len(f"[@{donor.source_id}]") - (target.end - target.start)
            moved = moved[: donor.start + shift] + moved[donor.end + shift :]
        else:
            moved = moved[: donor.start] + moved[donor.end :]
        variants.append(
            Variant(
                o.name,
                "citation moved onto an unrelated sentence",
                f"[@{donor.source_id}] moved onto “{target.claim[:30]}…”",
                moved,
                frozenset({"citation_support"}),
            )
        )
    assert len(variants) == wanted, f"{o.name}: only {len(variants)} unrelated citation pairs"
    return variants


def wrong_language(o: Original, foreign: Original) -> list[Variant]:
    """Section bodies written in the other language (taken, with their citations, from ``foreign``)."""
    ours, theirs = layout(o.markdown), layout(foreign.markdown)
    one = ours.with_body(0, theirs.sections[0][1])
    every = Layout(
        ours.head, [(h, body) for (h, _), (_, body) in zip(ours.sections, theirs.sections, strict=False)]
    )
    variants = [
        Variant(
            o.name,
            "wrong language",
            "first section in the other language",
            one.render(),
            frozenset({"language"}),
        ),
        Variant(
            o.name,
            "wrong language",
            "every section in the other language",
            every.render(),
            frozenset({"language"}),
        ),
    ]
    quoted = re.findall(r"「([^」]*)」", o.markdown)
    if (
        o.language == "zh"
        and count_length(" ".join(quoted), "words") > count_length(" ".join(quoted), "cjk_chars") / 2
    ):
        # Quotes of English sources left unquoted become the report's own, English, words.
        unquoted = re.sub(r"「([^」]*)」", r"\1", o.markdown)
        variants.append(
            Variant(o.name, "wrong language", "English quotes unquoted", unquoted, frozenset({"language"}))
        )
    return variants


def mixed_language_padding(o: Original) -> list[Variant]:
    padding = PADDING[other(o.language)]
    parts = layout(o.markdown)
    cited = citations(o.markdown)
    target = cited[len(cited) // 2]
    # Right after the sentence that marker closes (past its stop and closing quote, if any).
    end = target.end + len(re.match(r"[。.!?！？」”]*", o.markdown[target.end :]).group(0))  # type: ignore[union-attr]
    inside = o.markdown[:end] + " " + padding + o.markdown[end:]
    source = cited[0].source_id
    cited_padding = o.markdown[:end] + f" {padding[:-1]}[@{source}]{padding[-1]}" + o.markdown[end:]
    return [
        Variant(
            o.name,
            "mixed-language padding",
            "a padding paragraph",
            append_to_last_section(parts.render(), padding + " " + padding),
            frozenset({"language"}),
        ),
        Variant(
            o.name,
            "mixed-language padding",
            "a padding sentence inside a paragraph",
            inside,
            frozenset({"language"}),
        ),
        Variant(
            o.name,
            "mixed-language padding",
            "a cited padding sentence",
            cited_padding,
            frozenset({"language", "citation_support"}),
        ),
    ]


def leftover_artefacts(o: Original, rotation: int) -> list[Variant]:
    parts = layout(o.markdown)
    first_body = parts.sections[0][1]
    title_end = o.markdown.index("\n")
    boxed_inline = {"zh": "最终字数为 \\boxed{2400}。", "en": "The final word count is \\boxed{1500}."}[
        o.language
    ]
    questions = QUESTIONS[o.language]
    variants = [
        Variant(
            o.name,
            "leftover \\boxed{}",
            "answer box at the end",
            append_to_last_section(o.markdown, "\\boxed{}"),
            frozenset({"no_artefacts"}),
        ),
        Variant(
            o.name,
            "leftover \\boxed{}",
            "answer box inside a paragraph",
            parts.with_body(0, first_body.replace("\n\n", f"\n\n{boxed_inline}\n\n", 1)).render(),
            frozenset({"no_artefacts"}),
        ),
        Variant(
            o.name,
            "leftover \\boxed{}",
            "answer box in the title",
            o.markdown[:title_end] + " \\boxed{A}" + o.markdown[title_end:],
            frozenset({"no_artefacts"}),
        ),
    ]
    for n in range(2):
        question = questions[(rotation + n) % len(questions)]
        variants.append(
            Variant(
                o.name,
                "question to the user",
                question,
                append_to_last_section(o.markdown, question),
                frozenset({"no_artefacts"}),
            )
        )
    return variants


def invented_video(o: Original) -> list[Variant]:
    """Video content in a report whose video analysis failed."""
    video_sections = [n for n, s in enumerate(o.spec.sections) if s.focus == "video"]
    parts = layout(o.markdown)
    language = o.language
    if o.video_status != "failed":
        # The video failed after all: its segments are gone from the registry, the report still uses them.
        registry = {k: v for k, v in o.registry.items() if v.get("kind") != "video"}
        disclosure = {
            "zh": "视频 talk.mp4 未能分析：文件已损坏。",
            "en": "The video talk.mp4 could not be analysed.",
        }[language]
        return [
            Variant(
                o.name,
                "video content invented when the video failed",
                "report unchanged, video failed",
                o.markdown,
                frozenset({"video_failure_disclosed", "citations_resolve"}),
                {"video_status": "failed", "video_disclosure": disclosure, "registry": registry},
            )
        ]
    index = video_sections[0]
    body = parts.sections[index][1]
    disclosure_line = next(line for line in body.split("\n") if o.video_disclosure in line)
    invented = INVENTED_VIDEO[language]
    paper = next(c for c in citations(o.markdown) if c.source_id.startswith("pdf-"))
    quoted = f"「{paper.claim}」" if o.drafting_mode == "extractive" and language == "zh" else paper.claim
    attributed = f"{ATTRIBUTION[language]}{quoted}[@{paper.source_id}]"
    fake_segment = "vid-0badf00d-12000-18000-s"
    edits = {
        "disclosure replaced by invented content": body.replace(disclosure_line, invented),
        "invented content after the disclosure": body.replace(
            disclosure_line, f"{disclosure_line}\n\n{invented}"
        ),
        "paper content attributed to the talk": body.replace(
            disclosure_line, f"{disclosure_line}\n\n{attributed}"
        ),
        "invented content citing a made-up segment": body.replace(
            disclosure_line, f"{disclosure_line}\n\n{invented}[@{fake_segment}]"
        ),
    }
    return [
        Variant(
            o.name,
            "video content invented when the video failed",
            label,
            parts.with_body(index, edited).render(),
            frozenset({"video_failure_disclosed", "no_invented_video", "citations_resolve"}),
        )
        for label, edited in edits.items()
    ]


UNCITED_CLAIMS = {
    "zh": [
        "作者还证明，这种做法在任何情况下都能节省60%的时间。",
        "实验表明，所有标注者在2019年之前都接受过培训。",
    ],
    "en": [
        "The authors also prove that this approach saves 60% of the time in every case.",
        "The experiments show that every annotator was trained before 2019.",
    ],
}
JUNK_CLAIMS = {
    "zh": ["如果您使用了我们的数据集，请引用我们的论文。", "加好友申请格式：学校＋专业＋昵称。"],
    "en": ["If you use our dataset, please cite our paper.", "Contact us: team@example.com for the data."],
}
UNKNOWN_FORMS = {
    "zh": ["[来源: 讲义第三章]", "[参考: 课堂笔记]"],
    "en": ["[source: lecture notes, chapter 3]", "[ref: class notes]"],
}
ABSENT_FACETS = [
    Facet("quantum annealing", "task_term", ("quantum annealing", "量子退火")),
    Facet("protein folding", "task_term", ("protein folding", "蛋白质折叠")),
]
_NUMBER = re.compile(r"(?<![\w.])(\d+)(?![\w.])")


def _number_changed(markdown: str, citation: Citation) -> str:
    """The cited sentence with its first number raised by 7 (the sentence ends where its marker starts)."""
    start = max(0, citation.start - len(citation.claim) - 8)
    start = max(start, markdown.rfind("]", 0, citation.start) + 1)  # never a number inside a marker
    region = _NUMBER.sub(lambda m: str(int(m.group(1)) + 7), markdown[start : citation.start], count=1)
    return markdown[:start] + region + markdown[citation.start :]


def invented_and_wrong(o: Original) -> list[Variant]:
    """Uncited claims (issue 11: sentence-level grounding) and cited sentences with a number changed."""
    parts, cited = layout(o.markdown), citations(o.markdown)
    variants = [
        Variant(
            o.name,
            "uncited claim",
            claim,
            parts.with_body(n, parts.sections[n][1].rstrip() + "\n\n" + claim + "\n").render(),
            frozenset({"claims_cited"}),
        )
        for n, claim in zip((0, -1), UNCITED_CLAIMS[o.language], strict=True)
    ]
    numbered = [c for c in cited if _NUMBER.search(c.claim)]
    changed = [(c, _number_changed(o.markdown, c)) for c in numbered]
    changed = [(c, markdown) for c, markdown in changed if markdown != o.markdown]
    for citation, markdown in changed[:1] + changed[-1:]:
        label = f"{citation.claim[:30]}… with another number"
        variants.append(Variant(o.name, "wrong number", label, markdown, frozenset({"citation_support"})))
    return variants


def repeats_and_junk(o: Original) -> list[Variant]:
    """A paragraph said twice (verbatim, and with its first sentence dropped); junk lines cited."""
    first = citations(o.markdown)[0]
    body = layout(o.markdown).sections[-1][1]
    paragraph = next(p for p in body.split("\n\n") if CITATION_MARKER.search(p)).strip()
    variants = [
        Variant(
            o.name,
            "repeated paragraph",
            "a paragraph twice",
            append_to_last_section(o.markdown, paragraph),
            frozenset({"no_repetition"}),
        ),
        Variant(
            o.name,
            "repeated paragraph",
            "a sentence of the first section again at the end",
            append_to_last_section(o.markdown, first.claim + f"[@{first.source_id}]"),
            frozenset({"no_repetition"}),
        ),
    ]
    for junk in JUNK_CLAIMS[o.language]:
        cited_junk = junk[:-1] + f"[@{first.source_id}]" + junk[-1]
        variants.append(
            Variant(
                o.name,
                "junk evidence",
                junk,
                append_to_last_section(o.markdown, cited_junk),
                frozenset({"relevance"}),
            )
        )
    return variants


def forms_facets_and_reading(o: Original) -> list[Variant]:
    """Unknown citation forms, a page the PDF lacks (rendered form), missing facets, unread requirements."""
    cited = citations(o.markdown)
    variants = [
        Variant(
            o.name,
            "unknown citation form",
            form,
            with_marker(o.markdown, c, "x").replace("[@x]", form),
            frozenset({"citations_resolve"}),
        )
        for form, c in zip(UNKNOWN_FORMS[o.language], (cited[0], cited[-1]), strict=True)
    ]
    variants += [
        Variant(
            o.name,
            "missing facet",
            f"{facet.name} never explained",
            o.markdown,
            frozenset({"section_substance"}),
            {"facets": {index: [facet]}},
        )
        for index, facet in zip((1, len(o.spec.sections)), ABSENT_FACETS, strict=True)
    ]
    variants += [
        Variant(
            o.name,
            "requirement not understood",
            span,
            o.markdown,
            frozenset({"requirements_understood"}),
            {"spec": o.spec.model_copy(update={"unparsed": [span]})},
        )
        for span in ("附上思维导图", "include a glossary of every acronym")
    ]
    pages = [c for c in cited if str(o.registry[c.source_id].get("kind")) == "pdf"]
    for citation, page in zip(pages[:1] + pages[-1:], (999, 0), strict=False):
        rendered = f"[{o.registry[citation.source_id]['source_file']} p.{page}]"
        variants.append(
            Variant(
                o.name,
                "page the PDF lacks",
                rendered,
                with_marker(o.markdown, citation, "x").replace("[@x]", rendered),
                frozenset({"citations_resolve"}),
            )
        )
    return variants


def all_variants(originals: list[Original], foreign_of: Callable[[Original], Original]) -> list[Variant]:
    variants: list[Variant] = []
    for rotation, original in enumerate(originals):
        variants += removed_sections(original)
        variants += renamed_sections(original)
        variants += reordered_sections(original)
        variants += wrong_length(original)
        variants += unknown_citations(original)
        variants += moved_citations(original)
        variants += wrong_language(original, foreign_of(original))
        variants += mixed_language_padding(original)
        variants += leftover_artefacts(original, rotation)
        variants += invented_and_wrong(original)
        variants += repeats_and_junk(original)
        variants += forms_facets_and_reading(original)
        if original.video_status != "absent":
            variants += invented_video(original)
    return variants


class Tally:
    """What the planted-defect suite found, for its summary line."""

    def __init__(self) -> None:
        self.originals: dict[str, bool] = {}
        self.flagged: dict[str, list[Variant]] = {}
        self.missed: list[Variant] = []
        self.wrong_reason: list[tuple[Variant, list[str]]] = []

    def record(self, variant: Variant, failed: list[str]) -> None:
        if not failed:
            self.missed.append(variant)
            return
        self.flagged.setdefault(variant.kind, []).append(variant)
        if not variant.expect & set(failed):
            self.wrong_reason.append((variant, failed))

    def summary(self) -> list[str]:
        flagged = sum(len(found) for found in self.flagged.values())
        passed = sum(self.originals.values())
        failed = len(self.originals) - passed
        lines = [
            f"planted defects: {flagged + len(self.missed)} variants, {flagged} flagged, "
            f"{len(self.missed)} missed; originals: {passed} passed"
            + (f", {failed} FAILED" if failed else "")
        ]
        kinds = sorted({*self.flagged, *(v.kind for v in self.missed)})
        for kind in kinds:
            missed = sum(v.kind == kind for v in self.missed)
            lines.append(f"  {kind}: {len(self.flagged.get(kind, []))} flagged, {missed} missed")
        lines += [f"  MISSED {v.original} / {v.kind} / {v.label}" for v in self.missed]
        lines += [
            f"  flagged for another reason {v.original} / {v.label}: {failed}"
            for v, failed in self.wrong_reason
        ]
        return lines
