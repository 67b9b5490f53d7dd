"""Report text about the videos: what could not be analysed, in the report's language (zh and en)."""

from __future__ import annotations

# One sentence naming what a video analysis could not cover; ``{items}`` joins its limitation phrases
# with ``DISCLOSURE_SEPARATOR``.
DISCLOSURE = {
    "zh": "视频 {name} 中未能分析的内容：{items}。",
    "en": "Not analysed in {name}: {items}.",
}
DISCLOSURE_SEPARATOR = {"zh": "；", "en": "; "}

# When no analysis of the videos survived at all (video_fallback): the report says so and claims nothing.
NO_ANALYSIS = {
    "zh": "视频 {name} 未能分析：{reason}。本报告中关于视频的内容仅限于上述说明。",
    "en": "The video {name} could not be analysed: {reason}. The report makes no claims about its content.",
}
