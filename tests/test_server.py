"""The graph served by `langgraph dev` (langgraph-cli[inmem]) from langgraph.json, driven by langgraph-sdk.

The server runs offline as a subprocess on a free loopback port, with its state in a temporary working
directory; the run uses the offline extractive drafter on a task built from the bundled example's materials.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from langgraph_sdk import get_sync_client
from langgraph_sdk.client import SyncLangGraphClient
from reportgraph.tools.intake.spec import parse_requirements

PROJECT_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = PROJECT_ROOT / "examples" / "hybrid_search_zh"
TASK = (
    "请根据我提供的论文及资料库，撰写一篇《混合检索技术学习报告》。报告需要概括论文的研究问题、方法与实验结论，"
    "并解释其中的关键技术（如 BM25 词法检索、稠密向量检索、倒数排名融合）。所有技术描述应基于论文内容，"
    "必要时引用资料库中的公开资料，并标注来源。报告使用正式书面语，包含以下部分：（1）论文基本信息；"
    "（2）核心内容摘要；（3）关键技术解析。字数在800至1200字。\n"
)
STARTUP_TIMEOUT_S = 120
RUN_TIMEOUT_S = 300



def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"langgraph dev exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/ok", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    pytest.fail(f"langgraph dev not ready after {STARTUP_TIMEOUT_S}s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("langgraph-dev")  # the in-memory server keeps its state here
    port = free_port()
    log = workdir / "server.log"
    env = {**os.environ, "LANGGRAPH_CLI_NO_ANALYTICS": "1", "LANGSMITH_TRACING": "false",
           "REPORTGRAPH_CACHE_DIR": str(cache_dir)}
    command = [sys.executable, "-m", "langgraph_cli", "dev", "--no-browser", "--no-reload",
               "--host", "127.0.0.1", "--port", str(port),
               "--config", str(PROJECT_ROOT / "langgraph.json")]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=workdir, env=env, stdout=sink, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_ready(url, process, log)
            yield url
        finally:
            os.killpg(process.pid, signal.SIGTERM)  # the CLI, its server and any worker they started
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)


@pytest.fixture(scope="module")
def client(server: str) -> SyncLangGraphClient:
    return get_sync_client(url=server, timeout=RUN_TIMEOUT_S)


@pytest.fixture(scope="module")
def task_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("served") / "hybrid"
    folder.mkdir()
    (folder / "task.md").write_text(TASK, encoding="utf-8")
    for name in ("long_context.json", "paper.pdf"):
        shutil.copy(EXAMPLE / name, folder / name)
    return folder


def assistant_id(client: SyncLangGraphClient) -> str:
    [assistant] = client.assistants.search(graph_id="reportgraph")
    return str(assistant["assistant_id"])


def test_studio_sees_the_input_output_and_context_schemas(client: SyncLangGraphClient) -> None:
    schemas = client.assistants.get_schemas(assistant_id(client))
    input_schema = schemas["input_schema"] or pytest.fail("no input schema: Studio would show no form")
    assert input_schema["required"] == ["task_dir"]
    assert set(input_schema["properties"]) == {"task_dir"}
    output_schema = schemas["output_schema"] or pytest.fail("no output schema")
    assert {"status", "report_markdown", "output_dir", "validation"} <= set(output_schema["properties"])
    context_fields = (schemas["context_schema"] or pytest.fail("no context schema"))["properties"]
    assert {"chat_model", "llm", "embedder", "output_dir", "mcp_config"} <= set(context_fields)
    undocumented = [name for name, field in context_fields.items() if not field.get("description")]
    assert not undocumented, f"context fields without a description in Studio: {undocumented}"


def test_a_run_streams_progress_and_ends_with_the_report(
    client: SyncLangGraphClient, task_dir: Path, cache_dir: Path, tmp_path: Path
) -> None:
    thread = client.threads.create()
    output = tmp_path / "out"
    context = {"llm": "off", "embedder": "none", "output_dir": str(output), "cache_dir": str(cache_dir)}
    parts: list[tuple[str, Any]] = [
        (part.event, part.data)
        for part in client.runs.stream(
            thread["thread_id"], "reportgraph", input={"task_dir": str(task_dir)}, context=context,
            stream_mode=["updates", "custom"],
        )
    ]
    assert not [data for event, data in parts if event == "error"]
    custom = [data for event, data in parts if event == "custom"]
    indexing = [e for e in custom if e["node"] == "retrieve" and {"stage", "done", "total"} <= e.keys()]
    assert indexing and all(0 <= e["done"] <= e["total"] for e in indexing)
    verdicts = [e for e in custom if e["node"] == "validate" and "checks" in e]
    assert verdicts, "each validation round streams its checks"
    verdict = verdicts[-1]
    assert verdict["status"] in {"pass", "needs_review"}
    if all(verdict["checks"].values()):
        assert verdict["status"] == "pass"
    finished = {node for event, data in parts if event == "updates" for node in data}
    assert {"plan", "retrieve", "video_analyse", "draft", "validate"} <= finished

    values = client.threads.get_state(thread["thread_id"])["values"]
    assert isinstance(values, dict)
    assert values["status"] == verdict["status"]
    # the status follows the hard checks: the report passes exactly when none of them failed
    hard_failed = [c["name"] for c in values["validation"]["checks"] if c["hard"] and not c["passed"]]
    assert (values["status"] == "pass") == (not hard_failed), hard_failed
    report = values["report_markdown"]
    spec = parse_requirements(TASK)
    positions = [report.find(f"\n## {section.heading}\n") for section in spec.sections]
    assert -1 not in positions and positions == sorted(positions), report[:500]
    assert "[@" not in report  # citations are rendered for readers
    assert (output / "report.md").read_text(encoding="utf-8").startswith(f"# {spec.title}")
