"""What each section must cover: facets from the task's own words and from a table of common section kinds.

A facet is one thing a reader expects to find explained, with a citation, in a section: a technique the task
names ("对其中涉及的重要技术（如长文本摘要、忠实性评估、人工评估等）进行清晰解释" → three facets for
the section whose title shares the most words with the phrase, e.g. 关键技术解析), or what a kind of
section always holds (basic information → title, authors, venue, year; summary → goal, method,
conclusions; a talk or video → its points cited with time ranges). The table is small on purpose: the
kinds of sections course and research reports ask for, in zh and en.

API: ``section_facets(spec, task_text) -> {section index: [Facet]}`` (index 0: anywhere in the report, for a
task term no section title matches) and ``mentions(facet, text) -> bool``. The writer uses the terms to
target retrieval and writing; the checker (substance.py) uses them to decide whether a facet is covered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from reportgraph.tools.intake.spec.model import RequirementSpec, SectionRequirement

FacetKind = Literal["task_term", "section_kind", "model"]
FacetEvidence = Literal["any", "video_time_range"]


@dataclass(frozen=True)
class Facet:
    """One thing a section must explain. ``terms``: zh and en words a writer searches for, and that show it
    is addressed; ``patterns``: when given, they decide instead of the terms (authors need names, not the
    word 作者); ``evidence``: what its citations must be (``video_time_range``: talk points cited with time
    ranges)."""

    name: str
    kind: FacetKind
    terms: tuple[str, ...]
    patterns: tuple[str, ...] = ()
    evidence: FacetEvidence = "any"
    # Cited sentences that must mention it for it to count as explained (a term named once is not explained).
    min_sentences: int = 1
    where: str = field(default="", compare=False)  # the section kind or task phrase it came from


# "Ada Lovelace", "A. M. Turing", "Yann LeCun", "Jean-Luc Godard": given names or initials, then a surname
_LATIN_NAME = r"(?<![A-Za-z])(?:[A-Z]\.\s?|[A-Z][a-z]+[-\s])+[A-Z][A-Za-z'’-]*[a-z](?![A-Za-z])"
# "Authors:", "**Author**:", "| 作者 |", "by", "the authors are", "作者为" (any case); not 作者单位
_AUTHOR_LABEL = r"(?:作者(?!单位|机构|所属)|\b(?i:author(?:s|ed\s+by)?|written\s+by|by)\b)"
_AUTHOR_LINK = r"[\s*_|]*(?:[:：,，]|\b(?i:are|is|were|was|include|including)\b|为|是|包括)?[\s*_|]*"
# "Authors: Ada Lovelace" is a fact's label and its value, not a "Title: Subtitle" title
_FACT_LABEL = r"(?i:authors?|affiliations?|venue|year|date|published|publication|conference|journal|doi|url)"
_CJK_NAME = r"[\u4e00-\u9fff·]{2,5}"  # one of a list: a lone "作者：不详" names nobody
# Each kind: words in a section title that identify it, and the facets such a section always holds.
SECTION_KINDS: dict[str, tuple[tuple[str, ...], tuple[Facet, ...]]] = {
    "basic_information": (
        ("基本信息", "论文信息", "文献信息", "basic information", "bibliographic", "paper information",
         "publication details"),
        (
            Facet("title", "section_kind", ("题目", "标题", "论文名", "题为", "title", "titled"),
                  patterns=(r"《[^》]{4,}》", rf"(?<![\w-])(?!{_FACT_LABEL}\b)[A-Z][\w-]*:\s+[A-Z]",
                            r"(?:题目|标题|题为|(?i:title[sd]?))[*_]*\s*[：:是为]?\s*\S{4,}")),
            Facet("authors", "section_kind", ("作者", "author", "authors"),
                  # the names right after their label: "the authors propose …" names nobody
                  patterns=(rf"{_AUTHOR_LABEL}{_AUTHOR_LINK}{_LATIN_NAME}",
                            rf"作者[\s*_|]*[：:为是|\s][\s*_|]*{_CJK_NAME}[、，,和与及]",
                            # prose: "共有七位作者，依次为 A、B": a list of names a few words after 作者
                            rf"作者(?!单位|机构|所属)[^。；\n]{{0,12}}?{_LATIN_NAME}\s*[、，,和与及]\s*{_LATIN_NAME}")),
            Facet("venue", "section_kind",
                  ("会议", "期刊", "论文集", "出处", "收录", "venue", "conference", "journal", "proceedings",
                   "workshop"),
                  patterns=(r"\b[A-Z]{2,}[A-Za-z-]*\s*['’]?(?:19|20)?\d{2}\b",
                            r"会议|期刊|论文集|出处|收录于|(?i:venue|conference|journal|proceedings|workshop)")),
            Facet("year", "section_kind", ("年份", "year"), patterns=(r"(?<!\d)(?:19|20)\d{2}(?!\d)",)),
        ),
    ),
    "summary": (
        ("摘要", "概述", "概要", "核心内容", "主要内容", "summary", "overview", "abstract"),
        (
            Facet("goal", "section_kind",
                  ("目标", "目的", "旨在", "动机", "背景", "为了", "希望", "要解决", "试图", "致力于",
                   "goal", "aim", "objective", "motivation", "purpose", "problem", "seeks to",
                   "sets out to")),
            Facet("method", "section_kind",
                  ("方法", "实验", "数据集", "研究问题", "提出", "method", "approach", "experiment",
                   "dataset", "propose")),
            Facet("conclusions", "section_kind",
                  ("结论", "发现", "结果", "表明", "总结", "conclusion", "conclude", "finding", "result",
                   "show", "demonstrate")),
        ),
    ),
    "talk": (
        ("视频", "讲解", "演讲", "报告视频", "talk", "video", "lecture", "presentation"),
        (
            Facet("points of the talk with time ranges", "section_kind", (), evidence="video_time_range",
                  min_sentences=2),
        ),
    ),
}

# "（如长文本摘要、忠实性评估、人工评估等）", "such as X, Y and Z": the items listed, up to 等/etc. or
# the closing bracket.
_EXAMPLES = re.compile(
    # 如 as "such as", not inside a word (如实 truthfully, 如何 how, 如果 if, 如下 as follows …)
    r"(?:例如|比如|诸如|如(?![实何果下此今同期其])|包括|像)(?P<zh>[^。；;：:（()）]{2,80}?)(?:等(?:等)?|[）)]|。|；)"
    r"|(?:such as|including|e\.g\.,?|for example,?)\s+(?P<en>[^.;:()]{2,120}?)(?:,?\s*etc\.?|[).;]|$)"
    # "explain the key concepts it relies on (A, B, C)", "解释其中的关键概念（A、B、C）": a bracketed list of
    # at least two items right after words that ask for explanations of concepts or techniques
    r"|(?:explain|describe|define|clarify|introduce|concepts?|techniques?|terms?|methods?|解释|说明|介绍|解析"
    r"|阐述|概念|技术|术语)[^.。;；()（）]{0,40}?[(（]"
    r"(?![^()（）]*(?:words|字|pages|页|characters))(?P<paren>[^()（）]{2,80}?[,，、][^()（）]{2,160}?)[)）]",
    re.I,
)
# a bracketed list may carry its own cue and ending ("（如 A、B 等）"): they are not items
_CUE_EDGES = re.compile(
    r"^\s*(?:例如|比如|诸如|如|包括|像|e\.g\.,?|such as|including)\s*|\s*(?:等(?:等)?|,?\s*etc\.?)\s*$", re.I
)
_ITEM_SPLIT = re.compile(r"[、，,；;/]|\s+(?:and|or)\s+|和|与|及|以及|或")
_CONTEXT_CHARS = 24  # the words before a list say what it lists ("其中涉及的重要技术")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_WORD = re.compile(r"[a-z]{3,}")


def section_kind(section: SectionRequirement) -> str | None:
    """The table's kind of a section, from its title (a video-focused section is a talk section)."""
    title = section.title.lower()
    for kind, (words, _) in SECTION_KINDS.items():
        if any(word in title for word in words):
            return kind
    return "talk" if section.focus == "video" else None


