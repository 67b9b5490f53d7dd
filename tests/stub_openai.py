"""An OpenAI-compatible chat server on loopback, for tests of the real ChatOpenAI HTTP path.

It answers ``POST /v1/chat/completions`` from a script: the first rule whose ``match`` strings all occur in
the request's messages (and whose ``times`` are not used up) gives the reply: text, a call of the tool the
request offers (its arguments sent as given, malformed or not), or an HTTP error (429 with a short
``retry-after-ms``, 500 …), once the rule's ``hold`` event is set, if it has one. It never waits a fixed
time: a test orders requests with events, so load cannot decide its outcome. Like a real server it honours
``max_tokens`` (a longer reply is cut at ``max_tokens`` x 4 characters and ends with ``finish_reason:
"length"``) and serves only the structured-output modes it ``accepts``: a ``response_format`` it does not
take gets HTTP 500 (as llama.cpp's server answers ``json_schema``), tools it does not take HTTP 400. It
answers the structured output probe (tools/llm/structured.py) by itself, and ``GET /v1/models`` with its
``context_window`` when given. ``POST /v1/embeddings`` gets HTTP 500, as from a chat-only llama.cpp server
(issue 15). Every request is logged with the read timeout the openai SDK gave it (its
``x-stainless-read-timeout`` header); :meth:`StubOpenAI.wait_served` waits for requests to arrive; other
routes' paths go to ``other_posts``. It listens on 127.0.0.1 on a free port (or ``port``: a server
restarted behind the same URL), in a background thread, and stops when its ``with`` block ends.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HOLD_LIMIT_S = 120.0  # a held request is answered after this even if the test never releases it
RETRY_AFTER_MS = 20  # what a 429 asks the client to wait: short, so retried tests stay fast
CHARS_PER_TOKEN = 4
PROBE_QUESTION = "What is 2 + 3?"
FORMAT_MODES = {"json_schema": "json_schema", "json_object": "json_mode"}


@dataclass
class StubRule:
    match: list[str] = field(default_factory=list)
    content: str = ""
    tool_arguments: str | dict[str, Any] | None = None
    status: int = 200
    times: int | None = None
    used: int = 0
    # Set when a request matches; a rule with ``hold`` answers only once the test sets it (or after
    # HOLD_LIMIT_S, so a broken test ends): an order the test controls, never a window load decides.
    arrived: threading.Event = field(default_factory=threading.Event)
    hold: threading.Event | None = None


@dataclass(frozen=True)
class StubRequest:
    prompt: str
    status: int
    tool: str | None
    input_tokens: int
    output_tokens: int
    body: dict[str, Any] = field(default_factory=dict)
    read_timeout: float | None = None  # seconds, as the client's x-stainless-read-timeout header says
    at: float = field(default_factory=time.monotonic)  # when it arrived


def prompt_of(body: dict[str, Any]) -> str:
    parts = []
    for message in body.get("messages", []):
        content = message.get("content") or ""
        if isinstance(content, list):
            content = "".join(part.get("text", "") for part in content if isinstance(part, dict))
        parts.append(str(content))
    return "\n".join(parts)


def offered_tool(body: dict[str, Any]) -> str | None:
    choice = body.get("tool_choice")
    if isinstance(choice, dict):
        return str(choice.get("function", {}).get("name"))
    tools = body.get("tools") or []
    return str(tools[0]["function"]["name"]) if tools else None


class StubOpenAI:
    """The server, its script and its request log."""

    def __init__(self, rules: list[StubRule], accepts: Collection[str] = ("function_calling",),
                 context_window: int | None = None, port: int = 0) -> None:
        probe = StubRule(match=[PROBE_QUESTION], content='{"answer": 5}', tool_arguments={"answer": 5})
        self.rules = [probe, *rules]
        self.accepts = set(accepts)
        self.context_window = context_window
        self.in_flight = 0
        self.peak_in_flight = 0  # most requests of held rules being answered at once
        self.requests: list[StubRequest] = []
        self.other_posts: list[str] = []  # paths of POSTs to other routes than chat completions
        self._lock = threading.Lock()
        self._logged = threading.Condition(self._lock)
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def __enter__(self) -> StubOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def served(self, *needles: str, status: int | None = None) -> list[StubRequest]:
        """Logged requests whose prompt contains every needle (and that got ``status``, if given)."""
        with self._lock:
            return [r for r in self.requests
                    if all(n in r.prompt for n in needles) and (status is None or r.status == status)]

    def wait_served(self, count: int, *needles: str, timeout_s: float = HOLD_LIMIT_S) -> bool:
        """Wait until ``count`` logged requests contain every needle; False if they did not within
        ``timeout_s`` (a bound for a broken test, not a window: it waits no longer than needed)."""
        with self._logged:
            return self._logged.wait_for(
                lambda: sum(all(n in r.prompt for n in needles) for r in self.requests) >= count, timeout_s)

    def refused(self, body: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]] | None:
        """A structured-output mode this server does not take, answered as such servers do."""
        kind = (body.get("response_format") or {}).get("type")
        if kind in FORMAT_MODES and FORMAT_MODES[kind] not in self.accepts:
            return 500, error_body(f"stub: response_format {kind} not supported", "server_error"), {}
        if body.get("tools") and "function_calling" not in self.accepts:
            return 400, error_body("stub: tools not supported", "invalid_request_error"), {}
        return None

    def answer(self, body: dict[str, Any], read_timeout: float | None = None,
               ) -> tuple[int, dict[str, Any], dict[str, str]]:
        prompt = prompt_of(body)
        tool = offered_tool(body)
        refusal = self.refused(body)
        if refusal is not None:
            with self._logged:
                self.requests.append(StubRequest(prompt, refusal[0], tool, 0, 0, body, read_timeout))
                self._logged.notify_all()
            return refusal
        with self._logged:
            rule = next((r for r in self.rules if (r.times is None or r.used < r.times)
                         and all(n in prompt for n in r.match)), None)
            if rule is not None:
                rule.used += 1
            status = rule.status if rule is not None else 400
            content = rule.content if rule is not None else ""
            limit = body.get("max_tokens") or body.get("max_completion_tokens")
            finish_reason = "stop"
            if limit is not None and len(content) > int(limit) * CHARS_PER_TOKEN:
                content, finish_reason = content[: int(limit) * CHARS_PER_TOKEN], "length"
            input_tokens, output_tokens = len(prompt) // 4, max(1, len(content) // 4)
            self.requests.append(StubRequest(prompt, status, tool, input_tokens if status == 200 else 0,
                                             output_tokens if status == 200 else 0, body, read_timeout))
            # Counted in flight with its arrival: a test that saw it arrive sees it in flight.
            if rule is not None and rule.hold is not None:
                self.in_flight += 1
                self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            self._logged.notify_all()
        if rule is not None:
            rule.arrived.set()
        if rule is not None and rule.hold is not None:
            rule.hold.wait(HOLD_LIMIT_S)
            with self._lock:
                self.in_flight -= 1
        if rule is None:
            return 400, error_body("stub: no rule matches this prompt", "invalid_request_error"), {}
        if rule.status == 429:
            wait = {"retry-after-ms": str(RETRY_AFTER_MS)}
            return 429, error_body("rate limited", "rate_limit_error"), wait
        if rule.status != 200:
            return rule.status, error_body(f"stub error {rule.status}", "server_error"), {}
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if rule.tool_arguments is not None and tool is not None:
            arguments = rule.tool_arguments
            message["tool_calls"] = [{
                "id": f"call_{len(self.requests)}",
                "type": "function",
                "function": {"name": tool,
                             "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments)},
            }]
            message["content"] = content or None
            finish_reason = "tool_calls"
        completion = {
            "id": f"chatcmpl-stub-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "stub-model"),
            "choices": [{"index": 0, "message": message, "finish_reason": finish_reason, "logprobs": None}],
            "usage": {"prompt_tokens": input_tokens, "completion_tokens": output_tokens,
                      "total_tokens": input_tokens + output_tokens},
        }
        return 200, completion, {}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if not self.path.rstrip("/").endswith("/models"):
                    self.reply(404, error_body(f"stub: no route {self.path}", "not_found_error"), {})
                    return
                entry: dict[str, Any] = {"id": "stub-model", "object": "model"}
                if stub.context_window is not None:
                    entry["meta"] = {"n_ctx_train": stub.context_window}
                self.reply(200, {"object": "list", "data": [entry]}, {})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    with stub._lock:
                        stub.other_posts.append(self.path)
                    if self.path.rstrip("/").endswith("/embeddings"):
                        self.reply(500, error_body("stub: this server only chats", "server_error"), {})
                    else:
                        self.reply(404, error_body(f"stub: no route {self.path}", "not_found_error"), {})
                    return
                timeout = self.headers.get("x-stainless-read-timeout")
                self.reply(*stub.answer(body, float(timeout) if timeout else None))

            def reply(self, status: int, payload: dict[str, Any], headers: dict[str, str]) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler


def error_body(message: str, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}
