"""reportgraph's own tools as an MCP server: corpus search, context fetch, video analysis, report validation.

    python -m reportgraph.graph.mcp_server                                   # stdio
    python -m reportgraph.graph.mcp_server --transport streamable-http --port 8765
                                                                             # http://127.0.0.1:8765/mcp
    reportgraph-mcp …                                                        # the same, installed

Every tool takes a task folder (``task.md`` plus materials) and works from the same index and settings as
a run: the environment variables of the run settings apply (``REPORTGRAPH_CACHE_DIR``,
``REPORTGRAPH_EMBEDDER``, ``REPORTGRAPH_CHROMA_URL``, ``OPENAI_*`` …), and an index built by a run is reused.
Citable ids are the ``[@id]`` markers of a report. Paths are served only under the roots stated at start
(``--root DIR``, repeatable, else ``REPORTGRAPH_ROOTS``, else the working directory): ``..``, paths outside
them and links out are refused. Beyond loopback (``--host 0.0.0.0``) the server starts only with a bearer
token (``--token`` or ``REPORTGRAPH_TOKEN``) and answers 401 to any request without it.
Tools run in worker threads, so one slow call (a video) does not hold up the others on the HTTP transport.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, TypeVar

import anyio.to_thread
import uvicorn
from mcp.server.fastmcp import FastMCP
from pydantic import BaseModel, Field
from reportgraph.nodes.check_inputs import check_report
from reportgraph.nodes.context import Context, env
from reportgraph.tools.confine import (
    ROOTS_ENV,
    TOKEN_ENV,
    ListenRefused,
    Roots,
    bearer_ok,
    require_token_beyond_loopback,
)
from reportgraph.tools.intake import inventory
from reportgraph.tools.registry import SourceRecord, render_citation
from reportgraph.tools.retrieval import IndexBuild, build_task_index, embedder_settings, search
from reportgraph.tools.video import VideoAnalysis, analyse_video, model_endpoint
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

T = TypeVar("T")

INSTRUCTIONS = (
    "Tools over a report task folder (task.md plus a long_context.json collection, PDFs, other documents, "
    "pictures and videos). search_corpus finds evidence and its citable ids; fetch_context returns a source "
    "by id or by title; "
    "analyse_video turns a video into timestamped segments; validate_report checks a report, written with "
    "[@id] citation markers, against the task's requirements."
)


class Source(BaseModel):
    """One citable piece of evidence: its id (cite it as ``[@id]``), readable citation and text."""

    id: str
    citation: str
    kind: str
    source_file: str
    title: str = ""
    url: str = ""
    text: str
    chunk_index: int | None = None
    page: int | None = None
    start_s: float | None = None
    end_s: float | None = None

    @classmethod
    def of(cls, record: SourceRecord) -> Source:
        fields = record.model_dump(exclude={"segment", "lang", "doc_id"})
        return cls(citation=render_citation(record), **fields)


class SearchHit(Source):
    score: float = Field(description="Fused reciprocal-rank score (higher is better)")


class SearchResult(BaseModel):
    query: str
    hits: list[SearchHit]
    records_indexed: int
    retrieval: str = Field(description="How the collection was searched (BM25 only, or with dense vectors)")


class FetchResult(BaseModel):
    sources: list[Source]


class ReportCheck(BaseModel):
    """What validate_report found: the run's hard checks, per-section feedback and the parsed requirements."""

    passed: bool
    checks: list[dict[str, Any]]
    feedback: dict[str, list[str]]
    requirements: dict[str, Any]


# --- shared set-up ---------------------------------------------------------------------------------------


def task_index(task_dir: str) -> IndexBuild:
    """The task folder's index, the one a run builds (tools/retrieval ``build_task_index``: the collection,
    PDFs, documents and pictures read by OCR), from the run cache when a run built it."""
    stock = inventory(task_dir)
    root = Path(stock.root)
    indexed = (*stock.corpus[:1], *stock.pdf, *stock.document, *stock.image)
    stamp = tuple((name, (root / name).stat().st_size, (root / name).stat().st_mtime_ns) for name in indexed)
    return _index(stock.root, stamp)


