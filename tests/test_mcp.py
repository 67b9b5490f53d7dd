"""MCP both ways: the project's tools served over stdio and streamable HTTP, called through
langchain-mcp-adapters; and external servers that are down at start-up or die mid-run."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.tools import ToolException
from langchain_mcp_adapters.client import MultiServerMCPClient
from langchain_mcp_adapters.tools import load_mcp_tools
from media_files import slide_video
from reportgraph.graph.graph import graph
from reportgraph.nodes.common import NodeRecord
from reportgraph.nodes.context import Context
from reportgraph.nodes.video import mcp_video_tool
from reportgraph.tools.intake.spec import parse_requirements
from reportgraph.tools.video.external import McpConfigError, read_mcp_config, start_mcp_servers

PROJECT_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = PROJECT_ROOT / "examples" / "hybrid_search_zh"
TASK = (
    "请根据我提供的论文及资料库，撰写一篇《混合检索技术学习报告》。报告需要概括论文的研究问题、方法与实验结论，"
    "并解释其中的关键技术（如 BM25 词法检索、稠密向量检索、倒数排名融合）。所有技术描述应基于论文内容，"
    "必要时引用资料库中的公开资料，并标注来源。报告使用正式书面语，包含以下部分：（1）论文基本信息；"
    "（2）核心内容摘要；（3）关键技术解析。字数在800至1200字。\n"
)
SLIDES = ["HYBRID SEARCH", "BM25 + DENSE", "RANK FUSION"]
SUBTITLES = """1
00:00:00,200 --> 00:00:01,800
Hybrid search combines two retrievers.

2
00:00:02,200 --> 00:00:03,800
BM25 matches words, dense vectors match meaning.

3
00:00:04,200 --> 00:00:05,800
Reciprocal rank fusion merges the two lists.
"""
QUERY = "reciprocal rank fusion"
STARTUP_TIMEOUT_S = 60
# External video tools: one that answers, one that lists fine at start-up but dies as soon as it is called.
VIDEO_SERVER = """
import os
from mcp.server.fastmcp import FastMCP

app = FastMCP("video")

@app.tool()
def describe_video(path: str) -> str:
    \"\"\"Describe a video file.\"\"\"
    {body}

app.run()
"""
HEALTHY_VIDEO_SERVER = VIDEO_SERVER.format(body='return "A slide reading HYBRID SEARCH."')
DYING_VIDEO_SERVER = VIDEO_SERVER.format(body="os._exit(1)")





@pytest.fixture(scope="module")
def task_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example's collection and paper, a three-section task, and a short talk with subtitles."""
    folder = tmp_path_factory.mktemp("mcp") / "hybrid"
    folder.mkdir()
    (folder / "task.md").write_text(TASK, encoding="utf-8")
    for name in ("long_context.json", "paper.pdf"):
        shutil.copy(EXAMPLE / name, folder / name)
    slide_video(folder / "clip.mp4", SLIDES, size=(480, 270))
    (folder / "clip.srt").write_text(SUBTITLES, encoding="utf-8")
    return folder


def server_env(cache_dir: Path, root: Path) -> dict[str, str]:
    # A stdio server gets only these (and a few basics) from its client; never the user's cache. It serves
    # the test's temporary folders (its root), not the working directory it would default to.
    return {"PATH": os.environ["PATH"], "REPORTGRAPH_CACHE_DIR": str(cache_dir),
            "REPORTGRAPH_EMBEDDER": "none", "REPORTGRAPH_ROOTS": str(root)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def http_server(cache_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("mcp-http") / "server.log"
    command = [sys.executable, "-m", "reportgraph.graph.mcp_server", "--transport", "streamable-http",
               "--port", str(port)]
    with log.open("wb") as sink:
        environ = {**os.environ, **server_env(cache_dir, tmp_path_factory.getbasetemp())}
        process = subprocess.Popen(command, env=environ, stdout=sink,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT_S
            while True:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"MCP server not listening on {port}:\n{log.read_text()[-3000:]}")
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.3)
            yield f"http://127.0.0.1:{port}/mcp"
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)


def text_of(content: Any) -> Any:
    """The JSON a tool returned, from the adapters' content blocks."""
    [block] = content
    return json.loads(block["text"])


def report_from(hits: list[dict[str, Any]], cite: str | None = None) -> str:
    """A report with the task's headings, each section quoting hits with their ids (or ``cite``); the
    source's own reference numbers ("[3]") are left out, as a writer quoting it would."""
    spec = parse_requirements(TASK)
    parts = [f"# {spec.title}"]
    for section, hit in zip(spec.sections, hits, strict=False):
        quoted = re.sub(r"\s*\[\d+(?:\s*[-–,]\s*\d+)*\]", "", hit["text"].strip())
        parts += [f"## {section.heading}", f"{quoted} [@{cite or hit['id']}]"]
    return "\n\n".join(parts) + "\n"


