"""Video evidence quality and speed on the LongEval talk (slides with exact times, narration, subtitles).

    python bench/video.py [--video FILE --truth FILE --budget SECONDS]

Prints:

- ``slides_found N/M``: ground-truth slide starts matched by a detected slide change within ±1 s;
- ``slide_timing_error_max_s``: the largest |detected − true| start over the matched slides;
- ``slide_text_recall``: share of the ground-truth title+bullet words found as whole words in the OCR text
  of the slide record shown at that slide's midpoint. Words are lower-case Latin/number runs and single CJK
  characters, counted with repeats (a word twice on the slide must be read twice);
- ``slide_text_recall_glued``: the same, except that a Latin word of three or more letters also counts when
  it occurs inside the OCR text with its spaces removed (OCR often glues words: "Evaluationof"). Shorter
  words and CJK characters still count only as whole words: a single letter inside other text proves
  nothing;
- ``subtitle_cue_recall``: share of the narration words found (as tokens) in the speech records
  (subtitle or transcript) overlapping that slide's time range;
- ``rtf``: wall time of ``analyse_video`` (OCR engine load included) / video duration.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import Counter
from pathlib import Path

from reportgraph.tools.registry import SourceRecord
from reportgraph.tools.video import analyse_video
from shared_data import shared_dir

MATCH_TOLERANCE_S = 1.0
WORD = re.compile(r"[\u3400-\u9fff]|[a-z0-9]+")
GLUED_MIN_LETTERS = 3  # shorter words found inside glued OCR text would be chance matches



def words(text: str) -> list[str]:
    """Lower-case Latin/number words and single Chinese characters."""
    return WORD.findall(text.lower())


def overlapping(records: list[SourceRecord], start: float, end: float) -> list[SourceRecord]:
    return [r for r in records if (r.start_s or 0.0) < end and (r.end_s or 0.0) > start]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--video", type=Path, default=shared_dir() / "fixtures" / "longeval_zh" / "video.mp4")
    parser.add_argument("--truth", type=Path, default=shared_dir() / "media" / "talk_ground_truth.json")
    parser.add_argument(
        "--budget", type=float, default=None, help="time budget in seconds (default: product's)"
    )
    args = parser.parse_args()
    truth = json.loads(args.truth.read_text(encoding="utf-8"))
    slides_truth = truth["slides"]

    started = time.perf_counter()
    options = {} if args.budget is None else {"time_budget_s": args.budget}
    analysis = analyse_video(args.video, language="zh", **options)
    wall = time.perf_counter() - started

    slides = [r for r in analysis.records if r.segment == "slide"]
    speech = [r for r in analysis.records if r.segment in ("subtitle", "transcript")]
    detected_starts = sorted(r.start_s or 0.0 for r in slides)

    errors = []
    for slide in slides_truth:
        nearest = min((abs(start - slide["start_s"]) for start in detected_starts), default=None)
        if nearest is not None and nearest <= MATCH_TOLERANCE_S:
            errors.append(nearest)

    found = found_glued = total = 0
    for slide in slides_truth:
        middle = (slide["start_s"] + slide["end_s"]) / 2
        ocr = " ".join(r.text for r in overlapping(slides, middle, middle + 1e-3))
        read, squeezed = Counter(words(ocr)), re.sub(r"\s+", "", ocr.lower())
        expected = Counter(words(" ".join([slide["title"], *slide["bullets"]])))
        total += sum(expected.values())
        whole = expected & read  # each word as often as both the slide and the OCR text have it
        found += sum(whole.values())
        found_glued += sum(whole.values()) + sum(
            max(0, min(count, squeezed.count(word)) - whole[word])
            for word, count in expected.items()
            if len(word) >= GLUED_MIN_LETTERS and word.isascii()
        )

    narration_found = narration_total = 0
    for slide in slides_truth:
        heard = set(words(" ".join(r.text for r in overlapping(speech, slide["start_s"], slide["end_s"]))))
        expected = words(slide["narration"])
        narration_total += len(expected)
        narration_found += sum(word in heard for word in expected)

    duration = analysis.metadata.duration_s if analysis.metadata and analysis.metadata.duration_s else 0.0
    print(f"status {analysis.status}")
    for step in analysis.steps:
        print(f"step {step.step} {step.status} {step.seconds:.2f}s {step.detail}")
    for problem in analysis.problems:
        print(f"problem {problem}")
    print(f"slides_found {len(errors)}/{len(slides_truth)}")
    print(f"slide_timing_error_max_s {max(errors, default=float('nan')):.3f}")
    print(f"slide_text_recall {found / max(total, 1):.3f} ({found}/{total} whole words and CJK characters)")
    print(f"slide_text_recall_glued {found_glued / max(total, 1):.3f} ({found_glued}/{total}; words of "
          f"{GLUED_MIN_LETTERS}+ letters also found inside spaceless OCR text)")
    print(f"subtitle_cue_recall {narration_found / max(narration_total, 1):.3f}")
    print(f"rtf {wall / duration:.3f}" if duration else "rtf nan")


if __name__ == "__main__":
    main()
