"""What a model judge is asked: whether a source states a sentence, whether the report meets the task's
soft requirements; and the judge's reason as a section's feedback."""

from __future__ import annotations

SUPPORT_JUDGE_SYSTEM = (
    "You check citations. Say whether the source states what the sentence claims (in any language). "
    "A sentence that adds facts, numbers or conclusions the source does not state is not supported. "
    "Return only the structured verdict."
)

SUPPORT_JUDGE_USER = "Sentence:\n<sentence>\n{claim}\n</sentence>\n\nSource:\n<source>\n{source}\n</source>"

SOFT_JUDGE_SYSTEM = (
    "You judge whether a report meets soft requirements such as tone, register and audience. Judge only "
    "those requirements; do not judge facts, length or citations. Return the structured verdict."
)

SOFT_JUDGE_USER = ("Requirements:\n{requirements}\n\nSections:\n{sections}\n\n"
                   "For a requirement that is not met, name the section that falls short of it most "
                   "(0 when it is the whole report).\n\nReport:\n<report>\n{report}\n</report>")

# The soft judge's reason, sent back to the section it names (nodes/validate.py).
JUDGE_FEEDBACK = {
    "zh": "审阅者认为本节未满足任务要求“{requirement}”：{reason}",
    "en": 'A reviewer found this section does not meet the requirement "{requirement}": {reason}',
}
