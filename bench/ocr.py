"""OCR word accuracy on pages whose text layer is known: does OCR keep words (and their spaces)?

Renders pages of PDFs that have a good text layer, reads them with the project's PDF OCR
(tools/intake/pdfscan.ocr_page: render, recognise, join the pieces of a line by their gaps) and compares
the OCR text with the page's text layer (tools/intake/pdf.extract_pdf with OCR off). Word accuracy is the
share of the text layer's tokens that OCR gives in the same order (difflib's matching blocks over token
sequences): English tokens are words, so words run together ("Abstract.Longsummaries") count as misses;
Chinese tokens are characters. Word recall ignores the order (figure text and columns read in another
order than the text layer's cost accuracy, not recall). Also prints the quality gate's verdict
(tools/intake/pdfscan.ocr_quality) for every page: a page under the gate would be marked unreadable, not
quoted.

    .venv/bin/python bench/ocr.py [PDF[:PAGES] ...]      # default: 2 pages each of the bundled example's
                                                         # paper and the shared fixture's paper (pages 2,
                                                         # 5 and 6 carry figures), two typeset pages and
                                                         # two scanned pages made here (English, Chinese)

The typeset pages are two-column pages with a figure spanning the columns (bench/pages/two_column_*.html,
text written for this bench), printed to PDF by the system's Chromium: their text layer is Chromium's. The
scanned pages are pictures of text written in this file (SCANS), drawn with the system's fonts (DejaVu,
Noto CJK) into image-only PDFs: their "text layer" is the text drawn.

Where a text layer puts a figure's labels depends on the program that wrote the PDF (LaTeX's pdf.pdf puts
them after the page's prose, Chromium in place), and OCR gives them after the prose; so a third figure,
flexible word accuracy, counts the tokens OCR gives in runs of at least FLEX_RUN tokens in the text layer's
order, the runs themselves in any order (reading-order-independent, after the flexible character accuracy of
Clausner, Pletschacher & Antonacopoulos, Pattern Recognition Letters 131, 2020).

Prints one line per page and the mean per language; the goal is ≥ 0.95 for English and Chinese.
"""

from __future__ import annotations

import argparse
import difflib
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import pypdfium2 as pdfium
from reportgraph.tools.intake import extract_pdf
from reportgraph.tools.intake.pdfscan import ocr_page, ocr_quality
from reportgraph.tools.text import detect_language
from shared_data import shared_dir

ROOT = Path(__file__).resolve().parent.parent
DEFAULTS = [f"{ROOT / 'examples/hybrid_search_zh/paper.pdf'}:1,2",
            f"{shared_dir() / 'fixtures/longeval_zh/pdf.pdf'}:1,2,5,6"]
TYPESET = {"en": ROOT / "bench/pages/two_column_en.html", "zh": ROOT / "bench/pages/two_column_zh.html"}
FLEX_RUN = 3
FONTS = {"en": ("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", 0),
         "zh": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2)}  # index 2: Simplified Chinese
SCANS = {
    "en": "River pilots on the lower delta read the water by its colour. Brown eddies mark sandbanks that "
          "moved during the spring floods, while a smooth green surface means the channel is deep enough "
          "for loaded barges. Each pilot keeps a notebook of soundings taken at dawn, and the harbour office "
          "publishes a weekly chart built from these notes. Older pilots say that the river changes its mind "
          "every season, so no chart stays right for long. Young apprentices spend two winters on the "
          "tugboats before they may steer a barge alone through the narrow bends near the estuary.",
    "zh": "山区的茶农通常在清明前后采摘第一批嫩芽。采摘时只取一芽一叶，以保证茶汤鲜爽。"
          "鲜叶运回作坊后，需要先摊晾几个小时，让水分慢慢散失，然后再进行杀青。"
          "杀青的火候全凭经验，温度过高会使叶片焦糊，温度过低则会留下青草味。"
          "揉捻之后，茶叶被摊在竹匾上晒干或用炭火烘干。老茶农说，好茶要靠天时、地利和人和，"
          "三者缺一不可。近年来，许多村庄开始记录每一批茶叶的采摘日期和天气，以便改进制茶工艺。",
}
_TOKEN = re.compile(r"[\u3400-\u9fff]|[A-Za-z0-9]+(?:['’\-][A-Za-z0-9]+)*")


def tokens(text: str) -> list[str]:
    """Words (letters and digits, across apostrophes and hyphens) and single CJK characters, lowercased.
    A word is taken only between spaces or punctuation: text whose spaces were lost makes one long token."""
    return [t.lower() for t in _TOKEN.findall(text.replace("-\n", ""))]


