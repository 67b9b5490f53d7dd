"""Video wing: timestamped, citable evidence from talk videos, and what could not be analysed.

:func:`analyse_video` runs the pipeline (probe, subtitles, slides, OCR, speech, captions, external tool,
metadata) over one file and returns a :class:`VideoAnalysis`; ``models`` holds its types, ``run`` the state
the steps share, ``probe``/``slides``/``subtitles`` the media readers, ``external`` the MCP video tool.
"""

from reportgraph.tools.video.analysis import ANALYSIS_VERSION, DEFAULT_TIME_BUDGET_S, analyse_video
from reportgraph.tools.video.external import (
    McpConfigError,
    McpStartup,
    parse_external_segments,
    read_mcp_config,
    start_mcp_servers,
)
from reportgraph.tools.video.models import (
    Limitation,
    McpVideoTool,
    ModelEndpoint,
    StepReport,
    VideoAnalysis,
    model_endpoint,
    video_file_key,
)
from reportgraph.tools.video.speech import sidecar_records

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
    "analyse_video",
    "model_endpoint",
    "parse_external_segments",
    "read_mcp_config",
    "sidecar_records",
    "start_mcp_servers",
    "video_file_key",
]
