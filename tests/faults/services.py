"""Loopback stand-ins for failing services: a closed port, a server that never answers, one that only
answers 429 or 500, and MCP servers that are down or die during a call. All listen on 127.0.0.1 and are
stopped by the test that starts them."""

from __future__ import annotations

import json
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar


def closed_port_url() -> str:
    """An OpenAI-style base URL on a loopback port nobody listens on (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


@contextmanager
def silent_server() -> Iterator[str]:
    """A port that accepts connections (the kernel completes them from the backlog) and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    finally:
        listener.close()


class _StatusHandler(BaseHTTPRequestHandler):
    status: ClassVar[int] = 500
    requests: ClassVar[int] = 0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).requests += 1
        body = json.dumps(
            {"error": {"message": f"stub error {self.status}", "type": "server_error"}}
        ).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Retry-After", "0")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # keep the test output quiet
        return


@contextmanager
def status_server(status: int) -> Iterator[tuple[str, type[_StatusHandler]]]:
    """An OpenAI-style endpoint that answers every request with ``status``; yields (base URL, handler)."""
    handler = type(f"Status{status}", (_StatusHandler,), {"status": status, "requests": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# An MCP server that lists its tool, then dies while serving a call: the client sees the connection drop.
DYING_MCP_SERVER = '''
import os
from mcp.server.fastmcp import FastMCP

app = FastMCP("video", log_level="ERROR")

@app.tool()
def describe_video(path: str) -> str:
    """Describe a video file."""
    os._exit(1)

if __name__ == "__main__":
    app.run()
'''


def mcp_config(folder: Path, connection: dict[str, Any]) -> Path:
    """The run's MCP config file (``Context.mcp_config``) naming one server and its video tool."""
    path = folder / "mcp.json"
    config = {
        "servers": {"video": connection},
        "video_tool": {"server": "video", "tool": "describe_video", "path_argument": "path"},
        # Few, quick retries: the cases are about what happens after they run out.
        "attempts": 2,
        "backoff_s": 0.1,
        "timeout_s": 30,
    }
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


def stdio_server(script: Path) -> dict[str, Any]:
    return {"transport": "stdio", "command": sys.executable, "args": [str(script)]}


def exiting_process() -> dict[str, Any]:
    """A stdio 'server' that exits at once: the MCP server is down from the start."""
    return {"transport": "stdio", "command": sys.executable, "args": ["-c", "raise SystemExit(3)"]}
