"""A paper's own structure, read from its records (passages in reading order, tools/intake/pdf.py): where it
states what it is (abstract, contributions, conclusion), its limitations, its body pages, its front matter,
and which passages of a page carry facts with figures.

Headings are found at the start of a passage's line (a page's text has one paragraph a line, and a heading
without a full stop runs on into the paragraph after it): "5 Conclusion", "Limitations", "References",
结论, 局限性, 参考文献. All functions take and return :class:`SourceRecord` lists, best or reading order
first as each says.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Literal

from reportgraph.tools.registry import SourceRecord

# Where a paper states what it is and what it found.
_ABSTRACT = re.compile(r"\babstract\b|摘要", re.I)
# Headings, so capitalised: "5 Conclusion", "Conclusions and Future Work"; Chinese section names.
_CONCLUSION = re.compile(r"(?:^|[\s.])(?:\d+\.?\s*)?(?:Conclusions?|Concluding Remarks)\b|结论|总结")
_INTRODUCTION = re.compile(r"\b1\.?\s+Introduction\b|引言|绪论")
_AFTER_CONCLUSION = re.compile(
    r"\b(?:Limitations|References|Acknowledge?ments?|Ethics Statement)\b|参考文献|致谢"
)
_CONTRIBUTION = re.compile(
    r"\b(?:makes?|our|main|key|three|two|four|following) contributions?\b|\bIn this (?:paper|work)\b|"
    r"本文|我们的贡献"
)
_LIMITATIONS = re.compile(r"(?m)^(?:\d+(?:\.\d+)*\.?\s*)?(?:Limitations?\b|局限|不足之处)")
_AFTER_LIMITATIONS = re.compile(
    r"(?m)^(?:\d+(?:\.\d+)*\.?\s*)?(?:References\b|Bibliography\b|Acknowledge?ments?\b|Ethics Statement\b|"
    r"Appendix\b|参考文献|致谢|附录)"
)
_REFERENCES = re.compile(r"(?m)^(?:\d+\.?\s*)?(?:References|Bibliography)\b|^参考文献")
# What makes a passage carry a finding or a step of the method: figures, and the words that state them.
_FIGURE = re.compile(r"\d+(?:[.,]\d+)?\s*%|(?<![\w.])\d+(?:\.\d+)?(?![\w.])")
_STATEMENT = re.compile(
    r"\bwe (?:also )?(?:find|found|show|observe|conclude|collect|use|conduct|propose|present|train|"
    r"evaluate|annotate|measure|compare)\b|\bresults?\b|\bdatasets?\b|\bexperiments?\b|\bannotat\w*|"
    r"\boutperform\w*|\bimprov\w*|\bhigher\b|\blower\b|\bsignificant\w*|\bTable \d|\bFigure \d|"
    r"结果|表明|发现|实验|数据集|显著|提高|降低|表\s*\d|图\s*\d",
    re.I,
)
# What makes a passage describe a step of a method: how the work was done, with its settings.
_STEP = re.compile(
    r"\bwe (?:first |then |also )?(?:use|collect|ask|sample|define|compute|apply|train|annotate|measure|"
    r"split|link|align|build|design|formulate|follow|select|run)\b|\balgorithm\w*|\bprocedure\b|\bsteps?\b|"
    r"\bpipeline\b|\bformulat\w*|\bsampl\w*|\binstruct\w*|\bdefin\w*|\bsetup\b|\bsettings?\b|"
    r"\bparameters?\b|\bprotocol\b|步骤|流程|算法|采用|设置|定义|采样|首先|然后",
    re.I,
)
_LINK = re.compile(r"https?://|www\.|github\.com|\S+@\S+\.\w+")
_STATEMENT_WEIGHT = 2  # a statement word counts as much as two figures


def summary_records(pages: Sequence[SourceRecord]) -> list[SourceRecord]:
    """Of a paper's records (in reading order), its abstract (page 1, from "Abstract" to the introduction),
    the chunks stating its contributions, and its conclusion section (up to limitations or references)."""
    picked: list[SourceRecord] = []
    in_abstract = in_conclusion = False
    for record in pages:
        if record.segment == "metadata":
            continue
        in_abstract = record.page == 1 and (in_abstract or bool(_ABSTRACT.search(record.text)))
        heading, after = _CONCLUSION.search(record.text), _AFTER_CONCLUSION.search(record.text)
        # In the conclusion: it goes on from an earlier chunk, or starts here before any references.
        concluding = (in_conclusion and not (after and not heading)) or bool(
            heading and (not after or heading.start() < after.start())
        )
        if in_abstract or concluding or _CONTRIBUTION.search(record.text):
            picked.append(record)
        in_conclusion = concluding and not after
        in_abstract = in_abstract and not _INTRODUCTION.search(record.text)
    return picked or [record for record in pages if record.segment != "metadata"][:3]


def limitation_records(pages: Sequence[SourceRecord]) -> list[SourceRecord]:
    """The passages of the paper's limitations section (from its heading to the next closing heading)."""
    picked: list[SourceRecord] = []
    inside = False
    for record in pages:
        start, end = _LIMITATIONS.search(record.text), _AFTER_LIMITATIONS.search(record.text)
        inside = inside or start is not None
        if inside and not (end and (start is None or end.start() < start.start())):
            picked.append(record)
        if end and (start is None or end.start() > start.start()):
            inside = False
    return picked


