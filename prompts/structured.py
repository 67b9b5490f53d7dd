"""How any structured question asks for, and asks again for, an answer in the schema."""

from __future__ import annotations

# Structured output (tools/llm/structured.py): the schema for modes without tool calling, and the retry of
# an unreadable reply, which carries its parse error.
STRUCTURED_INSTRUCTION = (
    "Answer with one JSON object only, no prose and no code fence, matching this JSON schema:\n{schema}"
)

STRUCTURED_RETRY = (
    "Your reply could not be read: {problem}\nAnswer again with one JSON object only, matching the schema."
)

# A reply cut at the token limit is not shown back (a looping model would continue the loop).
STRUCTURED_CUT_RETRY = (
    "Your previous reply was cut off at the token limit (max_tokens {max_tokens}) before its JSON was "
    "complete. Answer again with a much shorter JSON object matching the schema: fewer list items, short "
    "strings, no repetition."
)
