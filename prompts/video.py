"""Report text about the talks (videos and audio recordings): what could not be analysed, in the report's
language (zh and en)."""

from __future__ import annotations

# What a talk's file is called in the report, by its kind (tools/intake/taskio.EXTENSION_KINDS).
MEDIA_NOUN = {
    "zh": {"video": "视频", "audio": "录音"},
    "en": {"video": "video", "audio": "recording"},
}

# One sentence naming what a video analysis could not cover; ``{items}`` joins its limitation phrases
# with ``DISCLOSURE_SEPARATOR``.
DISCLOSURE = {
    "zh": "{noun} {name} 中未能分析的内容：{items}。",
    "en": "Not analysed in {name}: {items}.",
}
DISCLOSURE_SEPARATOR = {"zh": "；", "en": "; "}

# When no analysis of the videos survived at all (video_fallback): the report says so and claims nothing.
NO_ANALYSIS = {
    "zh": "{noun} {name} 未能分析：{reason}。本报告中关于{noun}的内容仅限于上述说明。",
    "en": "The {noun} {name} could not be analysed: {reason}. The report makes no claims about its content.",
}