async def round_trip(connection: dict[str, Any], task_dir: Path) -> dict[str, Any]:
    """Call every tool once (and a few twice) in one session; what each returned or raised."""
    client = MultiServerMCPClient({"reportgraph": connection})  # type: ignore[dict-item]
    results: dict[str, Any] = {}
    async with client.session("reportgraph") as session:
        tools = {tool.name: tool for tool in await load_mcp_tools(session, handle_tool_errors=False)}
        results["tools"] = sorted(tools)
        task = str(task_dir)
        search = text_of(await tools["search_corpus"].ainvoke({"task_dir": task, "query": QUERY, "k": 3}))
        results["search"] = search
        first = search["hits"][0]
        fetch = tools["fetch_context"]
        results["by_id"] = text_of(await fetch.ainvoke({"task_dir": task, "source_id": first["id"]}))
        results["by_title"] = text_of(await fetch.ainvoke({"task_dir": task, "title": first["title"]}))
        try:
            await fetch.ainvoke({"task_dir": task, "source_id": "lc-0000000000-9"})
        except ToolException as error:
            results["unknown_id"] = str(error)
        video = {"path": str(task_dir / "clip.mp4"), "language": "en", "time_budget_s": 1e6}  # unreached
        results["video"] = text_of(await tools["analyse_video"].ainvoke(video))
        check = tools["validate_report"]
        for name, report in (("valid", report_from(search["hits"])),
                             ("invalid", report_from(search["hits"], cite="lc-0000000000-9"))):
            results[name] = text_of(await check.ainvoke({"task_dir": task, "report_markdown": report}))
    return results


@pytest.fixture(scope="module", params=["stdio", "streamable_http"])
def served(request: pytest.FixtureRequest, task_dir: Path, cache_dir: Path) -> dict[str, Any]:
    if request.param == "stdio":
        connection = {"transport": "stdio", "command": sys.executable,
                      "args": ["-m", "reportgraph.graph.mcp_server"],
                      "env": server_env(cache_dir, task_dir.parent.parent)}
    else:
        connection = {"transport": "streamable_http", "url": request.getfixturevalue("http_server")}
    return asyncio.run(asyncio.wait_for(round_trip(connection, task_dir), 240))


def test_server_offers_the_four_tools(served: dict[str, Any]) -> None:
    assert served["tools"] == ["analyse_video", "fetch_context", "search_corpus", "validate_report"]


def test_search_corpus_returns_cited_hits(served: dict[str, Any]) -> None:
    search = served["search"]
    assert search["query"] == QUERY and 1 <= len(search["hits"]) <= 3
    assert search["records_indexed"] > len(search["hits"])
    assert "embedder=none" in search["retrieval"]
    scores = [hit["score"] for hit in search["hits"]]
    assert scores == sorted(scores, reverse=True)
    assert any("fusion" in (hit["title"] + hit["text"]).lower() for hit in search["hits"])
    assert all(hit["id"] and hit["citation"].startswith("[") for hit in search["hits"])


def test_fetch_context_by_id_and_by_title(served: dict[str, Any]) -> None:
    first = served["search"]["hits"][0]
    [by_id] = served["by_id"]["sources"]
    assert (by_id["id"], by_id["text"]) == (first["id"], first["text"])
    by_title = served["by_title"]["sources"]
    assert first["id"] in [source["id"] for source in by_title]
    assert {source["title"] for source in by_title} == {first["title"]}
    assert "lc-0000000000-9" in served["unknown_id"]


def test_analyse_video_returns_timestamped_segments(served: dict[str, Any]) -> None:
    video = served["video"]
    assert video["status"] == "ok", video["problems"]
    subtitles = [r for r in video["records"] if r["segment"] == "subtitle"]
    assert any("fusion" in r["text"] for r in subtitles)
    assert all(r["end_s"] > r["start_s"] for r in subtitles)
    slide_text = " ".join(r["text"] for r in video["records"] if r["segment"] == "slide")
    assert "FUSION" in slide_text.upper()


def test_validate_report_runs_the_hard_checks(served: dict[str, Any]) -> None:
    valid = {check["name"]: check for check in served["valid"]["checks"]}
    assert valid["sections"]["passed"] and valid["citations_resolve"]["passed"], valid["citations_resolve"]
    assert not valid["length"]["passed"]  # three quoted chunks are far from 800 characters
    assert not served["valid"]["passed"]
    assert served["valid"]["requirements"]["length"]["min"] == 800
    invalid = {check["name"]: check for check in served["invalid"]["checks"]}
    assert not invalid["citations_resolve"]["passed"]
    assert "lc-0000000000-9" in json.dumps(invalid["citations_resolve"])


