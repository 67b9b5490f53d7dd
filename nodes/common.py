"""Small helpers the nodes share: run-record events, progress events, the chat model and its structured
questions, and the task's index and its records as registry entries (each made once per run)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langgraph.runtime import Runtime
from reportgraph.nodes.context import Context, env
from reportgraph.nodes.state import ReportState
from reportgraph.tools.intake import Inventory
from reportgraph.tools.llm import LLMSettings, SchemaT, ask_structured, make_chat_model, reply_notes, usage_of
from reportgraph.tools.registry import to_registry
from reportgraph.tools.retrieval import EmbedderSettings, IndexBuild, ProgressCallback, build_task_index
from reportgraph.tools.retrieval import embedder_settings as run_embedder_settings
from reportgraph.tools.writing.report import assemble


def emit(runtime: Runtime[Context], node: str, message: str, **data: Any) -> None:
    """A custom stream event: the CLI shows it as progress, SDK clients read it with stream_mode=custom."""
    writer = runtime.stream_writer
    if writer is not None:
        writer({"node": node, "message": message, **data})


class NodeRecord:
    """Collects one node invocation's events for run.json: its time, model calls and fallbacks."""

    def __init__(self, node: str) -> None:
        self.node = node
        self.started = time.perf_counter()
        self.events: list[dict[str, Any]] = []
        self.llm_calls = 0
        self.input_tokens = 0
        self.output_tokens = 0

    def llm(self, reply: Any) -> None:
        self.llm_calls += 1
        input_tokens, output_tokens = usage_of(reply)
        self.input_tokens += input_tokens
        self.output_tokens += output_tokens
        for message, data in reply_notes(reply):
            self.note(message, **data)

    def fallback(self, step: str, reason: str) -> None:
        self.events.append({"kind": "fallback", "node": self.node, "step": step, "reason": reason})

    def note(self, message: str, **data: Any) -> None:
        self.events.append({"kind": "note", "node": self.node, "message": message, **data})

    def finish(self, **data: Any) -> list[dict[str, Any]]:
        timing: dict[str, Any] = {
            "kind": "node",
            "node": self.node,
            "seconds": round(time.perf_counter() - self.started, 3),
            "finished_at": time.time(),
            **data,
        }
        if self.llm_calls:
            timing.update(
                llm_calls=self.llm_calls, input_tokens=self.input_tokens, output_tokens=self.output_tokens
            )
        return [*self.events, timing]


def chat_model(context: Context) -> BaseChatModel:
    return make_chat_model(
        LLMSettings(
            model=context.chat_model,
            base_url=context.base_url,
            api_key=env().openai_api_key,
            temperature=context.temperature,
            timeout_s=context.request_timeout_s,
            max_retries=context.max_retries,
            max_concurrent=context.max_model_calls,
        ),
        context.memo,
    )


def embedder_settings(context: Context) -> EmbedderSettings:
    """The run's embedder settings, with the API key from the environment and the run's memo (the
    embeddings endpoint is probed once per run)."""
    return run_embedder_settings(context, env().openai_api_key, context.memo)


def ask(context: Context, schema: type[SchemaT], messages: Sequence[tuple[str, str]], purpose: str,
        record: NodeRecord, max_tokens: int | None = None) -> SchemaT | None:
    """The run's model asked for ``schema`` (tools.llm.ask_structured: provider errors raise, anything else
    is a fallback recorded under ``purpose`` and None); every reply counted in ``record``."""
    extra = {} if max_tokens is None else {"max_tokens": max_tokens}
    return ask_structured(chat_model(context), schema, messages, purpose=purpose, on_reply=record.llm,
                          on_fallback=record.fallback, **extra)


def task_index(context: Context, task_dir: Path, stock: Inventory | None = None,
               progress: ProgressCallback | None = None) -> IndexBuild:
    """The task folder's retrieval index, built or loaded from the cache once per run (the run's memo):
    retrieve builds it, validate and the gap search reuse it every round. Raises BadInputError for
    materials that cannot be used."""
    key = ("task_index", str(Path(task_dir).resolve()))
    settings = embedder_settings(context)
    build, _ = context.memo.once(
        key, lambda: build_task_index(task_dir, settings, context.cache_dir, progress, stock)
    )
    return build


def task_collection(context: Context, task_dir: Path) -> dict[str, dict[str, Any]]:
    """Every record of the task's index as registry entries (id → record dict: what relevance ranks a cited
    document among), made once per run beside the index (the run's memo), so validate's rounds reuse it
    instead of converting the whole index each round. Shared: read it, never change it."""
    key = ("task_collection", str(Path(task_dir).resolve()))
    collection, _ = context.memo.once(key, lambda: to_registry(task_index(context, task_dir).store.records))
    return collection


def draft_markdown(state: ReportState) -> str:
    """The report as drafted so far (``[@id]`` citations): what validate checks and finish renders."""
    return assemble(state["spec"], state.get("drafts") or {}, state.get("video") or {},
                    (state.get("retrieval") or {}).get("materials"))
