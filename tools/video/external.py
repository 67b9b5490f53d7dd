"""External MCP servers: read the config file, connect with retries, go on without the servers that fail.

The config file (``Context.mcp_config``, env ``REPORTGRAPH_MCP_CONFIG``) is JSON::

    {
      "servers": {
        "video": {"transport": "stdio", "command": "python", "args": ["video_server.py"]},
        "search": {"transport": "streamable_http", "url": "http://127.0.0.1:8001/mcp"}
      },
      "video_tool": {"server": "video", "tool": "describe_video", "path_argument": "path"},
      "attempts": 3, "backoff_s": 1.0, "timeout_s": 30
    }

A server entry is what langchain-mcp-adapters' ``MultiServerMCPClient`` takes (extra keys such as ``env``,
``cwd`` or ``headers`` pass through). At start-up every listed server is asked for its tools; one that
cannot be reached is retried ``attempts`` times with exponential backoff from ``backoff_s``, then left out
with a problem the caller records. ``video_tool`` names the tool that
:func:`~reportgraph.tools.video.analysis.analyse_video` calls for each video through :func:`external_tool`
(that call path retries too, for a server that dies mid-run).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

from langchain_core.tools import BaseTool
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from reportgraph.tools.video.state import VideoRun
from reportgraph.tools.video.subtitles import Cue
from reportgraph.tools.video.types import Limitation, McpVideoTool, describe_exception

T = TypeVar("T")


class McpConfigError(ValueError):
    """The MCP config file is missing, not JSON, or does not describe servers as expected."""


class ServerEntry(BaseModel):
    """One server, as ``MultiServerMCPClient`` takes it: stdio (command, args) or streamable HTTP (url)."""

    model_config = ConfigDict(extra="allow")

    transport: Literal["stdio", "streamable_http"]
    command: str | None = None
    args: list[str] = Field(default_factory=list)
    url: str | None = None

    @model_validator(mode="after")
    def _has_its_address(self) -> ServerEntry:
        if self.transport == "stdio" and not self.command:
            raise ValueError("a stdio server needs a command")
        if self.transport == "streamable_http" and not self.url:
            raise ValueError("a streamable_http server needs a url")
        return self

    def connection(self) -> dict[str, Any]:
        if self.transport == "stdio":
            return self.model_dump(exclude={"url"}, exclude_none=True)
        return self.model_dump(exclude={"command", "args"}, exclude_none=True)


class VideoToolEntry(BaseModel):
    server: str
    tool: str
    path_argument: str = "path"
    arguments: dict[str, Any] = Field(default_factory=dict, description="Passed with every call")


class McpConfig(BaseModel):
    servers: dict[str, ServerEntry] = Field(default_factory=dict)
    video_tool: VideoToolEntry | None = None
    attempts: int = Field(3, ge=1, le=10, description="Connection attempts per server")
    backoff_s: float = Field(1.0, ge=0, description="Wait before the second attempt; doubles after")
    timeout_s: float = Field(30.0, gt=0, description="Limit of one attempt (start-up) or one tool call")

    @model_validator(mode="after")
    def _video_server_is_listed(self) -> McpConfig:
        if self.video_tool and self.video_tool.server not in self.servers:
            raise ValueError(f"video_tool names the server {self.video_tool.server!r}, which is not listed")
        return self


def read_mcp_config(path: str | Path) -> McpConfig:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return McpConfig.model_validate(data)
    except OSError as error:
        raise McpConfigError(f"cannot read the MCP config {path}: {error.strerror or error}") from error
    except ValueError as error:  # JSON syntax and pydantic validation errors alike
        if isinstance(error, ValidationError):
            first = error.errors()[0]
            detail = f"{'.'.join(map(str, first['loc'])) or 'top level'}: {first['msg']}"
        else:
            detail = str(error)
        raise McpConfigError(f"the MCP config {path} is not usable: {detail}") from error


@dataclass
class ServerStartup:
    name: str
    tools: list[BaseTool] = field(default_factory=list)
    attempts: int = 0
    error: str = ""

    @property
    def connected(self) -> bool:
        return not self.error


@dataclass
class McpStartup:
    """What start-up found: the tools of the servers that answered, a problem per one that did not."""

    servers: dict[str, ServerStartup]
    video_tool: McpVideoTool | None = None
    problems: list[str] = field(default_factory=list)


async def _connect(name: str, connection: dict[str, Any], config: McpConfig) -> ServerStartup:
    from langchain_mcp_adapters.client import MultiServerMCPClient

    client = MultiServerMCPClient({name: connection})  # type: ignore[dict-item]
    startup = ServerStartup(name)
    for attempt in range(1, config.attempts + 1):
        startup.attempts = attempt
        try:
            startup.tools = await asyncio.wait_for(client.get_tools(server_name=name), config.timeout_s)
            startup.error = ""
            return startup
        except Exception as error:  # any failure to connect is retried, then recorded
            startup.error = describe_exception(error)
            if attempt < config.attempts:
                await asyncio.sleep(config.backoff_s * 2 ** (attempt - 1))
    return startup


async def astart_mcp_servers(config: McpConfig) -> McpStartup:
    """Connect every listed server at once (each with its own retries) and pick out the video tool."""
    names = list(config.servers)
    results = await asyncio.gather(*(_connect(n, config.servers[n].connection(), config) for n in names))
    startup = McpStartup(servers=dict(zip(names, results, strict=True)))
    for server in results:
        if not server.connected:
            startup.problems.append(
                f"MCP server {server.name!r} unreachable after {server.attempts} attempt(s), "
                f"left out: {server.error}"
            )
    wanted = config.video_tool
    if wanted is None:
        return startup
    server = startup.servers[wanted.server]
    if not server.connected:
        return startup
    if not any(tool.name == wanted.tool for tool in server.tools):
        offered = ", ".join(tool.name for tool in server.tools) or "none"
        startup.problems.append(
            f"MCP server {wanted.server!r} offers no tool {wanted.tool!r} (it offers: {offered}); "
            "the external video tool is left out"
        )
        return startup
    startup.video_tool = McpVideoTool(
        connection=config.servers[wanted.server].connection(),
        tool=wanted.tool,
        server_name=wanted.server,
        path_argument=wanted.path_argument,
        arguments=wanted.arguments,
        attempts=config.attempts,
        backoff_s=config.backoff_s,
        timeout_s=config.timeout_s,
    )
    return startup


def start_mcp_servers(config: McpConfig) -> McpStartup:
    """:func:`astart_mcp_servers` from sync code (graph nodes run sync, also inside the dev server)."""
    return run_coroutine(lambda: astart_mcp_servers(config))


# --- the analysis step: one call of the video tool per video ---------------------------------------------


def external_tool(run: VideoRun, mcp: McpVideoTool | None) -> None:
    with run.step("external") as report:
        if mcp is None:
            report.status, report.detail = "skipped", "no external video tool configured"
            return
        try:
            text, attempts = call_mcp_tool(mcp, run.path)
        except Exception as exc:
            report.status, report.detail = "failed", describe_exception(exc)
            run.problem(
                f"external video tool {mcp.tool!r} failed: {describe_exception(exc)}",
                Limitation(
                    en=f"the external video tool {mcp.tool} (it failed)",
                    zh=f"外部视频工具 {mcp.tool}（调用失败）",
                ),
            )
            return
        segments = parse_external_segments(text, run.duration_s)
        for segment in segments:
            run.add_record(
                "external",
                segment.start_s,
                segment.end_s,
                segment.text,
                title=f"External tool {mcp.tool}",
            )
        report.detail = f"{len(segments)} segments from {mcp.tool} (attempt {attempts})"


class McpToolMissing(LookupError):
    """The server runs but does not offer the configured tool: retrying will not help."""


def call_mcp_tool(tool: McpVideoTool, video: Path) -> tuple[str, int]:
    """The text the MCP tool returns for ``video``, and the attempt that succeeded.

    Connection failures are retried with exponential backoff; a missing tool or a tool that reports an
    error is not retried.
    """
    from langchain_core.tools import ToolException

    last: Exception | None = None
    for attempt in range(1, tool.attempts + 1):
        try:
            return run_coroutine(
                lambda: asyncio.wait_for(_call_mcp_once(tool, video), tool.timeout_s)
            ), attempt
        except (McpToolMissing, ToolException):
            raise
        except Exception as exc:
            last = exc
            if attempt < tool.attempts:
                time.sleep(tool.backoff_s * 2 ** (attempt - 1))
    assert last is not None
    raise ConnectionError(
        f"server {tool.server_name!r} unreachable after {tool.attempts} attempts: {describe_exception(last)}"
    )


async def _call_mcp_once(tool: McpVideoTool, video: Path) -> str:
    from langchain_mcp_adapters.client import MultiServerMCPClient
    from langchain_mcp_adapters.tools import load_mcp_tools

    client = MultiServerMCPClient(cast(Any, {tool.server_name: tool.connection}))
    # One session for listing and calling, so a stdio server is started once per attempt.
    async with client.session(tool.server_name) as session:
        tools = await load_mcp_tools(session, handle_tool_errors=False)
        match = next((t for t in tools if t.name == tool.tool), None)
        if match is None:
            offered = ", ".join(t.name for t in tools) or "none"
            raise McpToolMissing(f"the server offers no tool {tool.tool!r} (it offers: {offered})")
        result = await match.ainvoke({tool.path_argument: str(video), **tool.arguments})
    return content_text(result)


def content_text(content: Any) -> str:
    """Plain text of a LangChain tool result (a string, content blocks, or a message)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(filter(None, (content_text(block) for block in content)))
    if isinstance(content, dict):
        return str(content.get("text", "")) if content.get("type", "text") == "text" else ""
    if hasattr(content, "content"):
        return content_text(content.content)
    return str(content)


def parse_external_segments(text: str, duration_s: float | None) -> list[Cue]:
    """Timed segments from a tool's answer: JSON ``[{start_s, end_s, text}]`` (or ``{"segments": …}``,
    ``start``/``end``, ``description``/``caption``), else the whole answer as one segment over the video."""
    whole = [Cue(start_s=0.0, end_s=duration_s or 0.0, text=text.strip())] if text.strip() else []
    try:
        data = json.loads(text)
    except ValueError:
        return whole
    if isinstance(data, dict):
        data = data.get("segments", [data])
    if not isinstance(data, list):
        return whole
    segments = []
    for item in data:
        if not isinstance(item, dict):
            continue
        body = next((str(item[k]) for k in ("text", "description", "caption", "summary") if item.get(k)), "")
        start = item.get("start_s", item.get("start")) or 0.0
        end = item.get("end_s", item.get("end")) or duration_s or start
        try:
            segments.append(Cue(start_s=float(start), end_s=float(end), text=body.strip()))
        except (TypeError, ValueError):
            continue
    return [segment for segment in segments if segment.text] or whole


def run_coroutine(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion from sync code, also when called inside a running event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(factory())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(factory())).result()
