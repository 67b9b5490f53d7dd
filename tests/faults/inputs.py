"""Small task folders and the damaged inputs the fault matrix feeds them: prompts, corpora, PDFs, videos."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-windows-1252 codec used to make mojibake)
from media_files import slide_video as slide_video  # re-exported: the fault cases make videos here
from media_files import tone_only as tone_only
from PIL import Image, ImageDraw
from pypdf import PdfWriter

PROJECT_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = PROJECT_ROOT / "examples" / "hybrid_search_zh"

# Small on purpose: two sections over the bundled example's corpus and paper, so a run takes seconds.
SMALL_TASK = (
    "请根据提供的论文和资料库，撰写一篇《混合检索简要报告》，结构清晰，包含以下部分："
    "（1）论文基本信息；（2）关键技术解析。字数在600至900字。所有内容需标注来源。"
)
VIDEO_TASK = (
    "请根据提供的论文、讲解视频和资料库，撰写一篇《混合检索简要报告》，结构清晰，包含以下部分："
    "（1）论文基本信息；（2）视频补充要点。字数在600至900字。所有内容需标注来源。"
)
TALK_SRT = (
    "1\n00:00:00,000 --> 00:00:02,000\n混合检索结合了 BM25 词法检索与稠密向量检索。\n\n"
    "2\n00:00:02,000 --> 00:00:04,000\n倒数排名融合把两种排序结果合并成一个列表。\n"
)


def example_documents() -> list[dict[str, Any]]:
    documents: list[dict[str, Any]] = json.loads((EXAMPLE / "long_context.json").read_text(encoding="utf-8"))
    return documents


def make_task(
    root: Path, name: str, task: str | bytes | None = SMALL_TASK, *, corpus: bool = True, pdf: bool = True
) -> Path:
    """A task folder with the example's corpus and paper; ``task=None`` leaves task.md out."""
    folder = root / name
    folder.mkdir(parents=True)
    if isinstance(task, bytes):
        (folder / "task.md").write_bytes(task)
    elif task is not None:
        (folder / "task.md").write_text(task, encoding="utf-8")
    if corpus:
        shutil.copy(EXAMPLE / "long_context.json", folder)
    if pdf:
        shutil.copy(EXAMPLE / "paper.pdf", folder)
    return folder


def write_corpus(folder: Path, documents: list[dict[str, Any]]) -> None:
    (folder / "long_context.json").write_text(json.dumps(documents, ensure_ascii=False), encoding="utf-8")


# ---------------------------------------------------------------- damaged prompts


def mojibake_cp1252(text: str) -> str:
    """UTF-8 bytes shown by a Windows (cp1252) viewer, then saved again as UTF-8: recoverable."""
    return text.encode("utf-8").decode("sloppy-windows-1252")


def mojibake_gbk(text: str) -> str:
    """UTF-8 bytes read as GBK: bytes GBK cannot pair are lost, so the prompt is damaged for good."""
    return text.encode("utf-8").decode("gbk", errors="replace")


def strip_cjk(text: str) -> str:
    return re.sub(r"[\u3400-\u9fff]", "", text)


# ---------------------------------------------------------------- damaged PDFs


def encrypted_pdf(source: Path, target: Path, password: str = "secret") -> None:
    writer = PdfWriter(clone_from=str(source))
    writer.encrypt(user_password=password, owner_password=password + "-owner")
    writer.write(target)


def image_only_pdf(target: Path) -> None:
    """A scanned-looking page: text drawn into a picture, no text layer."""
    page = Image.new("RGB", (600, 800), "white")
    ImageDraw.Draw(page).text((50, 50), "Hybrid Lexical and Dense Retrieval", fill="black")
    page.save(target, "PDF")


def zero_page_pdf(target: Path) -> None:
    PdfWriter().write(target)


def truncated_copy(source: Path, target: Path, share: float) -> None:
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * share)])


# ---------------------------------------------------------------- videos



def unknown_codec_copy(source: Path, target: Path) -> None:
    """The same MP4 with its H.264 sample entry renamed to a fourcc no decoder knows."""
    data = source.read_bytes()
    assert b"avc1" in data, "expected an H.264 MP4"
    target.write_bytes(data.replace(b"avc1", b"zzzz"))


def video_task(root: Path, name: str, video: Path | None = None, *, subtitles: bool = False) -> Path:
    """A task folder whose task asks for a video section; ``video`` is copied in as talk.mp4."""
    folder = make_task(root, name, VIDEO_TASK)
    if video is not None:
        shutil.copy(video, folder / "talk.mp4")
    if subtitles:
        (folder / "talk.srt").write_text(TALK_SRT, encoding="utf-8")
    return folder
