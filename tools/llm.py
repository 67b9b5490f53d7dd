"""Chat models: any OpenAI-compatible endpoint via langchain-openai, or a scripted replay model.

The scripted model (``scripted:<file.json>``) replays replies chosen by rules that match the prompt, so
parallel section drafts get their own replies whatever order they run in. Tests, demos and the dev-server
test use it; it is a subclass of langchain-core's fake chat model, so ``bind_tools`` and structured output
behave as with a real model.

Servers differ: some reasoning models wrap their answer in ``<think>`` blocks, answer a tool call with JSON
in prose, or truncate it. :func:`invoke_structured` reads such replies loosely instead of failing, and
:func:`is_transient_error` tells the errors worth retrying (rate limits, 5xx, timeouts) from the rest.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from pydantic import BaseModel, ConfigDict, Field, ValidationError

SCRIPTED_PREFIX = "scripted:"
_THINK_BLOCK = re.compile(r"<think>.*?</think>|<reasoning>.*?</reasoning>", re.S | re.I)
_UNCLOSED_THINK = re.compile(r"^\s*<think>.*?(?=\n\n\S)", re.S | re.I)
# Chat templates that open the block in the prompt (DeepSeek-R1, QwQ) leave only its end in the reply.
_ORPHAN_THINK_END = re.compile(r"\A.*?</(?:think|reasoning)>", re.S | re.I)
_JSON_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)
SchemaT = TypeVar("SchemaT", bound=BaseModel)


class LLMSettings(BaseModel):
    model: str
    base_url: str | None = None
    api_key: str | None = None
    temperature: float = 0.2
    timeout_s: float = 120.0
    max_retries: int = 2


def make_chat_model(settings: LLMSettings) -> BaseChatModel:
    """A chat model for ``settings.model``: scripted replay, or ChatOpenAI on any compatible endpoint."""
    if settings.model.startswith(SCRIPTED_PREFIX):
        return scripted_model(Path(settings.model.removeprefix(SCRIPTED_PREFIX)))
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=settings.model,
        base_url=settings.base_url,
        # Local servers (Ollama, vLLM) accept any key; the client insists on one.
        api_key=settings.api_key or "not-needed",  # type: ignore[arg-type]
        temperature=settings.temperature,
        timeout=settings.timeout_s,
        max_retries=settings.max_retries,
    )


_SCRIPTED_MODELS: dict[Path, ScriptedChatModel] = {}
_SCRIPTED_LOCK = threading.Lock()


def scripted_model(path: Path) -> ScriptedChatModel:
    """One replay model per script file and process, so rules with ``times`` count across nodes."""
    key = path.resolve()
    with _SCRIPTED_LOCK:
        if key not in _SCRIPTED_MODELS:
            _SCRIPTED_MODELS[key] = ScriptedChatModel.from_file(key)
        return _SCRIPTED_MODELS[key]


def forget_scripted_models() -> None:
    with _SCRIPTED_LOCK:
        _SCRIPTED_MODELS.clear()


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


@dataclass
class StructuredReply(Generic[SchemaT]):
    """A structured-output call: the value read (None if none could be), every raw reply, and why not."""

    value: SchemaT | None
    replies: list[BaseMessage] = field(default_factory=list)
    problem: str = ""


def invoke_structured(
    model: BaseChatModel, schema: type[SchemaT], messages: Sequence[tuple[str, str]]
) -> StructuredReply[SchemaT]:
    """Ask for ``schema`` through tool calling; read a reply that misses the tool call loosely.

    Tool calling is what OpenAI, DeepSeek, Qwen, vLLM, SGLang and Ollama all accept (``json_schema``
    response formats are not universal, and the SDK's own parser raises on malformed JSON before the reply
    can be looked at). An endpoint that rejects tools (400) is asked once more for plain JSON. Transient
    errors propagate, for the node's retry policy.
    """
    import openai

    replies: list[BaseMessage] = []
    try:
        structured = model.with_structured_output(schema, method="function_calling", include_raw=True)
        result: dict[str, Any] = structured.invoke(list(messages))  # type: ignore[assignment]
    except openai.BadRequestError as error:
        instruction = (
            "Answer with one JSON object only, no prose, matching this JSON schema:\n"
            + json.dumps(schema.model_json_schema(), ensure_ascii=False)
        )
        reply = model.invoke([*messages, ("human", instruction)])
        replies.append(reply)
        value, problem = read_structured(schema, reply)
        return StructuredReply(value, replies, problem or f"tool calling rejected ({error.status_code})")
    replies.append(result["raw"])
    parsed = result.get("parsed")
    if isinstance(parsed, schema):
        return StructuredReply(parsed, replies)
    value, problem = read_structured(schema, result["raw"])
    return StructuredReply(value, replies, problem or str(result.get("parsing_error") or ""))


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
        # A bare list is taken as the value of a schema's only field ({"sections": [...]} sent as [...]).
        if isinstance(candidate, list) and len(schema.model_fields) == 1:
            candidate = {next(iter(schema.model_fields)): candidate}
        try:
            return schema.model_validate(candidate), ""
        except ValidationError as error:
            problems.append(f"{error.error_count()} validation error(s)")
    excerpt = next((text for text in reversed(texts) if text.strip()), "")[:120]
    return None, f"no {schema.__name__} in the reply ({'; '.join(problems) or 'no JSON'}): {excerpt!r}"


def message_text(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)


def usage_of(message: BaseMessage) -> tuple[int, int]:
    usage = getattr(message, "usage_metadata", None) or {}
    return int(usage.get("input_tokens", 0)), int(usage.get("output_tokens", 0))


class ScriptRule(BaseModel):
    """One scripted reply: used when every ``match`` string occurs in the prompt, at most ``times`` times."""

    match: list[str] = Field(default_factory=list)
    content: str = ""
    tool_call: dict[str, Any] | None = None
    times: int | None = None


class ScriptedChatModel(GenericFakeChatModel):
    """Replays scripted replies picked by prompt content; records every prompt it was sent."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    messages: Any = Field(default_factory=lambda: iter(()))
    rules: list[ScriptRule] = Field(default_factory=list)
    used: dict[int, int] = Field(default_factory=dict)
    prompts: list[str] = Field(default_factory=list)
    lock: Any = Field(default_factory=threading.Lock, exclude=True)

    @classmethod
    def from_file(cls, path: Path) -> ScriptedChatModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        rules = data["rules"] if isinstance(data, dict) else data
        return cls(rules=[ScriptRule.model_validate(rule) for rule in rules])

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _pick(self, prompt: str) -> ScriptRule:
        with self.lock:
            self.prompts.append(prompt)
            for position, rule in enumerate(self.rules):
                if rule.times is not None and self.used.get(position, 0) >= rule.times:
                    continue
                if all(needle in prompt for needle in rule.match):
                    self.used[position] = self.used.get(position, 0) + 1
                    return rule
        raise ValueError(f"scripted model: no rule matches the prompt {prompt[-300:]!r}")

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        prompt = "\n".join(message_text(m) for m in messages)
        rule = self._pick(prompt)
        tool_calls = []
        if rule.tool_call is not None:
            tool_calls = [
                {
                    "name": rule.tool_call["name"],
                    "args": rule.tool_call.get("args", {}),
                    "id": f"call_{len(self.prompts)}",
                    "type": "tool_call",
                }
            ]
        reply = AIMessage(
            content=rule.content,
            tool_calls=tool_calls,
            usage_metadata={
                "input_tokens": len(prompt) // 4,
                "output_tokens": max(1, len(rule.content) // 4),
                "total_tokens": len(prompt) // 4 + max(1, len(rule.content) // 4),
            },
        )
        return ChatResult(generations=[ChatGeneration(message=reply)])

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        # The script already holds the tool calls to return; binding only has to keep the interface.
        return self
