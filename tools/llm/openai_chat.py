"""The OpenAI-compatible chat model every real request goes through: :class:`GatedChatOpenAI`.

Apart from :mod:`calls` so that importing the package does not import ``langchain_openai`` and the
``openai`` SDK (about a second of a warm offline run, which never sends a request):
:func:`~reportgraph.tools.llm.factory.make_chat_model` imports this module when a run has a model.
"""

from __future__ import annotations

import asyncio
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatResult
from langchain_openai import ChatOpenAI
from pydantic import Field
from reportgraph.tools.llm.calls import (
    DEFAULT_MAX_TOKENS,
    CallLimits,
    estimate_tokens,
    gate_for,
    gated_call,
    result_usage,
)
from reportgraph.tools.llm.messages import message_text
from reportgraph.tools.memo import RunMemo


class GatedChatOpenAI(ChatOpenAI):
    """ChatOpenAI whose every request goes through its endpoint's :class:`ServerGate` and is bounded.

    ``max_tokens`` (default ``DEFAULT_MAX_TOKENS``) goes out as ``max_tokens`` to a server of its own
    (``base_url`` set: llama.cpp, vLLM, Ollama read that name) and as ``max_completion_tokens`` to
    OpenAI. A ``response_format`` goes in the request body as is: the SDK's own parser would raise on a
    malformed reply before it could be read loosely or retried with its parse error. ``run_memo`` keeps
    what the run learned about the endpoint (its structured-output mode); by default the model's own.
    """

    limits: CallLimits = Field(default_factory=CallLimits)
    run_memo: RunMemo = Field(default_factory=RunMemo, exclude=True)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        max_tokens = int(kwargs.pop("max_tokens", None) or DEFAULT_MAX_TOKENS)
        body = dict(kwargs.pop("extra_body", None) or {})
        if "response_format" in kwargs:
            body["response_format"] = kwargs.pop("response_format")
        if self.openai_api_base:
            body["max_tokens"] = max_tokens
        else:
            kwargs["max_tokens"] = max_tokens
        gate = gate_for(self.openai_api_base, self.model_name, self.limits.max_concurrent, self.run_memo)
        prompt_tokens = estimate_tokens("\n".join(message_text(m) for m in messages))

        def send(timeout: float) -> ChatResult:
            return super(GatedChatOpenAI, self)._generate(
                messages, stop, run_manager, timeout=timeout, extra_body=body or None, **kwargs
            )

        result = gated_call(gate, self.limits, (prompt_tokens, max_tokens), send, result_usage)
        for generation in result.generations:
            generation.message.response_metadata["max_tokens"] = max_tokens
        return result

    async def _agenerate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                         run_manager: Any = None, **kwargs: Any) -> ChatResult:
        # The gate is thread-based; an async caller (the dev server) waits for it in a worker thread.
        return await asyncio.to_thread(self._generate, messages, stop, None, **kwargs)
