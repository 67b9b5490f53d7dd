"""What every request to a chat model goes through: a slot, a timeout that fits the server, bounded retries.

Measured on this project's machine (issue 15: llama.cpp's server, Qwen2.5-Coder-1.5B Q4_K_M, one thread) a
local server answers one request at a time, reads the prompt at ~45 tokens/s and writes ~5 tokens/s. So:

- **Slots**: at most ``CallLimits.max_concurrent`` requests per endpoint are in flight; the others wait
  for a slot *before* their timeout starts, instead of timing out in the server's queue.
- **Timeout**: the first request gets ``CallLimits.timeout_s``; once the endpoint has answered, a request
  gets ``TIMEOUT_SLACK`` x the time its size needs at the measured speed, at least ``MIN_TIMEOUT_S``.
  Speed is measured in *weighted tokens* per second: completion tokens plus ``PROMPT_WEIGHT`` x prompt
  tokens (a prompt token costs ~1/10 of a generated one: 45 vs 5 tokens/s above).
- **Retries**: rate limits, 5xx and dropped connections are retried after the server's ``retry-after``
  or 1, 2, 4 … s. A request that timed out is *not* resent at once: the server may still be computing it
  (a single-slot server would queue the copy behind it), so the endpoint's slot stays closed until the
  server should be done, and the resent request gets twice the timeout. ``max_retries`` bounds both.
- **Ctrl-C**: :func:`interrupt_model_calls_on_sigint` makes every waiting call raise
  :class:`ModelCallInterrupted` within ``CANCEL_POLL_S``, so the run stops promptly and its checkpoint
  stays resumable; the abandoned HTTP request is left to its daemon thread.
"""

from __future__ import annotations

import contextvars
import math
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatResult
from reportgraph.tools.llm.messages import is_transient_error
from reportgraph.tools.memo import RunMemo

PROMPT_WEIGHT = 0.1
TIMEOUT_SLACK = 3.0
MIN_TIMEOUT_S = 30.0
# A request that sets no max_tokens (a structured reply, a judge's verdict) is still bounded.
DEFAULT_MAX_TOKENS = 1024
CANCEL_POLL_S = 0.2
_BACKOFF_CAP_S = 30.0
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
ResultT = TypeVar("ResultT")


@dataclass(frozen=True)
class CallLimits:
    """``timeout_s``: a request's timeout until the endpoint's speed is measured, seconds;
    ``max_retries``: resends of one request; ``max_concurrent``: requests in flight per endpoint."""

    timeout_s: float = 600.0
    max_retries: int = 2
    max_concurrent: int = 1


class ModelTimeoutError(RuntimeError):
    """A request kept timing out: the server is slower than its timeouts allowed. Not retried by nodes."""


class ModelCallInterrupted(RuntimeError):
    """The run was interrupted (Ctrl-C) while a model call waited."""


_CANCEL = threading.Event()


def cancel_model_calls() -> None:
    """Make every waiting model call raise :class:`ModelCallInterrupted` (what Ctrl-C does)."""
    _CANCEL.set()


@contextmanager
def interrupt_model_calls_on_sigint() -> Iterator[None]:
    """While open, SIGINT cancels model calls, then raises KeyboardInterrupt as usual (main thread only)."""
    _CANCEL.clear()
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)

    def on_sigint(signum: int, frame: Any) -> None:
        _CANCEL.set()
        if callable(previous):
            previous(signum, frame)
        else:
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        _CANCEL.clear()


def _wait(seconds: float) -> None:
    """Sleep, but end at once with ModelCallInterrupted when the run is cancelled."""
    if _CANCEL.wait(max(0.0, seconds)):
        raise ModelCallInterrupted("interrupted while waiting for the model")


def estimate_tokens(text: str) -> int:
    """Tokens of ``text`` before a tokenizer has seen it: one a CJK character, one per 4 other characters."""
    cjk = len(_CJK.findall(text))
    return cjk + math.ceil((len(text) - cjk) / 4)


