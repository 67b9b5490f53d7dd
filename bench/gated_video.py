"""An MCP video tool that answers only once a gate file exists: a run waits in video_analyse for as long as a
test or bench needs (to kill it there), and how long the tool waits decides nothing.

Written to a file and started as ``python gated_video_server.py GATE_FILE`` through the run's MCP config.
"""

from __future__ import annotations


def gated_video_server(answer: str) -> str:
    """The server's source: its one tool ``describe_video`` returns ``answer`` once the gate file exists."""
    return f'''
import os, sys, time
from mcp.server.fastmcp import FastMCP

app = FastMCP("gated-video")

@app.tool()
def describe_video(path: str) -> str:
    """Describe a video file."""
    while not os.path.exists(sys.argv[1]):
        time.sleep(0.05)
    return {answer!r}

app.run()
'''
