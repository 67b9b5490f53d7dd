"""A library user's view: `graph.invoke()` in a plain Python process keeps the libraries' own lines (jieba's
dictionary loading, RapidOCR/onnxruntime) off stderr, and run.json names the task folder as it was given —
by graph.invoke and by `reportgraph run` (a relative path stays relative), the video too when its analysis
comes from the cache."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from media_files import slide_video
from reportgraph.graph import cli

TASK_ZH = (
    "请写一篇题为《茶的故事》的短报告，包含以下章节：1. 起源；2. 冲泡。"
    "字数 300 到 600 字。引用所用的每个来源。\n"
)
DOCUMENTS = [
    {"title": "茶的历史", "url": "https://example.org/a",
     "content": "饮茶起源于中国西南地区，已有数千年历史。商人后来沿着商路把茶叶带到中亚和欧洲。"},
    {"title": "绿茶冲泡", "url": "https://example.org/b",
     "content": "绿茶最好用八十度左右的水冲泡两到三分钟。沸水会使绿茶变苦。"},
]
SUBTITLES = ("1\n00:00:00,200 --> 00:00:01,800\n茶起源于中国西南。\n\n"
             "2\n00:00:02,200 --> 00:00:03,800\n绿茶用八十度的水。\n")
# What the libraries print on their own handlers when left alone (jieba: DEBUG to stderr on import).
LIBRARY_LINES = ("Building prefix dict", "Loading model", "Prefix dict has been built", "RapidOCR",
                 "OrtInferSession", "onnxruntime", "telemetry")
# graph.invoke on a relative task folder, then on the same folder by its absolute path (the video analysis
# comes from the cache), then whether jieba and the OCR engine were really loaded
INVOKE = """
import json, sys
from pathlib import Path
from reportgraph.graph.graph import graph
settings = {"llm": "off", "embedder": "none"}
result = graph.invoke({"task_dir": "tea"}, context={**settings, "output_dir": "out"})
graph.invoke({"task_dir": str(Path("tea").resolve())}, context={**settings, "output_dir": "again"})
import jieba
from reportgraph.tools.ocr import ocr_engine
print(json.dumps({"status": result.get("status"), "jieba_loaded": jieba.dt.initialized,
                  "ocr_loaded": ocr_engine.cache_info().currsize > 0}))
"""


def make_task(root: Path, *, video: bool) -> Path:
    folder = root / "tea"
    folder.mkdir(parents=True)
    (folder / "task.md").write_text(TASK_ZH, encoding="utf-8")
    (folder / "long_context.json").write_text(json.dumps(DOCUMENTS, ensure_ascii=False), encoding="utf-8")
    if video:
        slide_video(folder / "talk.mp4", ["TEA ORIGINS", "GREEN TEA 80C"], size=(480, 270))
        (folder / "talk.srt").write_text(SUBTITLES, encoding="utf-8")  # speech covered: a complete analysis
    return folder


def test_graph_invoke_keeps_library_lines_off_stderr_and_records_the_paths_given(tmp_path: Path) -> None:
    make_task(tmp_path, video=True)
    env = {**os.environ, "REPORTGRAPH_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-c", INVOKE], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["jieba_loaded"] and seen["ocr_loaded"]  # the noisy libraries did run in this process
    assert not [line for line in LIBRARY_LINES if line.lower() in done.stderr.lower()], done.stderr
    run = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    assert run["task_dir"] == "tea"
    assert [a["file"] for a in run["video"]["analyses"]] == [str(Path("tea") / "talk.mp4")]
    again = json.loads((tmp_path / "again" / "run.json").read_text(encoding="utf-8"))
    assert any("reused from the cache" in str(note) for note in again["notes"])
    absolute = str((tmp_path / "tea").resolve())
    assert again["task_dir"] == absolute
    analysis = again["video"]["analyses"][0]
    assert analysis["file"] == analysis["metadata"]["path"] == str(Path(absolute) / "talk.mp4")


def test_library_lines_reach_a_logging_setup_the_user_configured(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reportgraph.tools.intake.spec.topic import zh_keywords

    # A CLI test earlier in this process may have quietened jieba's logger (quiet_libraries adds a filter);
    # a user's own process starts without it.
    monkeypatch.setattr(logging.getLogger("jieba"), "filters", [])
    with caplog.at_level(logging.DEBUG):
        zh_keywords("饮茶起源于中国西南地区")  # loads jieba's dictionary unless an earlier test did
        logging.getLogger("jieba").debug("a jieba line")
    assert "a jieba line" in [r.getMessage() for r in caplog.records if r.name == "jieba"]
    assert not [h for h in logging.getLogger("jieba").handlers if type(h) is logging.StreamHandler]


@pytest.mark.parametrize("verbose", [False, True])
def test_jieba_loading_is_shown_only_with_verbose(verbose: bool) -> None:
    """What `reportgraph -v` switches on: jieba's dictionary loading (DEBUG lines on its logger)."""
    script = ("from reportgraph.tools.quiet import quiet_libraries\n"
              f"quiet_libraries(verbose={verbose})\n"
              "from reportgraph.tools.intake.spec.topic import zh_keywords\n"
              "zh_keywords('饮茶起源于中国西南地区')\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert ("Prefix dict has been built" in done.stderr) is verbose, done.stderr


def test_cli_run_records_the_task_folder_as_typed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_task(tmp_path, video=False)
    monkeypatch.chdir(tmp_path)
    cache = tmp_path / "cache"
    code = cli.main(["run", "tea", "-o", "out", "--run-id", "typed", "--llm", "off", "--embedder", "none",
                     "--cache-dir", str(cache)])
    assert code in (cli.EXIT_PASS, cli.EXIT_NEEDS_REVIEW)
    assert json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))["task_dir"] == "tea"
    record = json.loads((cache / "runs" / "typed.json").read_text(encoding="utf-8"))
    assert record["task_dir"] == "tea"
    # `resume` from another folder: the typed path would name another folder there, so the resolved one
    assert cli.resume_task_dir(record) == Path("tea")
    monkeypatch.chdir(cache)
    assert cli.resume_task_dir(record) == (tmp_path / "tea").resolve()