class EndpointSlots:
    """An endpoint's request slots, shared by every run of the process: a server's capacity is not a run's.
    ``busy_until``: until when an abandoned request should still be occupying the server."""

    def __init__(self, max_concurrent: int) -> None:
        self.max_concurrent = max_concurrent
        self._slots = threading.BoundedSemaphore(max_concurrent)
        self._lock = threading.Lock()
        self.busy_until = 0.0

    @contextmanager
    def slot(self) -> Iterator[None]:
        while not self._slots.acquire(timeout=CANCEL_POLL_S):
            _wait(0)
        try:
            _wait(self.busy_until - time.monotonic())
            yield
        finally:
            self._slots.release()

    def hold(self, seconds: float) -> None:
        with self._lock:
            self.busy_until = max(self.busy_until, time.monotonic() + seconds)


class ServerGate:
    """One run's view of an endpoint: the process's slots (:class:`EndpointSlots`) and the speed this run
    measured (an endpoint fact: the next run may meet another model behind the same URL, tools/memo.py)."""

    def __init__(self, slots: EndpointSlots) -> None:
        self.slots = slots
        self._lock = threading.Lock()
        self.tokens_per_s: float | None = None  # weighted tokens (see PROMPT_WEIGHT) per second

    @property
    def max_concurrent(self) -> int:
        return self.slots.max_concurrent

    def slot(self) -> AbstractContextManager[None]:
        return self.slots.slot()

    def expected_s(self, prompt_tokens: int, max_tokens: int) -> float | None:
        if self.tokens_per_s is None:
            return None
        return (max_tokens + PROMPT_WEIGHT * prompt_tokens) / self.tokens_per_s

    def timeout_for(self, prompt_tokens: int, max_tokens: int, limits: CallLimits) -> float:
        expected = self.expected_s(prompt_tokens, max_tokens)
        return limits.timeout_s if expected is None else max(MIN_TIMEOUT_S, TIMEOUT_SLACK * expected)

    def observe(self, prompt_tokens: int, completion_tokens: int, seconds: float) -> None:
        if seconds <= 0 or completion_tokens <= 0:
            return
        speed = (completion_tokens + PROMPT_WEIGHT * prompt_tokens) / seconds
        with self._lock:
            # The slowest recent answer counts most: a timeout cut too short costs a whole request.
            last = self.tokens_per_s
            self.tokens_per_s = speed if last is None else min(speed, 0.5 * (speed + last))

    def abandoned(self, waited_s: float, prompt_tokens: int, max_tokens: int) -> None:
        """The client gave up on a request after ``waited_s``: keep the slot closed until the server,
        bounded by ``max_tokens``, should be done with it (as long again, or its expected time if less)."""
        expected = self.expected_s(prompt_tokens, max_tokens)
        self.slots.hold(waited_s if expected is None else min(waited_s, max(0.0, expected)))


_SLOTS: dict[tuple[str | None, str], EndpointSlots] = {}
_SLOTS_LOCK = threading.Lock()


def endpoint_slots(base_url: str | None, model: str, max_concurrent: int) -> EndpointSlots:
    """The endpoint's slots, shared by every node and run of the process (new ones if the limit changed)."""
    with _SLOTS_LOCK:
        slots = _SLOTS.get((base_url, model))
        if slots is None or slots.max_concurrent != max_concurrent:
            slots = _SLOTS[(base_url, model)] = EndpointSlots(max_concurrent)
        return slots


def gate_for(base_url: str | None, model: str, max_concurrent: int, run_memo: RunMemo) -> ServerGate:
    """The run's gate to the endpoint: made once per run (``run_memo``), over the process's slots."""
    gate, _ = run_memo.once(("gate", base_url, model, max_concurrent),
                            lambda: ServerGate(endpoint_slots(base_url, model, max_concurrent)))
    return gate


def server_speed(base_url: str | None, model: str, max_concurrent: int, run_memo: RunMemo) -> float | None:
    """Weighted tokens per second this run measured for the endpoint (None before its first answer)."""
    return gate_for(base_url, model, max_concurrent, run_memo).tokens_per_s


def is_timeout(error: BaseException) -> bool:
    import httpx
    import openai

    return isinstance(error, openai.APITimeoutError | httpx.TimeoutException | TimeoutError)


def retry_after_s(error: BaseException, attempt: int) -> float:
    """The wait a 429/503 asks for (``retry-after-ms`` / ``retry-after``), else 1, 2, 4 … s."""
    headers = getattr(getattr(error, "response", None), "headers", None) or {}
    try:
        if "retry-after-ms" in headers:
            return float(headers["retry-after-ms"]) / 1000
        if "retry-after" in headers:
            return min(_BACKOFF_CAP_S, float(headers["retry-after"]))
    except ValueError:
        pass
    return min(_BACKOFF_CAP_S, 2.0**attempt)


