"""Served surfaces read only under their roots (issue 27): every escape — an absolute path outside, a path
with '..', a task folder that is a link out, a material inside the folder that links out, a video or its
subtitles linking out — tried through each surface: the four MCP tools, the served graph (REPORTGRAPH_ROOTS),
and the HTTP listener (no token beyond loopback; a bearer token checked on every request)."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp.server.fastmcp.exceptions import ToolError
from reportgraph.graph.graph import graph
from reportgraph.graph.mcp_server import build_server
from reportgraph.tools.confine import ROOTS_ENV, TOKEN_ENV, PathRefused, Roots, bearer_ok, is_loopback

SECRET = "Zebra ledger 4417 holds the vault combination."
TASK = (
    'Write a short report titled "Tide Notes". The report must contain these sections, in this order: '
    "1. Causes; 2. Effects. Length: 40 to 300 words. Cite your sources.\n"
)
SUBTITLES = "1\n00:00:00,000 --> 00:00:02,000\n" + SECRET + "\n"


def _task(folder: Path, content: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "task.md").write_text(TASK, encoding="utf-8")
    documents = [{"title": "Tides", "url": "https://example.org/tides", "content": content}]
    (folder / "long_context.json").write_text(json.dumps(documents), encoding="utf-8")
    return folder


@pytest.fixture()
def world(tmp_path: Path) -> dict[str, Path]:
    """A served root with a good task folder, and a secret folder beside it (outside the root)."""
    root, secret = tmp_path / "served", tmp_path / "private"
    good = _task(root / "tides", "The moon's pull raises tides. Spring tides follow the full moon.")
    _task(secret / "vault", SECRET)
    (secret / "talk.mp4").write_bytes(b"not really a video")
    (secret / "talk.srt").write_text(SUBTITLES, encoding="utf-8")
    (root / "linked").symlink_to(secret / "vault", target_is_directory=True)  # a task folder linking out
    leaky = _task(root / "leaky", "placeholder")
    (leaky / "long_context.json").unlink()
    (leaky / "long_context.json").symlink_to(secret / "vault" / "long_context.json")  # a material linking out
    (root / "clip.mp4").symlink_to(secret / "talk.mp4")  # a video linking out
    (root / "own.mp4").write_bytes(b"not really a video")
    (root / "own.srt").symlink_to(secret / "talk.srt")  # its subtitles linking out
    return {"root": root, "good": good, "secret": secret}


def escapes(world: dict[str, Path]) -> dict[str, tuple[str, str]]:
    """Each escape: (the path a client sends for a task folder, the refusal code)."""
    root, secret = world["root"], world["secret"]
    return {
        "absolute outside": (str(secret / "vault"), "outside_roots"),
        "dot-dot": (f"{root}/../private/vault", "parent_reference"),
        "dot-dot back inside": (f"{root}/tides/../tides", "parent_reference"),
        "folder links out": (str(root / "linked"), "outside_roots"),
        "material links out": (str(root / "leaky"), "link_out"),
    }


def video_escapes(world: dict[str, Path]) -> dict[str, tuple[str, str]]:
    root, secret = world["root"], world["secret"]
    return {
        "absolute outside": (str(secret / "talk.mp4"), "outside_roots"),
        "dot-dot": (f"{root}/../private/talk.mp4", "parent_reference"),
        "video links out": (str(root / "clip.mp4"), "outside_roots"),
        "subtitles link out": (str(root / "own.mp4"), "link_out"),
    }


@pytest.mark.parametrize(
    "name", ["absolute outside", "dot-dot", "dot-dot back inside", "folder links out", "material links out"]
)
def test_roots_refuse_each_escape_with_its_reason(world: dict[str, Path], name: str) -> None:
    path, code = escapes(world)[name]
    with pytest.raises(PathRefused) as refused:
        Roots.of([world["root"]]).confine_folder(path)
    assert refused.value.code == code and f"[{code}]" in str(refused.value)
    assert code == "parent_reference" or str(world["root"].resolve()) in str(refused.value)


def test_roots_serve_what_lies_under_them(world: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    roots = Roots.of([world["root"]])
    assert roots.confine_folder(world["good"]) == world["good"].resolve()
    monkeypatch.chdir(world["root"])
    assert roots.confine_folder("tides") == world["good"].resolve()  # relative: from the working directory
    monkeypatch.setenv(ROOTS_ENV, os.pathsep.join([str(world["secret"]), str(world["root"])]))
    assert Roots.of().confine_folder(world["secret"] / "vault")  # a second root serves its own folders
    monkeypatch.delenv(ROOTS_ENV)
    assert Roots.of().paths == (world["root"].resolve(),)  # default: the working directory


def _call(server: Any, tool: str, arguments: dict[str, Any]) -> str:
    """What the tool returned, as text, or the error it raised."""
    try:
        return json.dumps(asyncio.run(server.call_tool(tool, arguments)), default=str)
    except ToolError as error:
        return f"refused: {error}"


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("search_corpus", lambda path: {"task_dir": path, "query": "vault combination"}),
        ("fetch_context", lambda path: {"task_dir": path, "title": "Tides"}),
        ("validate_report", lambda path: {"task_dir": path, "report_markdown": "# Tide Notes\n"}),
    ],
)
def test_every_mcp_tool_refuses_every_escape(
    world: dict[str, Path], tool: str, arguments: Callable[[str], dict[str, Any]]
) -> None:
    server = build_server(roots=Roots.of([world["root"]]))
    for name, (path, code) in escapes(world).items():
        answer = _call(server, tool, arguments(path))
        assert answer.startswith("refused:") and f"[{code}]" in answer, (name, answer[:300])
        assert "Zebra" not in answer, name
    served = _call(server, tool, arguments(str(world["good"])))
    assert not served.startswith("refused:") or "outside" not in served


def test_analyse_video_refuses_every_escape(world: dict[str, Path]) -> None:
    server = build_server(roots=Roots.of([world["root"]]))
    for name, (path, code) in video_escapes(world).items():
        answer = _call(server, "analyse_video", {"path": path, "time_budget_s": 1e6})
        assert answer.startswith("refused:") and "Zebra" not in answer, (name, answer[:300])
        assert f"[{code}]" in answer, (name, answer[:300])


@pytest.mark.parametrize("name", ["absolute outside", "dot-dot", "folder links out", "material links out"])
def test_the_served_graph_refuses_every_escape_when_roots_are_set(
    world: dict[str, Path], name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ROOTS_ENV, str(world["root"]))
    path, code = escapes(world)[name]
    result = graph.invoke(
        {"task_dir": path},
        context={"llm": "off", "embedder": "none", "output_dir": str(world["root"] / "out")},
    )
    assert result["status"] == "bad_input" and result["error"]["code"] == code, result.get("error")
    assert SECRET not in json.dumps(result, default=str)


def test_the_served_graph_refuses_an_output_folder_outside_the_roots(
    world: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ROOTS_ENV, str(world["root"]))
    elsewhere = world["secret"] / "written"
    result = graph.invoke(
        {"task_dir": str(world["good"])},
        context={"llm": "off", "embedder": "none", "output_dir": str(elsewhere)},
    )
    assert result["status"] == "bad_input" and result["error"]["code"] == "outside_roots"
    assert not elsewhere.exists()


def test_loopback_and_bearer_rules() -> None:
    assert all(map(is_loopback, ["127.0.0.1", "localhost", "::1", "127.3.2.1"]))
    assert not any(map(is_loopback, ["0.0.0.0", "::", "192.168.1.4", "example.org"]))
    assert bearer_ok("Bearer s3cret", "s3cret") and bearer_ok("bearer s3cret", "s3cret")
    assert not any(bearer_ok(h, "s3cret") for h in (None, "", "Bearer", "Bearer s3cre", "Basic s3cret"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_listening_beyond_loopback_without_a_token_is_refused(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "reportgraph.graph.mcp_server",
        "--transport",
        "streamable-http",
        "--host",
        "0.0.0.0",
        "--port",
        str(_free_port()),
        "--root",
        str(tmp_path),
    ]
    environ = {k: v for k, v in os.environ.items() if k != TOKEN_ENV}
    done = subprocess.run(command, env=environ, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode != 0 and "--token" in done.stderr and "0.0.0.0" in done.stderr


@pytest.fixture()
def guarded_server(tmp_path: Path) -> Iterator[str]:
    """The HTTP server beyond loopback with a token, up once it accepts connections (polled readiness)."""
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "reportgraph.graph.mcp_server",
        "--transport",
        "streamable-http",
        "--host",
        "0.0.0.0",
        "--port",
        str(port),
        "--root",
        str(tmp_path),
    ]
    process = subprocess.Popen(
        command, env={**os.environ, TOKEN_ENV: "s3cret"}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 120
        while process.poll() is None and time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=5).close()
                break
            except OSError:
                time.sleep(0.2)  # polling for readiness: the outcome never depends on this length
        assert process.poll() is None, "server exited"
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(timeout=60)


def _post(url: str, token: str | None) -> int:
    body = json.dumps(
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-03-26",
                "capabilities": {},
                "clientInfo": {"name": "probe", "version": "0"},
            },
        }
    ).encode()
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, body, headers), timeout=60) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_a_bearer_token_is_checked_on_every_http_request(guarded_server: str) -> None:
    assert _post(guarded_server, None) == 401
    assert _post(guarded_server, "wrong") == 401
    assert _post(guarded_server, "s3cret") == 200


@pytest.fixture(scope="module")
def guarded_graph_server(
    tmp_path_factory: pytest.TempPathFactory, cache_dir: Path
) -> Iterator[tuple[str, Path]]:
    """`langgraph dev` with a token and roots, as test_server.py starts it (readiness polled)."""
    from test_server import PROJECT_ROOT, free_port, wait_until_ready

    workdir = tmp_path_factory.mktemp("guarded-dev")
    root = tmp_path_factory.mktemp("guarded-root")
    port = free_port()
    log = workdir / "server.log"
    env = {
        **os.environ,
        "LANGGRAPH_CLI_NO_ANALYTICS": "1",
        "LANGSMITH_TRACING": "false",
        "REPORTGRAPH_CACHE_DIR": str(cache_dir),
        TOKEN_ENV: "s3cret",
        ROOTS_ENV: str(root),
    }
    command = [
        sys.executable,
        "-m",
        "langgraph_cli",  # this interpreter, whatever the scripts point at
        "dev",
        "--no-browser",
        "--no-reload",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--config",
        str(PROJECT_ROOT / "langgraph.json"),
    ]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, cwd=workdir, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            wait_until_ready(f"http://127.0.0.1:{port}", process, log)
            yield f"http://127.0.0.1:{port}", root
        finally:
            os.killpg(process.pid, 15)
            process.wait(timeout=60)


def test_the_graph_server_checks_the_token_and_its_roots(
    guarded_graph_server: tuple[str, Path], tmp_path: Path
) -> None:
    from langgraph_sdk import get_sync_client

    url, _ = guarded_graph_server
    anonymous = urllib.request.Request(
        f"{url}/assistants/search", b"{}", {"Content-Type": "application/json"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(anonymous, timeout=60)
    assert refused.value.code == 401
    client = get_sync_client(url=url, headers={"Authorization": "Bearer s3cret"}, timeout=300)
    outside = _task(tmp_path / "elsewhere", SECRET)
    thread = client.threads.create()
    client.runs.wait(
        thread["thread_id"],
        "reportgraph",
        input={"task_dir": str(outside)},
        context={"llm": "off", "embedder": "none"},
    )
    values = client.threads.get_state(thread["thread_id"])["values"]
    assert values["status"] == "bad_input" and values["error"]["code"] == "outside_roots"
    assert SECRET not in json.dumps(values)
