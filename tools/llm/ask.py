"""One structured question to the model, with one exception policy and one record of the call.

Every model question of a run that wants a structured answer (reading the task, planning queries, gap
queries, the soft judge, facets, the support judge) goes through :func:`ask_structured`:

- a provider error no retry of this call helps (transient errors the client already retried; a wrong key,
  model or endpoint) propagates, named by endpoint and purpose (:class:`ModelUnavailableError` for the
  transient ones), so a node's retry policy or the caller decides, and a run stops resumable; unless the
  caller asks otherwise (``outage_is_fallback``): a question whose answer is only ever an extra, the
  support judge's, must never stop ``check`` or a validation, so there these errors are fallbacks too;
- anything else (a failed call, a reply that is not the schema) is a fallback: ``on_fallback(purpose,
  reason)`` and ``None``, so the caller goes on with what it had;
- every reply, usable or not, goes to ``on_reply`` (the run's call and token counts).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from reportgraph.tools.llm.messages import is_configuration_error, is_transient_error, provider_errors
from reportgraph.tools.llm.structured import STRUCTURED_MAX_TOKENS, SchemaT, invoke_structured


def ask_structured(
    model: BaseChatModel,
    schema: type[SchemaT],
    messages: Sequence[tuple[str, str]],
    *,
    purpose: str,
    on_reply: Callable[[BaseMessage], None],
    on_fallback: Callable[[str, str], None],
    max_tokens: int = STRUCTURED_MAX_TOKENS,
    outage_is_fallback: bool = False,
) -> SchemaT | None:
    """``schema`` from ``model`` for ``messages`` (``(role, text)`` pairs), or None after a recorded
    fallback. Raises ModelUnavailableError (transient provider errors) and the provider's configuration
    errors (authentication, permission, not found), unless ``outage_is_fallback``: then they are a
    fallback whose reason starts "model unavailable"."""
    name = str(getattr(model, "model_name", "") or type(model).__name__)
    try:
        with provider_errors(name, getattr(model, "openai_api_base", None), purpose):
            reply = invoke_structured(model, schema, messages, max_tokens=max_tokens)
    except Exception as error:
        outage = is_transient_error(error) or is_configuration_error(error)
        if outage and not outage_is_fallback:
            raise
        what = "model unavailable" if outage else "model call failed"
        on_fallback(purpose, f"{what}: {type(error).__name__}: {error}")
        return None
    for raw in reply.replies:
        on_reply(raw)
    if reply.value is None:
        on_fallback(purpose, f"model reply not usable: {reply.problem}")
    return reply.value
