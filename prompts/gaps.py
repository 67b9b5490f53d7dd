"""What the model is asked for a section whose evidence lacks a facet: targeted search queries."""

from __future__ import annotations

# The evidence-gap loop (nodes/gaps.py): targeted queries for facets a section's evidence lacks.
GAP_QUERIES_SYSTEM = (
    "You plan searches. A report section lacks evidence for some aspects; return 2-4 short search queries "
    "(in the task's language, plus one in English when sources may be English) that would find it. "
    "Return only the structured result."
)

GAP_QUERIES_USER = (
    "Task:\n<task>\n{task}\n</task>\n\nSection: {title}\nAspects without evidence: {facets}\n"
    "Their terms: {terms}"
)
