"""Chat models: any OpenAI-compatible endpoint via langchain-openai, or a scripted replay model.

The scripted model (``scripted:<file.json>``) replays replies chosen by rules that match the prompt, so
parallel section drafts get their own replies whatever order they run in. Tests, demos and the dev-server
test use it; it is a subclass of langchain-core's fake chat model, so ``bind_tools`` and structured output
behave as with a real model.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from pydantic import BaseModel, ConfigDict, Field

SCRIPTED_PREFIX = "scripted:"
_THINK_BLOCK = re.compile(r"<think>.*?</think>|<reasoning>.*?</reasoning>", re.S | re.I)
_UNCLOSED_THINK = re.compile(r"^\s*<think>.*?(?=\n\n\S)", re.S | re.I)
_JSON_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)


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
    """Drop ``<think>`` blocks (closed, or an unclosed one leading the reply) that reasoning models emit."""
    text = _THINK_BLOCK.sub("", text)
    if re.match(r"\s*<think>", text, re.I):
        text = _UNCLOSED_THINK.sub("", text)
    return text.strip()


def parse_json_loose(text: str) -> Any:
    """JSON from a model reply that may wrap it in prose, fences or reasoning; raises ValueError if none."""
    text = strip_reasoning(text)
    fenced = _JSON_FENCE.search(text)
    candidates = [fenced.group(1)] if fenced else []
    candidates.append(text)
    for opener, closer in (("{", "}"), ("[", "]")):
        start, end = text.find(opener), text.rfind(closer)
        if 0 <= start < end:
            candidates.append(text[start : end + 1])
    for candidate in candidates:
        try:
            return json.loads(candidate)
        except json.JSONDecodeError:
            continue
    raise ValueError(f"no JSON object in the model's reply: {text[:200]!r}")


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