@lru_cache(maxsize=8)
def _index(root: str, stamp: tuple[tuple[str, int, int], ...]) -> IndexBuild:
    # ``stamp`` (the indexed files' names, sizes and times) only keys the cache: a changed folder is indexed
    # anew.
    context = Context()
    return build_task_index(Path(root), embedder_settings(context, env().openai_api_key), context.cache_dir)


# --- the tools (sync work, run in a worker thread by the async wrappers below) -----------------------------


def search_corpus_sync(task_dir: str, query: str, k: int) -> SearchResult:
    build = task_index(task_dir)
    hits = search(build.store, query, k=k)
    return SearchResult(
        query=query,
        hits=[SearchHit(score=round(hit.score, 6), **Source.of(hit.record).model_dump()) for hit in hits],
        records_indexed=len(build.store.records),
        retrieval=build.problems[0].removeprefix("embedder: "),  # build_task_index names its embedder first
    )


def fetch_context_sync(task_dir: str, source_id: str, title: str, chunk: int | None) -> FetchResult:
    if not source_id and not title:
        raise ValueError("give a source_id, or a document title (and optionally a chunk number)")
    records = task_index(task_dir).store.records
    if source_id:
        found = [record for record in records if record.id == source_id]
    else:
        found = [
            record for record in records
            if record.title == title and (chunk is None or record.chunk_index == chunk)
        ]
    if not found:
        wanted = f"id {source_id!r}" if source_id else f"title {title!r}"
        if chunk is not None and not source_id:
            wanted += f", chunk {chunk}"
        raise ValueError(f"no source with {wanted} in {task_dir}")
    return FetchResult(sources=[Source.of(record) for record in found])


def analyse_video_sync(path: str, language: Literal["zh", "en"], time_budget_s: float) -> VideoAnalysis:
    context = Context()
    return analyse_video(
        path,
        language=language,
        time_budget_s=time_budget_s,
        transcriber=model_endpoint(context.speech_model, context, env().openai_api_key),
        captioner=model_endpoint(context.vision_model, context, env().openai_api_key),
    )


def validate_report_sync(task_dir: str, report_markdown: str) -> ReportCheck:
    """The checks of `reportgraph check` (one code path), sources and video outcome from the folder only."""
    result, materials = check_report(Path(task_dir), report_markdown, Context())
    return ReportCheck(
        passed=result.passed,
        checks=[check.model_dump() for check in result.checks],
        feedback=result.feedback,
        requirements=materials.spec.model_dump(mode="json"),
    )


async def in_thread(work: Callable[[], T]) -> T:
    return await anyio.to_thread.run_sync(work)


