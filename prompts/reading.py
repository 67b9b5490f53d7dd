"""What the model is asked when it reads the task: the requirements, the search queries per section, and
the targeted question that settles a field the rules and the model read differently."""

from __future__ import annotations

PLAN_SYSTEM = (
    "You plan research reports. Given a task and its required sections, return for each section 2-4 short "
    "search queries (in the task's language, plus one in English when sources may be English) that find "
    "the evidence it needs. Return only the structured result."
)

PLAN_USER = "Task:\n<task>\n{task}\n</task>\n\nRequired sections, in order:\n{sections}"

READ_TASK_SYSTEM = (
    "You read a report-writing task and state what it requires. Give the report's title only if the task "
    "names one. List the sections the report must have, in order, each with its title and the exact heading "
    "to use (keep the task's own wording and numbering); if the task names no sections, propose 3-5 that fit "
    "it, with headings in the task's language. Give a length range only if the task states a figure, in the "
    "task's unit (cjk_chars for Chinese characters, words for English words); otherwise leave it null. "
    "Quote the task's requirements on tone, register and audience. Return only the structured result."
)

READ_TASK_USER = "Task:\n<task>\n{task}\n</task>"

# A second, targeted question for one field where the rules' and the model's readings of the task differ.
SETTLE_SYSTEM = (
    "You settle one requirement of a report-writing task. Two readers read the quoted words differently. "
    "Decide from the quoted words alone which reading is right, A or B, and give a one-sentence reason. "
    "Return only the structured answer."
)

SETTLE_USER = (
    "Task:\n<task>\n{task}\n</task>\n\nThe words in question:\n<span>\n{span}\n</span>\n\n"
    "Requirement: {field}\nReading A: {a}\nReading B: {b}\nWhich reading of the words is right?"
)