# --- external servers: down at start-up, dying mid-run ---------------------------------------------------


def write_config(path: Path, servers: dict[str, Any], **settings: Any) -> Path:
    path.write_text(json.dumps({"servers": servers, **settings}), encoding="utf-8")
    return path


def closed_port_url() -> str:
    return f"http://127.0.0.1:{free_port()}/mcp"  # bound and released: nothing listens there


def stdio_script(path: Path, source: str) -> dict[str, Any]:
    path.write_text(source, encoding="utf-8")
    return {"transport": "stdio", "command": sys.executable, "args": [str(path)]}


def test_servers_down_at_start_are_retried_then_left_out(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "mcp.json",
        {"broken": {"transport": "stdio", "command": str(tmp_path / "no-such-server")},
         "offline": {"transport": "streamable_http", "url": closed_port_url()},
         "video": stdio_script(tmp_path / "video_server.py", HEALTHY_VIDEO_SERVER)},
        video_tool={"server": "video", "tool": "describe_video"},
        attempts=3, backoff_s=0.05, timeout_s=60,
    )
    startup = start_mcp_servers(read_mcp_config(config))
    assert [tool.name for server in startup.servers.values() for tool in server.tools] == ["describe_video"]
    attempts = {name: server.attempts for name, server in startup.servers.items()}
    assert attempts == {"broken": 3, "offline": 3, "video": 1}
    assert len(startup.problems) == 2
    assert "'broken' unreachable after 3 attempt(s)" in startup.problems[0]
    assert "'offline' unreachable after 3 attempt(s)" in startup.problems[1]
    tool = startup.video_tool or pytest.fail("the video tool's server answered: the tool must be kept")
    assert (tool.server_name, tool.tool, tool.attempts) == ("video", "describe_video", 3)


def test_a_server_without_the_configured_tool_is_left_out(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "mcp.json",
        {"video": stdio_script(tmp_path / "video_server.py", HEALTHY_VIDEO_SERVER)},
        video_tool={"server": "video", "tool": "summarise_talk"},
    )
    startup = start_mcp_servers(read_mcp_config(config))
    assert startup.video_tool is None
    [problem] = startup.problems
    assert "offers no tool 'summarise_talk' (it offers: describe_video)" in problem


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not usable"),
        ('{"servers": {"a": {"transport": "stdio"}}}', "needs a command"),
        ('{"servers": {}, "video_tool": {"server": "v", "tool": "t"}}', "not listed"),
    ],
)
def test_unusable_config_is_refused_clearly(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "mcp.json").write_text(content, encoding="utf-8")
    with pytest.raises(McpConfigError, match=message):
        read_mcp_config(tmp_path / "mcp.json")
    record = NodeRecord("video_analyse")
    assert mcp_video_tool(Context(mcp_config=str(tmp_path / "mcp.json")), record) is None
    [fallback] = record.events
    assert fallback["step"] == "mcp_config" and message in fallback["reason"]


def test_a_video_server_dying_mid_run_is_recorded_and_the_run_goes_on(
    task_dir: Path, tmp_path: Path, cache_dir: Path
) -> None:
    config = write_config(
        tmp_path / "mcp.json",
        {"video": stdio_script(tmp_path / "video_server.py", DYING_VIDEO_SERVER),
         "offline": {"transport": "streamable_http", "url": closed_port_url()}},
        video_tool={"server": "video", "tool": "describe_video"},
        attempts=2, backoff_s=0.05, timeout_s=60,
    )
    output = tmp_path / "out"
    result = graph.invoke(
        {"task_dir": str(task_dir)},
        context={"llm": "off", "embedder": "none", "cache_dir": str(cache_dir), "output_dir": str(output),
                 "mcp_config": str(config)},
    )
    assert result["status"] in ("pass", "needs_review")
    assert "describe_video" in (output / "report.md").read_text(encoding="utf-8")  # disclosed to readers
    record = json.loads((output / "run.json").read_text(encoding="utf-8"))
    at_start = [f for f in record["fallbacks"] if f["step"] == "mcp_server"]
    assert len(at_start) == 1 and "'offline' unreachable after 2 attempt(s)" in at_start[0]["reason"]
    [analysis] = record["video"]["analyses"]
    external = next(step for step in analysis["steps"] if step["step"] == "external")
    assert external["status"] == "failed"
    assert "unreachable after 2 attempts" in external["detail"]
    assert any("external video tool 'describe_video' failed" in note["message"] for note in record["notes"])
    assert analysis["records"] > 0  # the local steps still stand