class ServedTools:
    """The four tools, each confined to the server's roots (tools/confine.py) before anything is read."""

    def __init__(self, roots: Roots) -> None:
        self.roots = roots

    async def search_corpus(self, task_dir: str, query: str, k: int = 5) -> SearchResult:
        """Search a task folder's document collection, PDFs, other documents (text, HTML, Office files,
        tables) and pictures' text read by OCR: the records a run indexes (BM25, plus dense vectors when an
        embedder is configured). Returns the best pieces with their citable ids; the first call builds or
        loads the index. ``task_dir`` must lie under the server's roots."""
        folder = str(self.roots.confine_folder(task_dir))
        return await in_thread(lambda: search_corpus_sync(folder, query, k))

    async def fetch_context(
        self, task_dir: str, source_id: str = "", title: str = "", chunk: int | None = None
    ) -> FetchResult:
        """Fetch sources of a task folder: one by its id, or a document's chunks by its exact title (all of
        them, or just the chunk numbered ``chunk``). ``task_dir`` must lie under the server's roots."""
        folder = str(self.roots.confine_folder(task_dir))
        return await in_thread(lambda: fetch_context_sync(folder, source_id, title, chunk))

    async def analyse_video(
        self, path: str, language: Literal["zh", "en"] = "en", time_budget_s: float = 90.0
    ) -> VideoAnalysis:
        """Analyse a video file into timestamped, citable segments (subtitles, slides with OCR text,
        metadata), with every step's status and what could not be analysed. Subtitle files named after the
        video are read. ``path`` must lie under the server's roots."""
        video = str(self.roots.confine_file(path))
        return await in_thread(lambda: analyse_video_sync(video, language, time_budget_s))

    async def validate_report(self, task_dir: str, report_markdown: str) -> ReportCheck:
        """Check a markdown report against the task folder's requirements and materials in code, exactly as
        `reportgraph check` does: sections, length, language, every citation resolving ([@id] markers or the
        rendered forms [pdf.pdf p.3], [video.mp4 01:23–01:41], [long_context: "title", chunk 4]) and
        supported, relevance, section substance, hygiene. Sources come from the task folder only, which
        must lie under the server's roots."""
        folder = str(self.roots.confine_folder(task_dir))
        return await in_thread(lambda: validate_report_sync(folder, report_markdown))


def build_server(host: str = "127.0.0.1", port: int = 8000, roots: Roots | None = None) -> FastMCP:
    """The MCP server with the four tools, serving task folders under ``roots`` (default: Roots.of())."""
    server = FastMCP("reportgraph", instructions=INSTRUCTIONS, host=host, port=port)
    tools = ServedTools(roots or Roots.of())
    server.add_tool(tools.search_corpus, name="search_corpus")
    server.add_tool(tools.fetch_context, name="fetch_context")
    server.add_tool(tools.analyse_video, name="analyse_video")
    server.add_tool(tools.validate_report, name="validate_report")
    return server


def bearer_guard(app: ASGIApp, token: str) -> ASGIApp:
    """``app`` answering 401 to any HTTP request without ``Authorization: Bearer <token>``."""

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            header = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
            if not bearer_ok(header, token):
                refusal = JSONResponse({"error": "a bearer token is required (Authorization: Bearer …)"},
                                       status_code=401, headers={"WWW-Authenticate": "Bearer"})
                await refusal(scope, receive, send)
                return
        await app(scope, receive, send)

    return guarded


def serve_http(server: FastMCP, token: str) -> None:
    """Streamable HTTP as FastMCP serves it, behind the bearer check when a token is set."""
    app: ASGIApp = server.streamable_http_app()
    if token:
        app = bearer_guard(app, token)
    settings = server.settings
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level.lower())


def parser() -> argparse.ArgumentParser:
    """`reportgraph-mcp`'s options."""
    parser = argparse.ArgumentParser(prog="reportgraph-mcp", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--transport", choices=["stdio", "streamable-http"], default="stdio",
                        help="stdio (default: a client starts this process) or streamable-http (a server)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="streamable-http: interface to listen on; beyond loopback a --token is required")
    parser.add_argument("--port", type=int, default=8000, help="streamable-http: port (path /mcp)")
    parser.add_argument("--root", action="append", default=[], metavar="DIR",
                        help=f"serve task folders under DIR only (repeatable; default: {ROOTS_ENV}, "
                        "folders joined by the path separator, else the working directory)")
    parser.add_argument("--token", default=os.environ.get(TOKEN_ENV, ""),
                        help=f"streamable-http: bearer token every request must carry (default: {TOKEN_ENV})")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    roots = Roots.of(args.root)
    if args.transport == "stdio":
        build_server(roots=roots).run("stdio")
        return
    try:
        require_token_beyond_loopback(args.host, args.token)
    except ListenRefused as refused:
        raise SystemExit(f"reportgraph-mcp: {refused}") from None
    print(f"reportgraph-mcp: serving task folders under {roots.describe()}", file=sys.stderr)
    serve_http(build_server(args.host, args.port, roots), args.token)


if __name__ == "__main__":
    main()