def word_accuracy(reference: str, read: str) -> float:
    ref, got = tokens(reference), tokens(read)
    if not ref:
        return 1.0 if not got else 0.0
    matcher = difflib.SequenceMatcher(None, ref, got, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(ref)


def flexible_accuracy(reference: str, read: str) -> float:
    """The share of the reference's tokens found in runs of ≥ FLEX_RUN tokens in order, the runs in any
    order: the longest common run is taken out of both texts, then the next, until none is that long."""
    ref, got = tokens(reference), tokens(read)
    if not ref:
        return 1.0 if not got else 0.0
    matched = 0
    while True:
        matcher = difflib.SequenceMatcher(None, ref, got, autojunk=False)
        block = matcher.find_longest_match(0, len(ref), 0, len(got))
        if block.size < FLEX_RUN:
            return matched / len(tokens(reference))
        matched += block.size
        # Sentinels that match nothing keep the other tokens' positions.
        ref[block.a:block.a + block.size] = [None] * block.size  # type: ignore[list-item]
        got[block.b:block.b + block.size] = [""] * block.size


def make_typeset(language: str, target: Path) -> Path | None:
    """TYPESET[language] printed to a PDF by Chromium, or None (with the reason printed) without it."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        print(f"typeset page [{language}] skipped: no Chromium on PATH")
        return None
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--print-to-pdf={target}", TYPESET[language].as_uri()],
                   check=True, capture_output=True, timeout=120)
    return target


def make_scan(language: str, target: Path) -> Path:
    """An image-only one-page PDF (A4 at 150 dpi) of SCANS[language], drawn with FONTS[language]."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(FONTS[language][0], 30, index=FONTS[language][1])
    page = Image.new("RGB", (1240, 1754), "white")
    draw, lines, line = ImageDraw.Draw(page), [], ""
    pieces = SCANS[language].split(" ") if language == "en" else list(SCANS[language])
    for piece in pieces:
        candidate = f"{line} {piece}".strip() if language == "en" else line + piece
        if draw.textlength(candidate, font=font) > 1060:
            lines.append(line)
            candidate = piece
        line = candidate
    for row, text in enumerate([*lines, line]):
        draw.text((90, 120 + 48 * row), text, fill="black", font=font)
    page.save(target, "PDF", resolution=150)
    return target


def word_recall(reference: str, read: str) -> float:
    """The share of the text layer's tokens OCR read anywhere on the page (a multiset; order ignored):
    tells words lost or run together apart from reading order (figures, columns) word_accuracy also counts."""
    ref, got = Counter(tokens(reference)), Counter(tokens(read))
    return sum((ref & got).values()) / max(1, sum(ref.values()))


class Row(NamedTuple):
    page: int
    language: str
    accuracy: float
    flexible: float
    recall: float
    gate_passed: bool
    seconds: float


def measure(pdf: Path, pages: list[int], known_text: str | None = None) -> list[Row]:
    """One row per page; the reference is the page's text layer, or ``known_text`` for a page made here."""
    known = extract_pdf(pdf, ocr=False).pages if known_text is None else [known_text]
    document = pdfium.PdfDocument(pdf)
    rows = []
    for page in pages:
        started = time.perf_counter()
        lines = ocr_page(document, page - 1)
        seconds = time.perf_counter() - started
        reference, read = known[page - 1], "\n".join(lines)
        rows.append(Row(page, detect_language(reference), word_accuracy(reference, read),
                        flexible_accuracy(reference, read), word_recall(reference, read),
                        ocr_quality(read) is None, seconds))
    return rows


def _jobs(args: argparse.Namespace) -> list[tuple[str, str, str | None]]:
    """(PDF, pages, known text or None for its text layer) to measure."""
    jobs: list[tuple[str, str, str | None]] = [(s.partition(":")[0], s.partition(":")[2], None)
                                               for s in args.pdfs]
    if args.pdfs == DEFAULTS:
        for language in TYPESET:
            typeset = make_typeset(language, args.scans_dir / f"two_column_{language}.pdf")
            if typeset is not None:
                jobs.append((str(typeset), "1", None))
        for language, text in SCANS.items():
            jobs.append((str(make_scan(language, args.scans_dir / f"scan_{language}.pdf")), "1", text))
    return jobs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pdfs", nargs="*", default=DEFAULTS, help="PDF[:1,2,3] (pages from 1)")
    parser.add_argument("--scans-dir", type=Path, default=Path("/tmp/reportgraph-ocr-bench"),
                        help="where the typeset and scanned pages made here are written")
    args = parser.parse_args(argv)
    args.scans_dir.mkdir(parents=True, exist_ok=True)
    by_language: dict[str, list[Row]] = {}
    for path, pages, known_text in _jobs(args):
        numbers = [int(n) for n in pages.split(",")] if pages else [1]
        for row in measure(Path(path), numbers, known_text):
            by_language.setdefault(row.language, []).append(row)
            print(f"{Path(path).name} p.{row.page} [{row.language}] word accuracy {row.accuracy:.3f} "
                  f"flexible {row.flexible:.3f} recall {row.recall:.3f} "
                  f"gate {'pass' if row.gate_passed else 'FAIL'} ({row.seconds:.1f}s OCR)", flush=True)
    for language, rows in sorted(by_language.items()):
        print(f"mean [{language}] over {len(rows)} pages: word accuracy "
              f"{statistics.mean(r.accuracy for r in rows):.3f}, flexible word accuracy "
              f"{statistics.mean(r.flexible for r in rows):.3f}, word recall "
              f"{statistics.mean(r.recall for r in rows):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