def _tokens(text: str) -> set[str]:
    lowered = text.lower()
    cjk = "".join(_CJK.findall(lowered))
    return {cjk[i : i + 2] for i in range(len(cjk) - 1)} | set(_WORD.findall(lowered))


def task_terms(task_text: str) -> list[tuple[str, str]]:
    """(item, the words before its list) for every example list in the task, in order, without repeats."""
    found: dict[str, str] = {}
    for match in _EXAMPLES.finditer(task_text):
        listed = _CUE_EDGES.sub("", match.group("zh") or match.group("en") or match.group("paren") or "")
        # a bracketed list is about the words just before its bracket; other lists, the words before the cue
        end = match.start("paren") - 1 if match.group("paren") else match.start()
        context = task_text[max(0, end - _CONTEXT_CHARS) : end]
        for item in _ITEM_SPLIT.split(listed):
            item = item.strip(" \t\"'“”‘’《》")
            if 2 <= len(item) <= 30 and item not in found:
                found[item] = context
    return list(found.items())


def _home(context: str, sections: list[SectionRequirement]) -> int:
    """The section whose title shares most words with what the list is about; 0 when none shares any."""
    wanted = _tokens(context)
    scored = [(len(wanted & _tokens(section.title)), section.index) for section in sections]
    best = max(scored, default=(0, 0))
    return best[1] if best[0] > 0 else 0


def section_facets(spec: RequirementSpec, task_text: str) -> dict[int, list[Facet]]:
    """Facets per section index (0 = anywhere in the report), from the task's example lists and the table.

    A task term must be mentioned by two cited sentences of its section (explained, not just named); a
    table facet by one (a talk section: two citations with time ranges)."""
    facets: dict[int, list[Facet]] = {}
    for section in spec.sections:
        kind = section_kind(section)
        if kind is not None:
            facets.setdefault(section.index, []).extend(SECTION_KINDS[kind][1])
    for term, context in task_terms(task_text):
        index = _home(context, spec.sections)
        facet = Facet(term, "task_term", (term,), min_sentences=2, where=context.strip())
        facets.setdefault(index, []).append(facet)
    return facets


def mentions(facet: Facet, text: str) -> bool:
    """Does ``text`` name the facet (a term, case-insensitively, or one of its patterns)?"""
    if facet.patterns:
        return any(re.search(pattern, text) for pattern in facet.patterns)
    lowered = text.lower()
    # "BM25 词法检索" is named when both of its parts are, in any order
    return any(all(part in lowered for part in term.lower().split()) for term in facet.terms)
