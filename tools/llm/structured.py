"""Structured output by whatever means the server offers, chosen once per run and endpoint by a cheap probe.

Servers differ: OpenAI takes ``response_format: json_schema``; llama.cpp's OpenAI-compatible server
answers it with HTTP 500 but takes ``json_object`` (issue 15); some only do tool calling, some nothing but
prose. :func:`structured_mode` asks a one-field question in each mode of :data:`STRUCTURED_MODES`, in
that order, and keeps the first whose reply reads as the schema (``plain`` if none does: a prompt and the
tolerant parser). The choice is kept in the model's ``run_memo`` (one per run, see
:mod:`reportgraph.tools.memo`), never per process: a long-lived server's next run may meet another server
behind the same URL. Every reply is read loosely (``<think>`` blocks, fences, prose around the JSON, a tool
call's malformed arguments); an unreadable one is asked again, at most ``attempts`` times, with its parse
error in the request. A reply cut at ``max_tokens`` (a small model looping over list items, issue 15) is
salvaged with json-repair when what it holds validates, else asked once more, for a shorter answer. The
mode, the probe's results, each unreadable reply and each repaired one are stamped on the raw replies'
``response_metadata`` (``structured_mode``, ``structured_probe``, ``structured_failure``,
``structured_repaired``), so a node's record carries them into run.json.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, Literal, TypeVar, get_args

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from pydantic import BaseModel, ValidationError
from reportgraph.prompts.structured import STRUCTURED_CUT_RETRY, STRUCTURED_INSTRUCTION, STRUCTURED_RETRY
from reportgraph.tools.llm.calls import CallLimits, finish_reason
from reportgraph.tools.llm.messages import is_transient_error, message_text, parse_json_loose, strip_reasoning
from reportgraph.tools.memo import RunMemo

SchemaT = TypeVar("SchemaT", bound=BaseModel)
StructuredMode = Literal["json_schema", "json_mode", "function_calling", "plain"]
STRUCTURED_MODES: tuple[StructuredMode, ...] = get_args(StructuredMode)
MAX_STRUCTURED_ATTEMPTS = 3
# A structured reply (an outline, a task reading, a verdict) fits in this; a small model that loops in JSON
# mode runs to it (issue 15: 1,023-token loops at ~4 s per 10 tokens on a shared CPU), so it stays low.
STRUCTURED_MAX_TOKENS = 512
_PROBE_MAX_TOKENS = 64


class ProbeAnswer(BaseModel):
    """The sum of the two numbers."""

    answer: int


_PROBE_MESSAGES = [("system", "Return only the structured result."), ("human", "What is 2 + 3?")]


@dataclass
class StructuredReply(Generic[SchemaT]):
    """A structured-output call: the value read (None if none could be), every raw reply, why not, how."""

    value: SchemaT | None
    replies: list[BaseMessage] = field(default_factory=list)
    problem: str = ""
    mode: str = ""
    repaired: bool = False  # the value is what json-repair kept of a reply cut at max_tokens


def ask(model: BaseChatModel, schema: type[BaseModel], messages: Sequence[tuple[str, str]],
        mode: StructuredMode, max_tokens: int) -> BaseMessage:
    """One request for ``schema`` in ``mode``; the reply unread."""
    if mode == "function_calling":
        bound = model.bind_tools([schema], tool_choice=schema.__name__)
        return bound.invoke(list(messages), max_tokens=max_tokens)
    schema_text = json.dumps(schema.model_json_schema(), ensure_ascii=False)
    instruction = STRUCTURED_INSTRUCTION.format(schema=schema_text)
    request = [*messages, ("human", instruction)]
    if mode == "json_schema":
        schema_format = {"name": schema.__name__, "schema": schema.model_json_schema()}
        return model.invoke(request, max_tokens=max_tokens,
                            response_format={"type": "json_schema", "json_schema": schema_format})
    if mode == "json_mode":
        return model.invoke(request, max_tokens=max_tokens, response_format={"type": "json_object"})
    return model.invoke(request, max_tokens=max_tokens)


def _endpoint(model: BaseChatModel) -> tuple[str, str, str]:
    name, base = getattr(model, "model_name", ""), getattr(model, "openai_api_base", "")
    return type(model).__name__, str(name), str(base)


@dataclass
class ProbedMode:
    """An endpoint's mode as a run's probe chose it, and what each mode tried answered.

    ``tried`` is recorded once per run: on the first reply any structured call of the run gets after the
    probe (a call whose request fails records nothing, so the next one does).
    """

    mode: StructuredMode
    tried: dict[str, str] | None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take_unrecorded(self) -> dict[str, str] | None:
        """``tried`` the first time it is asked for, then None."""
        with self.lock:
            tried, self.tried = self.tried, None
            return tried


def probed_mode(model: BaseChatModel) -> ProbedMode:
    """The endpoint's mode: declared, or chosen by a probe once per run and endpoint.

    A model may declare its mode (``structured_mode`` attribute, e.g. the scripted replay). The probe runs
    once per endpoint in the model's ``run_memo`` (the run's; a model without one probes on every call)
    and sends no retries: a mode the server rejects (4xx/5xx) is simply the next one's turn. Transient
    failures of the connection itself (refused, rate limited) propagate, and the next call probes again.
    """
    declared = getattr(model, "structured_mode", None)
    if declared in STRUCTURED_MODES:
        return ProbedMode(declared, None)
    memo = getattr(model, "run_memo", None)
    if not isinstance(memo, RunMemo):
        memo = RunMemo()
    probed, _ = memo.once(("structured_mode", *_endpoint(model)), lambda: _choose_mode(model))
    return probed


def structured_mode(model: BaseChatModel) -> tuple[StructuredMode, dict[str, str] | None]:
    """The endpoint's mode (:func:`probed_mode`), and the probe's results while no reply records them."""
    probed = probed_mode(model)
    with probed.lock:
        return probed.mode, probed.tried


def _choose_mode(model: BaseChatModel) -> ProbedMode:
    limits = getattr(model, "limits", None)
    probe_model = model
    if isinstance(limits, CallLimits):
        probe_model = model.model_copy(update={"limits": replace(limits, max_retries=0)})
    tried: dict[str, str] = {}
    for mode in STRUCTURED_MODES:
        tried[mode] = _probe(probe_model, mode)
        if tried[mode] == "ok":
            return ProbedMode(mode, tried)
    return ProbedMode("plain", tried)


def _probe(model: BaseChatModel, mode: StructuredMode) -> str:
    import openai

    try:
        reply = ask(model, ProbeAnswer, _PROBE_MESSAGES, mode, _PROBE_MAX_TOKENS)
    except openai.APIStatusError as error:
        if error.status_code in (408, 429):
            raise
        return f"rejected (HTTP {error.status_code})"
    except Exception as error:
        if is_transient_error(error):
            raise
        return f"failed ({type(error).__name__})"
    value, problem = read_structured(ProbeAnswer, reply)
    return "ok" if value is not None else f"unreadable: {problem}"


def invoke_structured(
    model: BaseChatModel,
    schema: type[SchemaT],
    messages: Sequence[tuple[str, str]],
    *,
    max_tokens: int = STRUCTURED_MAX_TOKENS,
    attempts: int = MAX_STRUCTURED_ATTEMPTS,
) -> StructuredReply[SchemaT]:
    """``schema`` from the model in the endpoint's mode; unreadable replies asked again with their error.

    A reply cut at ``max_tokens`` is repaired (:func:`read_cut_structured`) and used if that validates,
    stamped ``structured_repaired``. Otherwise it is asked again once at most, saying it was cut and asking
    for a shorter answer (the same request would loop to the same limit). Errors of the request itself
    (transient, configuration) propagate, for the node to handle.
    """
    probed = probed_mode(model)
    mode = probed.mode
    replies: list[BaseMessage] = []
    request = list(messages)
    problem = ""
    remaining = max(1, attempts)
    while remaining > 0:
        remaining -= 1
        reply = ask(model, schema, request, mode, max_tokens)
        reply.response_metadata["structured_mode"] = mode
        if (tried := probed.take_unrecorded()) is not None:
            reply.response_metadata["structured_probe"] = tried
        replies.append(reply)
        value, problem = read_structured(schema, reply)
        cut = value is None and finish_reason(reply) == "length"
        if cut:
            value, problem = read_cut_structured(schema, reply, max_tokens)
        if value is not None:
            return StructuredReply(value, replies, "", mode, repaired=cut)
        reply.response_metadata["structured_failure"] = problem
        if cut:  # small models loop in JSON until the limit: one shorter request, never the same one
            remaining = min(remaining, 1)
            request = [*messages, ("human", STRUCTURED_CUT_RETRY.format(max_tokens=max_tokens))]
            continue
        invalid = [call.get("args") for call in getattr(reply, "invalid_tool_calls", None) or []]
        said = message_text(reply) or json.dumps(invalid, ensure_ascii=False)
        request = [*messages, ("ai", said[:2000]), ("human", STRUCTURED_RETRY.format(problem=problem))]
    return StructuredReply(None, replies, problem, mode)


def read_cut_structured(schema: type[SchemaT], reply: BaseMessage,
                        max_tokens: int) -> tuple[SchemaT | None, str]:
    """``schema`` from a reply cut at ``max_tokens``: its complete values, closed by json-repair.

    The value the cut fell in (a half-written string or number) is dropped, never completed; what is left
    must validate as ``schema``. On success the reply is stamped ``structured_repaired``.
    """
    import json_repair

    texts = [str(call.get("args") or "") for call in getattr(reply, "invalid_tool_calls", None) or []]
    texts.append(strip_reasoning(message_text(reply)))
    problems = []
    for text in texts:
        start = min((i for i in (text.find("{"), text.find("[")) if i >= 0), default=-1)
        if start < 0:
            continue
        candidate = json_repair.repair_json(complete_prefix(text[start:]), return_objects=True)
        value, problem = validate_candidate(schema, candidate)
        if value is not None:
            reply.response_metadata["structured_repaired"] = (
                f"cut at max_tokens ({max_tokens}); the complete part of the JSON repaired and validated"
            )
            return value, ""
        problems.append(problem)
    return None, (f"cut off at max_tokens ({max_tokens}) and not repairable into a {schema.__name__} "
                  f"({'; '.join(problems) or 'no JSON'})")


def complete_prefix(text: str) -> str:
    """``text`` up to its last value that was finished: before the last ``,`` or through the last ``]``
    or ``}`` outside a string (json-repair then closes what is open)."""
    in_string = escaped = False
    end = 0
    for position, char in enumerate(text):
        if escaped:
            escaped = False
        elif in_string:
            escaped, in_string = char == "\\", char != '"'
        elif char == '"':
            in_string = True
        elif char == ",":
            end = position
        elif char in "]}":
            end = position + 1
    return text[:end]


def validate_candidate(schema: type[SchemaT], candidate: Any) -> tuple[SchemaT | None, str]:
    """``candidate`` as ``schema`` (a bare list as the value of a schema's only field), or why not."""
    if isinstance(candidate, list) and len(schema.model_fields) == 1:
        candidate = {next(iter(schema.model_fields)): candidate}
    try:
        return schema.model_validate(candidate), ""
    except ValidationError as error:
        details = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()[:3])
        return None, f"{error.error_count()} validation error(s): {details}"


def read_structured(schema: type[SchemaT], reply: BaseMessage) -> tuple[SchemaT | None, str]:
    """``schema`` from a reply's tool-call arguments (even malformed ones) or from JSON in its text."""
    candidates: list[Any] = [call.get("args") for call in getattr(reply, "tool_calls", None) or []]
    texts = [str(call.get("args") or "") for call in getattr(reply, "invalid_tool_calls", None) or []]
    texts.append(message_text(reply))
    for text in texts:
        try:
            candidates.append(parse_json_loose(text))
        except ValueError:
            continue
    problems = []
    for candidate in candidates:
        value, problem = validate_candidate(schema, candidate)
        if value is not None:
            return value, ""
        problems.append(problem)
    excerpt = next((text for text in reversed(texts) if text.strip()), "")[:120]
    return None, f"no {schema.__name__} in the reply ({'; '.join(problems) or 'no JSON'}): {excerpt!r}"
