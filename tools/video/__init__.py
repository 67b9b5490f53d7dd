"""Video wing: timestamped, citable evidence from talk videos, and what could not be analysed.

:func:`analyse_video` runs the pipeline (probe, subtitles, slides, OCR, speech, captions, external tool,
metadata) over one file and returns a :class:`VideoAnalysis`; ``types`` holds its types, ``state`` the state
the steps share, ``probe``/``slides``/``subtitles`` the media readers, ``external`` the MCP video tool, and
``cache`` keeps complete analyses between runs (:func:`analyse_or_reuse`).
"""

from reportgraph.tools.video.analysis import ANALYSIS_VERSION, DEFAULT_TIME_BUDGET_S, analyse_video
from reportgraph.tools.video.cache import VideoRunSettings, analyse_or_reuse, combined_status
from reportgraph.tools.video.external import (
    McpConfigError,
    McpStartup,
    parse_external_segments,
    read_mcp_config,
    start_mcp_servers,
)
from reportgraph.tools.video.speech import sidecar_records
from reportgraph.tools.video.types import (
    Limitation,
    McpVideoTool,
    ModelEndpoint,
    StepReport,
    VideoAnalysis,
    media_noun,
    model_endpoint,
    video_file_key,
)

__all__ = [
    "ANALYSIS_VERSION",
    "DEFAULT_TIME_BUDGET_S",
    "Limitation",
    "McpConfigError",
    "McpStartup",
    "McpVideoTool",
    "ModelEndpoint",
    "StepReport",
    "VideoAnalysis",
    "VideoRunSettings",
    "analyse_or_reuse",
    "analyse_video",
    "combined_status",
    "media_noun",
    "model_endpoint",
    "parse_external_segments",
    "read_mcp_config",
    "sidecar_records",
    "start_mcp_servers",
    "video_file_key",
]
