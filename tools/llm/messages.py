"""The errors of providers, and reading what models reply.

Servers differ: some reasoning models wrap their answer in ``<think>`` blocks, answer with JSON in prose or
fences, or truncate it; :func:`strip_reasoning` and :func:`parse_json_loose` read such replies, and
:func:`is_transient_error` tells the errors worth retrying (rate limits, 5xx, dropped connections) from the
rest.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from langchain_core.messages import BaseMessage

_THINK_BLOCK = re.compile(r"<think>.*?</think>|<reasoning>.*?</reasoning>", re.S | re.I)
_UNCLOSED_THINK = re.compile(r"^\s*<think>.*?(?=\n\n\S)", re.S | re.I)
# Chat templates that open the block in the prompt (DeepSeek-R1, QwQ) leave only its end in the reply.
_ORPHAN_THINK_END = re.compile(r"\A.*?</(?:think|reasoning)>", re.S | re.I)
_JSON_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)


def strip_reasoning(text: str) -> str:
    """Drop the ``<think>`` blocks of reasoning models: closed, unclosed at the start, or only their end."""
    text = _ORPHAN_THINK_END.sub("", _THINK_BLOCK.sub("", text))
    if re.match(r"\s*<think>", text, re.I):
        text = _UNCLOSED_THINK.sub("", text)
    return text.strip()


def parse_json_loose(text: str) -> Any:
    """JSON from a model reply that may wrap it in prose, fences or reasoning; raises ValueError if none."""
    text = strip_reasoning(text)
    fenced = _JSON_FENCE.search(text)
    candidates = [fenced.group(1)] if fenced else []
    candidates.append(text)
    # The outermost value opens first: a list of objects is not mistaken for its first object.
    pairs = (("{", "}"), ("[", "]"))
    openers = sorted((text.find(opener), closer) for opener, closer in pairs if opener in text)
    for start, closer in openers:
        end = text.rfind(closer)
        if start < end:
            candidates.append(text[start : end + 1])
    for candidate in candidates:
        try:
            return json.loads(candidate)
        except json.JSONDecodeError:
            continue
    raise ValueError(f"no JSON object in the model's reply: {text[:200]!r}")


class ModelUnavailableError(RuntimeError):
    """The chat model's endpoint kept failing with transient errors (429, 5xx, timeouts, no connection)."""


def is_transient_error(error: BaseException) -> bool:
    """Whether a provider may get over ``error`` (rate limits, 5xx, timeouts, dropped connections)."""
    import httpx
    import openai

    if isinstance(error, ModelUnavailableError):
        return True
    if isinstance(error, openai.APIStatusError):
        return error.status_code in (408, 409, 429) or error.status_code >= 500
    return isinstance(error, openai.APIConnectionError | httpx.TransportError | TimeoutError)


def is_configuration_error(error: BaseException) -> bool:
    """A wrong key, model name or endpoint: no retry helps, and no later call would succeed either."""
    import openai

    return isinstance(error, openai.AuthenticationError | openai.PermissionDeniedError | openai.NotFoundError)


@contextmanager
def provider_errors(model: str, base_url: str | None, purpose: str) -> Iterator[None]:
    """Name the endpoint in transient errors, so a run that stops on a provider outage says which one."""
    try:
        yield
    except Exception as error:
        if not is_transient_error(error) or isinstance(error, ModelUnavailableError):
            raise
        where = base_url or "the default OpenAI endpoint"
        raise ModelUnavailableError(
            f"chat model {model!r} at {where} did not answer ({purpose}): {type(error).__name__}: {error}"
        ) from error


def message_text(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)


def usage_of(message: BaseMessage) -> tuple[int, int]:
    usage = getattr(message, "usage_metadata", None) or {}
    return int(usage.get("input_tokens", 0)), int(usage.get("output_tokens", 0))


def reply_notes(message: BaseMessage) -> list[tuple[str, dict[str, Any]]]:
    """What run.json should say about one reply: the structured-output probe and mode, an unreadable
    structured reply, a structured reply repaired from a cut one, a reply cut at max_tokens (stamps set by
    ``structured`` and ``calls``)."""
    meta = getattr(message, "response_metadata", None) or {}
    notes: list[tuple[str, dict[str, Any]]] = []
    if "structured_probe" in meta:
        notes.append(("structured output mode chosen by probe",
                      {"structured_mode": meta.get("structured_mode"), "probe": meta["structured_probe"]}))
    if "structured_failure" in meta:
        notes.append(("structured reply unreadable", {"structured_mode": meta.get("structured_mode"),
                                                       "problem": meta["structured_failure"]}))
    if "structured_repaired" in meta:
        notes.append(("structured reply repaired from a cut reply",
                      {"structured_mode": meta.get("structured_mode"), "how": meta["structured_repaired"]}))
    if meta.get("finish_reason") == "length":
        notes.append(("reply cut at max_tokens", {"max_tokens": meta.get("max_tokens")}))
    return notes
