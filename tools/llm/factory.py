"""The chat model of a run: a scripted replay (``scripted:<file.json>``) or ChatOpenAI on any compatible
endpoint, gated per endpoint (:mod:`reportgraph.tools.llm.calls`)."""

from __future__ import annotations

from pathlib import Path

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel
from reportgraph.tools.llm.calls import CallLimits
from reportgraph.tools.llm.scripted import scripted_model
from reportgraph.tools.memo import RunMemo

SCRIPTED_PREFIX = "scripted:"


class LLMSettings(BaseModel):
    """One run's chat model; ``timeout_s``, ``max_retries`` and ``max_concurrent`` are applied per call
    by :mod:`reportgraph.tools.llm.calls` (see :class:`~reportgraph.tools.llm.calls.CallLimits`)."""

    model: str
    base_url: str | None = None
    api_key: str | None = None
    temperature: float = 0.2
    timeout_s: float = 600.0
    max_retries: int = 2
    max_concurrent: int = 1


def make_chat_model(settings: LLMSettings, run_memo: RunMemo | None = None) -> BaseChatModel:
    """A chat model for ``settings.model``: scripted replay, or ChatOpenAI on any compatible endpoint.

    The ChatOpenAI one sends every request through the endpoint's gate (concurrency, adaptive timeout,
    retries, Ctrl-C); its own client neither retries nor times out on its own. ``run_memo`` is the run's
    (what it learns about the endpoint, e.g. its structured-output mode, is learned once per run); without
    one the model keeps its own.
    """
    # Imported only when a run has a model: the openai SDK takes about a second to import.
    from reportgraph.tools.llm.openai_chat import GatedChatOpenAI

    if settings.model.startswith(SCRIPTED_PREFIX):
        return scripted_model(Path(settings.model.removeprefix(SCRIPTED_PREFIX)))
    return GatedChatOpenAI(
        model=settings.model,
        base_url=settings.base_url,
        # Local servers (Ollama, vLLM) accept any key; the client insists on one.
        api_key=settings.api_key or "not-needed",
        temperature=settings.temperature,
        max_retries=0,
        # An invoke never streams, so every request is one gated call (LangGraph's "messages" stream
        # mode would otherwise switch the model to streaming, around the gate).
        disable_streaming=True,
        limits=CallLimits(timeout_s=settings.timeout_s, max_retries=settings.max_retries,
                          max_concurrent=settings.max_concurrent),
        run_memo=run_memo or RunMemo(),
    )
