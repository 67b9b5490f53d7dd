"""PDF text extraction and OCR speed on the fixture paper, and how many of its pages needed OCR.

    python bench/pdf.py [--pdf FILE] [--ocr-pages N]

Prints one ``name value`` line per figure:

- ``extract_pages_per_s``: pages / wall time of ``extract_pdf`` on the whole file (pdfminer layout
  analysis, normalisation, page furniture, chunking into records; OCR only of pages that need it);
- ``extract_pages_ocred``: how many pages that run sent to OCR, and ``extract_pages_unreadable``;
- ``ocr_pages_per_s``: pages / wall time of rendering (pdfium, 144 dpi) plus RapidOCR on the first
  ``--ocr-pages`` pages, engine already loaded (its load time is ``ocr_engine_load_s``), whatever their
  text layer — what a scanned paper would cost per page;
- ``ocr_chars_per_page``: characters OCR read per page on those pages (a check that it read text);
- ``load_average_1min``: the machine's load when the bench ended (figures on a shared machine scale with it).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import pypdfium2 as pdfium
from reportgraph.tools.intake.pdf import extract_pdf
from reportgraph.tools.intake.pdfscan import ocr_page
from reportgraph.tools.ocr import ocr_engine
from shared_data import shared_dir


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pdf", type=Path, default=shared_dir() / "fixtures" / "longeval_zh" / "pdf.pdf")
    parser.add_argument("--ocr-pages", type=int, default=3, help="pages to OCR for the OCR speed figure")
    args = parser.parse_args()

    started = time.perf_counter()
    extraction = extract_pdf(args.pdf)
    elapsed = time.perf_counter() - started
    print(f"file {args.pdf.name}")
    print(f"pages {extraction.page_count}")
    print(f"extract_pages_per_s {extraction.page_count / elapsed:.2f}")
    print(f"extract_pages_ocred {len(extraction.ocr_pages)}")
    print(f"extract_pages_unreadable {len(extraction.unreadable_pages)}")

    started = time.perf_counter()
    ocr_engine()
    print(f"ocr_engine_load_s {time.perf_counter() - started:.2f}")
    document = pdfium.PdfDocument(args.pdf)
    count = min(args.ocr_pages, len(document))
    started = time.perf_counter()
    chars = sum(len("".join(ocr_page(document, index))) for index in range(count))
    elapsed = time.perf_counter() - started
    print(f"ocr_pages {count}")
    print(f"ocr_pages_per_s {count / elapsed:.3f}")
    print(f"ocr_chars_per_page {chars / max(count, 1):.0f}")
    print(f"load_average_1min {os.getloadavg()[0]:.1f} on {os.cpu_count()} cpus")


if __name__ == "__main__":
    main()
