"""What a video analysis is configured with and what it returns.

:class:`VideoAnalysis` holds the citable records, each step's status (ok/failed/skipped, with a specific
reason), the problems met and the :class:`Limitation` s the report discloses (see :func:`make_disclosure`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import BaseModel
from reportgraph.prompts.video import DISCLOSURE, DISCLOSURE_SEPARATOR, MEDIA_NOUN
from reportgraph.tools.file_kinds import kind_of
from reportgraph.tools.registry import SourceRecord, short_hash
from reportgraph.tools.video.probe import MediaProbe, StreamChoice

StepStatus = Literal["ok", "failed", "skipped"]
class ProgressCallback(Protocol):
    """Told each step's start and end (``step``, ``message``); a long step (OCR) also tells ``done`` of
    ``total`` as it goes, for a progress bar."""

    def __call__(
        self, step: str, message: str, done: int | None = None, total: int | None = None
    ) -> None: ...


@dataclass(frozen=True)
class ModelEndpoint:
    """An OpenAI-compatible endpoint: ``base_url`` (None = api.openai.com), ``api_key``, ``model``."""

    model: str
    base_url: str | None = None
    api_key: str | None = None
    timeout_s: float = 120.0

    def key(self) -> str:
        # Local OpenAI-compatible servers accept any key, but the client insists on one.
        return self.api_key or os.environ.get("OPENAI_API_KEY") or "not-needed"


class EndpointRunSettings(Protocol):
    """The run settings a model endpoint is read from (``reportgraph.nodes.context.Context`` has them)."""

    @property
    def base_url(self) -> str | None: ...

    @property
    def request_timeout_s(self) -> float: ...


def model_endpoint(model: str | None, run: EndpointRunSettings, api_key: str | None) -> ModelEndpoint | None:
    """The endpoint serving ``model`` (a speech or vision model) on the run's server; None when unnamed."""
    if not model:
        return None
    return ModelEndpoint(model=model, base_url=run.base_url, api_key=api_key, timeout_s=run.request_timeout_s)


@dataclass(frozen=True)
class McpVideoTool:
    """An external video tool on an MCP server.

    ``connection`` is one server entry as ``MultiServerMCPClient`` takes it, e.g.
    ``{"transport": "stdio", "command": "python", "args": ["server.py"]}``. The tool is called with
    ``{path_argument: <video path>, **arguments}``; connection failures are retried ``attempts`` times
    with exponential backoff starting at ``backoff_s``.
    """

    connection: dict[str, Any]
    tool: str
    server_name: str = "video"
    path_argument: str = "path"
    arguments: dict[str, Any] = field(default_factory=dict)
    attempts: int = 3
    backoff_s: float = 1.0
    timeout_s: float = 120.0


class StepReport(BaseModel):
    step: str
    status: StepStatus
    detail: str = ""
    seconds: float = 0.0


class Limitation(BaseModel):
    """Something that could not be analysed, as a phrase in both report languages."""

    en: str
    zh: str


class VideoAnalysis(BaseModel):
    file: str
    file_name: str
    status: Literal["ok", "partial", "failed"] = "failed"
    records: list[SourceRecord] = []
    steps: list[StepReport] = []
    problems: list[str] = []
    metadata: MediaProbe | None = None
    chosen_streams: list[StreamChoice] = []
    subtitle_tracks: list[dict[str, object]] = []
    limitations: list[Limitation] = []
    disclosure: dict[str, str] = {}  # {"zh": …, "en": …}; empty strings when everything was analysed
    seconds: float = 0.0

    def disclosure_for(self, language: str) -> str:
        return self.disclosure.get("zh" if language == "zh" else "en", "")

    def step(self, name: str) -> StepReport | None:
        return next((s for s in self.steps if s.step == name), None)


def make_disclosure(file_name: str, limitations: Sequence[Limitation]) -> dict[str, str]:
    """One sentence per language naming what could not be analysed (empty when nothing)."""
    if not limitations:
        return {"zh": "", "en": ""}
    return {
        language: template.format(
            noun=media_noun(file_name, language),
            name=file_name,
            items=DISCLOSURE_SEPARATOR[language].join(getattr(item, language) for item in limitations),
        )
        for language, template in DISCLOSURE.items()
    }


def media_noun(file_name: str, language: str) -> str:
    """What the talk's file is called in the report: "video", or "recording" for an audio file."""
    kind = "audio" if kind_of(file_name) == "audio" else "video"
    return MEDIA_NOUN["zh" if language == "zh" else "en"][kind]


def video_file_key(path: Path) -> str:
    """The id key of a video: its name and size (stable across runs and machines, cheap for huge files)."""
    try:
        size = path.stat().st_size if path.is_file() else 0
    except OSError:  # unreadable: the probe step reports why
        size = 0
    return short_hash(path.name, str(size))


def describe_exception(exc: BaseException) -> str:
    """``Type: message`` of the innermost errors (MCP/anyio wrap the real cause in exception groups)."""
    if isinstance(exc, BaseExceptionGroup):
        return "; ".join(dict.fromkeys(describe_exception(inner) for inner in exc.exceptions))
    message = str(exc) or repr(exc)
    return f"{type(exc).__name__}: {message}"

