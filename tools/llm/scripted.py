"""The scripted replay model (``scripted:<file.json>``) that tests, demos and the dev-server test use.

It replays replies chosen by rules that match the prompt, so parallel section drafts get their own replies
whatever order they run in. It is a subclass of langchain-core's fake chat model, so ``bind_tools`` and
structured output behave as with a real model. Like a server it honours ``max_tokens`` (a reply longer
than ``max_tokens`` x 4 characters is cut and ends with ``finish_reason == "length"``) and records every
prompt and the keyword arguments of every request.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import LanguageModelInput
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from pydantic import BaseModel, ConfigDict, Field
from reportgraph.tools.llm.messages import message_text

# The replay's stand-in for a tokenizer: 4 characters a token (what bench figures call a len/4 estimate).
CHARS_PER_TOKEN = 4

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


class ScriptRule(BaseModel):
    """One scripted reply: used when every ``match`` string occurs in the prompt, at most ``times`` times.

    ``delay_s`` makes the reply take that long (a slow server).
    """

    match: list[str] = Field(default_factory=list)
    content: str = ""
    tool_call: dict[str, Any] | None = None
    times: int | None = None
    delay_s: float = 0.0


class ScriptedChatModel(GenericFakeChatModel):
    """Replays scripted replies picked by prompt content; records every prompt and request's arguments."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    messages: Any = Field(default_factory=lambda: iter(()))
    rules: list[ScriptRule] = Field(default_factory=list)
    used: dict[int, int] = Field(default_factory=dict)
    prompts: list[str] = Field(default_factory=list)
    requests: list[dict[str, Any]] = Field(default_factory=list)
    # A replay needs no probe: its rules hold tool calls, which every structured mode reads.
    structured_mode: str = "function_calling"
    lock: Any = Field(default_factory=threading.Lock, exclude=True)

    @classmethod
    def from_file(cls, path: Path) -> ScriptedChatModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        rules = data["rules"] if isinstance(data, dict) else data
        return cls(rules=[ScriptRule.model_validate(rule) for rule in rules])

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _pick(self, prompt: str, kwargs: dict[str, Any]) -> ScriptRule:
        with self.lock:
            self.prompts.append(prompt)
            self.requests.append({k: v for k, v in kwargs.items() if k != "run_manager"})
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
        rule = self._pick(prompt, kwargs)
        if rule.delay_s:
            time.sleep(rule.delay_s)
        content, finish = rule.content, "stop"
        limit = kwargs.get("max_tokens")
        if limit is not None and len(content) > int(limit) * CHARS_PER_TOKEN:
            content, finish = content[: int(limit) * CHARS_PER_TOKEN], "length"
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
        input_tokens = len(prompt) // CHARS_PER_TOKEN
        output_tokens = max(1, len(content) // CHARS_PER_TOKEN)
        reply = AIMessage(
            content=content,
            tool_calls=tool_calls,
            response_metadata={"finish_reason": finish},
            usage_metadata={"input_tokens": input_tokens, "output_tokens": output_tokens,
                            "total_tokens": input_tokens + output_tokens},
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
