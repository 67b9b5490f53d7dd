"""Chat models and calls to them: any OpenAI-compatible endpoint, or a scripted replay model.

- ``factory``: the chat model for a run (scripted replay, or the gated ChatOpenAI).
- ``messages``: provider error classes, reading replies (``<think>`` blocks, loose JSON, usage).
- ``ask``: one structured question with one exception policy and one record of the call.
- ``calls``: what every request goes through: concurrency per endpoint, a timeout that adapts to the
  server's measured speed, retries that never resend a request the server is still computing, Ctrl-C.
- ``openai_chat``: the gated ChatOpenAI (imported only when a run has a model: the SDK is a second to import).
- ``structured``: structured output by whichever means the server offers, chosen once per run by a probe.
- ``scripted``: the replay model tests and demos use.
"""

from reportgraph.tools.llm.ask import ask_structured
from reportgraph.tools.llm.calls import (
    PROMPT_WEIGHT,
    CallLimits,
    ModelCallInterrupted,
    ModelTimeoutError,
    cancel_model_calls,
    estimate_tokens,
    finish_reason,
    interrupt_model_calls_on_sigint,
    server_context_window,
    server_speed,
)
from reportgraph.tools.llm.factory import SCRIPTED_PREFIX, LLMSettings, make_chat_model
from reportgraph.tools.llm.messages import (
    ModelUnavailableError,
    is_configuration_error,
    is_transient_error,
    message_text,
    parse_json_loose,
    provider_errors,
    reply_notes,
    strip_reasoning,
    usage_of,
)
from reportgraph.tools.llm.scripted import (
    ScriptedChatModel,
    ScriptRule,
    forget_scripted_models,
    scripted_model,
)
from reportgraph.tools.llm.structured import (
    MAX_STRUCTURED_ATTEMPTS,
    STRUCTURED_MODES,
    SchemaT,
    StructuredReply,
    invoke_structured,
    read_structured,
    structured_mode,
)

__all__ = [
    "MAX_STRUCTURED_ATTEMPTS",
    "PROMPT_WEIGHT",
    "SCRIPTED_PREFIX",
    "STRUCTURED_MODES",
    "CallLimits",
    "LLMSettings",
    "ModelCallInterrupted",
    "ModelTimeoutError",
    "ModelUnavailableError",
    "SchemaT",
    "ScriptRule",
    "ScriptedChatModel",
    "StructuredReply",
    "ask_structured",
    "cancel_model_calls",
    "estimate_tokens",
    "finish_reason",
    "forget_scripted_models",
    "interrupt_model_calls_on_sigint",
    "invoke_structured",
    "is_configuration_error",
    "is_transient_error",
    "make_chat_model",
    "message_text",
    "parse_json_loose",
    "provider_errors",
    "read_structured",
    "reply_notes",
    "scripted_model",
    "server_context_window",
    "server_speed",
    "strip_reasoning",
    "structured_mode",
    "usage_of",
]
