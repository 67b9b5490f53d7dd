"""Who may call the served graph (langgraph.json ``auth``): every request of `langgraph dev` or a LangGraph
server passes :func:`authenticate` first.

With ``REPORTGRAPH_TOKEN`` set, a request must carry ``Authorization: Bearer <token>`` (401 otherwise);
without it, only loopback clients are served (403 otherwise), so a server started with ``--host 0.0.0.0``
and no token serves no one beyond the machine. The rules are tools/confine.py's, shared with the MCP
server; where a served run may read is plan's REPORTGRAPH_ROOTS check.
"""

from __future__ import annotations

import os

from langgraph_sdk import Auth
from reportgraph.tools.confine import TOKEN_ENV, bearer_ok, is_loopback
from starlette.requests import Request

auth = Auth()


@auth.authenticate
async def authenticate(request: Request, authorization: str | None) -> Auth.types.MinimalUserDict:
    """The caller's identity (``token`` or ``loopback``); raises Auth.exceptions.HTTPException (401 / 403)."""
    token = os.environ.get(TOKEN_ENV, "")
    if token:
        if not bearer_ok(authorization, token):
            raise Auth.exceptions.HTTPException(status_code=401, detail="a bearer token is required")
        return {"identity": "token"}
    client = request.client.host if request.client else ""
    if not is_loopback(client):
        raise Auth.exceptions.HTTPException(
            status_code=403, detail=f"beyond loopback a bearer token is required ({TOKEN_ENV} on the server)"
        )
    return {"identity": "loopback"}
