"""Opt-in: the short English task of bench/real_llm.py against a real OpenAI-compatible server.

The server is ``REPORTGRAPH_REAL_LLM_URL`` (e.g. http://127.0.0.1:8931/v1, any model it serves as
``local``), or the llama.cpp server bench/real_llm.py set up under ``REPORTGRAPH_REAL_LLM_CACHE``
(default ``~/.cache/reportgraph``), started here on loopback. With neither the test is skipped and says so;
nothing here builds llama.cpp. Select it with ``-m real_llm``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest

pytestmark = pytest.mark.real_llm
BENCH = Path(__file__).resolve().parent.parent / "bench" / "real_llm.py"
NO_SERVER = ("no real OpenAI-compatible server: set REPORTGRAPH_REAL_LLM_URL, or run bench/real_llm.py once "
             "(it builds llama.cpp's server and fetches weights under REPORTGRAPH_REAL_LLM_CACHE)")


def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("real_llm_bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def answers(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/models", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module")
def real_server() -> Iterator[str]:
    url = os.environ.get("REPORTGRAPH_REAL_LLM_URL")
    if url:
        if not answers(url):
            pytest.skip(f"REPORTGRAPH_REAL_LLM_URL={url} does not answer GET /models")
        yield url
        return
    cache = Path(os.environ.get("REPORTGRAPH_REAL_LLM_CACHE", Path.home() / ".cache" / "reportgraph"))
    root = cache / "real_llm"
    python = root / "venv" / "bin" / "python"
    models = sorted(root.glob("*/model.gguf"))
    if not python.exists() or not models:
        pytest.skip(NO_SERVER)
    module = bench()
    log = Path(tempfile.mkdtemp(prefix="real-llm-test-")) / "server.log"
    server = module.start_server(python, models[0], 8932, 1, log)
    try:
        yield "http://127.0.0.1:8932/v1"
    finally:
        module.stop(server)


def test_the_short_english_task_runs_end_to_end_on_a_real_server(real_server: str, tmp_path: Path) -> None:
    module = bench()
    task = module.short_task(tmp_path / "task")
    result = module.figures("short_task", task, tmp_path / "out", real_server, tmp_path / "cache")
    print(json.dumps(result, indent=2))
    assert result["status"] in ("pass", "needs_review"), result
    assert result["model_calls"] > 0 and result["completion_tokens_from_usage"] > 0
    assert result["structured_output_mode"] in ("json_schema", "json_mode", "function_calling", "plain")
    assert result["agrees"] == "yes", "the run's status is the checker's"
