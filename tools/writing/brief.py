"""What a model writer is told about the task beside its evidence: the task's own words, the audience and
register as the task states them, and the whole outline, each section with what it is to cover.

The task text is the instruction (the writer's brief), never evidence; the outline lets sections divide the
material between them instead of each repeating the same headline facts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reportgraph.tools.intake.spec import RequirementSpec, section_facets

# Clauses of a task that say who reads the report and in what register: a reader, a level, a tone or style
# (zh and en). Everything else in the task reaches the writer anyway, in the task's own words.
AUDIENCE_CUES = re.compile(
    r"读者|面向|适合|初学|入门|新手|学生|专业人士|语气|文体|风格|书面|口语|正式|通俗|"
    r"\baudiences?\b|\breaders?\b|\bbeginners?\b|\bnewcomers?\b|\bstudents?\b|\bexperts?\b|\blay\b|"
    r"\btone\b|\bregister\b|\bstyle\b|\bformal\b|\binformal\b|\bplain (?:language|english)\b|"
    # who the report is for, by the grammar of the phrase rather than a list of readers
    r"\b(?:aimed at|intended for|addressed to|written for|targeted at)\b|"
    r"\bfor (?:an? |the )?(?:[\w-]+ ){1,3}(?:with|who|without)\b|"
    r"\b(?:no|without|little)\b[^.;]{0,40}\b(?:background|training|experience|knowledge)\b|"
    r"(?:没有|缺乏|不具备)[^，。；]{0,12}(?:背景|基础|经验|知识)",
    re.I,
)
CLAUSE_END = re.compile(r"(?<=[，。；！？;!?\n])|(?<=\.)\s+")


@dataclass(frozen=True)
class WriterBrief:
    """The task for one section's writer: ``task`` the task text as given; ``audience`` the task's
    clauses about its readers and register ("" when it states none); ``outline`` one line per section,
    ``heading: facet, facet`` (the facets of tools/intake/spec/facets.py); ``covers`` this section's
    facets."""

    task: str
    audience: str
    outline: str
    covers: str


def audience_clauses(task_text: str) -> str:
    """The task's clauses that name its audience or register, in order, joined by a space."""
    clauses = (c.strip(" ，。；,;") for c in CLAUSE_END.split(task_text))
    return " ".join(dict.fromkeys(c for c in clauses if c and AUDIENCE_CUES.search(c)))


def writer_brief(spec: RequirementSpec, task_text: str, index: int) -> WriterBrief:
    """The brief of section ``index`` (1-based) of ``spec``'s outline."""
    facets = section_facets(spec, task_text)
    covers = {s.index: ", ".join(dict.fromkeys(f.name for f in facets.get(s.index, [])))
              for s in spec.sections}
    outline = "\n".join(f"{s.index}. {s.heading}" + (f": {covers[s.index]}" if covers[s.index] else "")
                        for s in spec.sections)
    return WriterBrief(task=task_text.strip(), audience=audience_clauses(task_text), outline=outline,
                       covers=covers.get(index, ""))
