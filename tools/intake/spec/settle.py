"""Settling a disagreement: where the rules and a model read a field of the task differently, a second,
targeted question quotes the exact words and asks which reading is right; neither side wins by default.

``settle_disagreements(spec, rules, model_spec, task_text, chat_model)`` takes the merged spec (whose
``disagreements`` list the fields both read differently, reader.disagreements), asks one question per field
with a LangChain chat model (structured output, tools.llm.ask_structured), and returns the spec with
each field set to the chosen reading and each disagreement saying how it was settled: ``settled_by``
``question`` (``kept`` the chosen side, ``reason`` the answer's) or ``unanswered`` (no usable answer: the
rules' reading stands, and the record says it was not settled). Errors of the request itself propagate.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, Field
from reportgraph.prompts.reading import SETTLE_SYSTEM, SETTLE_USER
from reportgraph.tools.intake.spec.model import Disagreement, RequirementSpec
from reportgraph.tools.llm import ask_structured

SENTENCE = re.compile(r"(?:[^。！？!?；;\n.]|\.(?!\s|$))+(?:[。！？!?；;\n]|\.(?=\s|$)|$)")


class SettledReading(BaseModel):
    """Which reading of the quoted words is right."""

    choice: Literal["A", "B"] = Field(description="A: the first reading, B: the second")
    reason: str = Field("", description="One sentence: why")


def values_of(field: str, spec: RequirementSpec) -> Any:
    """The field's value as the question shows it and the spec holds it."""
    if field == "sections":
        return [s.title for s in spec.sections]
    if field == "length":
        return spec.length.model_dump(include={"min", "max", "unit"}) if spec.length else None
    return getattr(spec, field)


def span_of(field: str, rules: RequirementSpec, model_spec: RequirementSpec, task_text: str) -> str:
    """The sentences of the task that hold what either reader read for ``field`` (verbatim); the whole task
    when none can be found (a language asked for nowhere but the script of the prompt)."""
    needles: list[str] = []
    if field == "length" and rules.length is not None:
        needles.append(rules.length.source_text)
    for spec in (rules, model_spec):
        if field == "sections":
            needles += [s.title for s in spec.sections]
        elif field == "title" and spec.title:
            needles.append(spec.title)
        elif field == "length" and spec.length is not None:
            needles += [f"{bound:,}" for bound in (spec.length.min, spec.length.max) if bound is not None]
            needles += [str(bound) for bound in (spec.length.min, spec.length.max) if bound is not None]
    sentences = [m.group(0).strip() for m in SENTENCE.finditer(task_text)]
    found = [s for s in sentences if any(needle and needle in s for needle in needles)]
    return " … ".join(dict.fromkeys(found)) or task_text.strip()


def apply(field: str, spec: RequirementSpec, model_spec: RequirementSpec) -> RequirementSpec:
    """``spec`` with ``field`` taken from the model's reading."""
    update: dict[str, Any] = {field: getattr(model_spec, field)}
    if field == "sections":
        update["sections_from_task"] = model_spec.sections_from_task
    return spec.model_copy(update=update)


def settle_disagreements(
    spec: RequirementSpec,
    rules: RequirementSpec,
    model_spec: RequirementSpec,
    task_text: str,
    chat_model: BaseChatModel,
    on_reply: Callable[[Any], None] | None = None,
) -> RequirementSpec:
    """Ask one targeted question per field the two readings differ on (see the module docstring).

    ``on_reply`` receives each raw model reply (for the node's call log)."""
    settled: list[Disagreement] = []
    for disagreement in spec.disagreements:
        if disagreement.kept != "rules" or disagreement.rules == "null":
            settled.append(disagreement)  # a field only the model read is filled, not disputed
            continue
        field = disagreement.field
        span = span_of(field, rules, model_spec, task_text)
        a = json.dumps(values_of(field, rules), ensure_ascii=False, default=str)
        b = json.dumps(values_of(field, model_spec), ensure_ascii=False, default=str)
        question = SETTLE_USER.format(task=task_text, span=span, field=field, a=a, b=b)
        messages = [("system", SETTLE_SYSTEM), ("human", question)]
        # One exception policy with every model question (tools.llm.ask): an unusable answer leaves the
        # field unanswered (recorded below), a provider outage propagates.
        answer = ask_structured(chat_model, SettledReading, messages, purpose=f"settle {field}",
                                on_reply=on_reply or (lambda _raw: None), on_fallback=lambda _p, _r: None)
        if answer is None:
            settled.append(disagreement.model_copy(update={"span": span, "settled_by": "unanswered"}))
            continue
        kept: Literal["rules", "model"] = "rules" if answer.choice == "A" else "model"
        if kept == "model":
            spec = apply(field, spec, model_spec)
        settled.append(disagreement.model_copy(
            update={"kept": kept, "span": span, "settled_by": "question", "reason": answer.reason}
        ))
    return spec.model_copy(update={"disagreements": settled})