def body_records(pages: Sequence[SourceRecord]) -> list[SourceRecord]:
    """The paper's passages before its reference list (the whole paper when none is found), no metadata."""
    body: list[SourceRecord] = []
    for record in pages:
        if record.segment == "metadata":
            continue
        if _REFERENCES.search(record.text) and record.page != 1:
            break
        body.append(record)
    return body


PassageFocus = Literal["findings", "steps"]
_FOCUS = {"findings": _STATEMENT, "steps": _STEP}


def substance(record: SourceRecord, focus: PassageFocus = "findings") -> float:
    """How densely a passage states what ``focus`` asks for (findings: results, data and figures; steps: how
    the method works, with its settings), per 1,000 characters, so a long passage does not win by length."""
    found = len(_FIGURE.findall(record.text)) + _STATEMENT_WEIGHT * len(_FOCUS[focus].findall(record.text))
    return 1000 * found / max(len(record.text), 1)


def page_highlights(pages: Sequence[SourceRecord], share: float, at_least: int,
                    focus: PassageFocus = "findings") -> list[SourceRecord]:
    """The ``share`` (0..1, rounded up) of each body page's passages that state most (:func:`substance`),
    and the ``at_least`` that state most in the whole body, in reading order: the paper read across its
    whole length, so its setup, results and figures (or its method's steps) reach the section, and a
    short paper gives all it has."""
    body = [r for r in body_records(pages) if substance(r, focus) > 0]
    by_page: dict[int, list[SourceRecord]] = {}
    for record in body:
        by_page.setdefault(record.page or 0, []).append(record)
    picked = {r.id for r in sorted(body, key=lambda r: -substance(r, focus))[:at_least]}
    for on_page in by_page.values():
        ranked = sorted(on_page, key=lambda r: -substance(r, focus))  # stable: reading order on ties
        picked.update(r.id for r in ranked[: math.ceil(share * len(ranked))])
    return [r for r in body if r.id in picked]


def front_matter(pages: Sequence[SourceRecord], names: Sequence[str], venue: str) -> list[SourceRecord]:
    """The page-1 passages that print the paper's facts: its first one (title, authors), any naming an
    author or the venue, and any with a link (code, data, contact)."""
    first = [r for r in pages if r.page == 1 and r.segment != "metadata"]
    marks = [name for name in names if name] + ([venue[:40]] if venue else [])
    return [r for i, r in enumerate(first)
            if i == 0 or any(mark in r.text for mark in marks) or _LINK.search(r.text)]