def interruptible(send: Callable[[], ResultT]) -> ResultT:
    """Run ``send`` in a daemon thread, so a cancelled run need not wait for a blocked HTTP read."""
    box: dict[str, Any] = {}
    done = threading.Event()
    context = contextvars.copy_context()

    def target() -> None:
        try:
            box["value"] = context.run(send)
        except BaseException as error:  # handed to the waiting thread, which raises it
            box["error"] = error
        finally:
            done.set()

    threading.Thread(target=target, name="model-call", daemon=True).start()
    while not done.wait(CANCEL_POLL_S):
        if _CANCEL.is_set():
            raise ModelCallInterrupted("interrupted while the model was answering")
    if "error" in box:
        raise box["error"]
    return box["value"]


def gated_call(
    gate: ServerGate,
    limits: CallLimits,
    size: tuple[int, int],
    send: Callable[[float], ResultT],
    usage: Callable[[ResultT], tuple[int, int]],
) -> ResultT:
    """``send(timeout_s)`` through the gate, retried as the module says. ``size``: (prompt tokens
    estimated, max_tokens). Raises ModelTimeoutError, ModelCallInterrupted or the last provider error."""
    prompt_tokens, max_tokens = size
    timeout: float | None = None
    for attempt in range(limits.max_retries + 1):
        with gate.slot():
            timeout = timeout or gate.timeout_for(prompt_tokens, max_tokens, limits)
            started = time.monotonic()
            try:
                result = interruptible(partial(send, timeout))
            except Exception as error:
                if is_timeout(error):
                    gate.abandoned(time.monotonic() - started, prompt_tokens, max_tokens)
                    timeout *= 2
                    continue
                if not is_transient_error(error) or attempt == limits.max_retries:
                    raise
                wait = retry_after_s(error, attempt)
            else:
                gate.observe(*usage(result), time.monotonic() - started)
                return result
        _wait(wait)
    raise ModelTimeoutError(
        f"the model did not answer within {timeout / 2 if timeout else limits.timeout_s:.0f} s, "
        f"{limits.max_retries + 1} time(s); the server is slower than the timeouts allowed "
        "(raise --request-timeout, lower the section budgets or use a faster model)"
    )


def result_usage(result: ChatResult) -> tuple[int, int]:
    """(prompt, completion) tokens of a chat result, as the server counted them."""
    message = result.generations[0].message if result.generations else None
    usage = getattr(message, "usage_metadata", None) or {}
    return int(usage.get("input_tokens", 0)), int(usage.get("output_tokens", 0))


def finish_reason(message: BaseMessage) -> str:
    """Why the server stopped: "stop", "length" (cut at max_tokens), "tool_calls" …, or "" if unsaid."""
    return str((getattr(message, "response_metadata", None) or {}).get("finish_reason") or "")


_WINDOW_KEYS = ("max_model_len", "context_length", "context_window", "n_ctx", "n_ctx_train")


def server_context_window(base_url: str | None, model: str, run_memo: RunMemo | None = None) -> int | None:
    """The context window the endpoint's ``GET /models`` states for ``model`` (vLLM ``max_model_len``,
    llama.cpp ``meta.n_ctx_train``, others ``context_length``), or None when it says nothing. Asked once
    per run with the run's ``run_memo`` (another model may be behind the URL in the next run), else on
    every call."""
    if not base_url:
        return None
    memo = run_memo or RunMemo()
    window, _ = memo.once(("context_window", base_url, model), lambda: _read_window(base_url, model))
    return window


def _read_window(base_url: str, model: str) -> int | None:
    import httpx

    try:
        response = httpx.get(base_url.rstrip("/") + "/models", timeout=5.0)
        entries = response.json().get("data") or []
    except (httpx.HTTPError, ValueError, AttributeError):
        return None
    for entry in entries:
        if not isinstance(entry, dict) or (len(entries) > 1 and entry.get("id") != model):
            continue
        for source in (entry, entry.get("meta") or {}):
            for name in _WINDOW_KEYS:
                if isinstance(source.get(name), int) and source[name] > 0:
                    return int(source[name])
    return None
