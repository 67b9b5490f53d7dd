"""Asking a model which facets each section of a report should cover (validate, opt-in)."""

from __future__ import annotations

FACETS_SYSTEM = (
    "You read a report task. For each required section, name the few things (2-4) a careful reader "
    "expects it to explain, as short noun phrases in the task's language, each with 1-3 words that would "
    "show a sentence addresses it. Propose only what the task or the heading implies."
)
FACETS_USER = "Task:\n<task>\n{task}\n</task>\n\nSections the report must have:\n{sections}"
