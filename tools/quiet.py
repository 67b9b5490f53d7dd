"""Libraries that talk on their own (jieba's dictionary loading, HTTP clients, Chroma, OCR): which they are,
and how their lines are kept off a user's console unless the user asks for them.

Two layers. At import (the tools module that imports the library): a library that attaches its own stderr
handler and forces DEBUG (jieba, RapidOCR) is released, so its records go through the application's logging
setup like any library's — a plain ``graph.invoke()`` shows only their warnings (Python's last-resort
handler), one that configures logging sees them as configured. On a console (the CLI, benches):
:func:`quiet_libraries` also hides their info lines from a root logger that was set to INFO.
"""

from __future__ import annotations

import logging

# Logger names of the libraries that log their own progress; the CLI shows their info lines with -v.
NOISY_LOGGERS = ("jieba", "chromadb", "httpx", "httpcore", "urllib3", "onnxruntime", "rapidocr_onnxruntime",
                 "RapidOCR", "OrtInferSession", "mcp", "langchain_mcp_adapters")
# Of those, the ones that log their progress at DEBUG on a stderr handler of their own; -v shows those lines.
OWN_HANDLER_LOGGERS = ("jieba", "RapidOCR", "OrtInferSession")
_verbose = False  # set by quiet_libraries(verbose=True): released loggers keep their DEBUG lines


def release_loggers() -> None:
    """Drop the stderr handlers the OWN_HANDLER_LOGGERS libraries attached to their loggers and the level
    they forced, so their records reach only the handlers the application configured (none: warnings and
    errors only). Call it right after importing such a library (it configures its logger on import)."""
    for name in OWN_HANDLER_LOGGERS:
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            if type(handler) is logging.StreamHandler:  # the library's console handler, not a user's file
                logger.removeHandler(handler)
        logger.setLevel(logging.DEBUG if _verbose else logging.NOTSET)


def quiet_libraries(verbose: bool) -> None:
    """Hide the libraries' info and debug lines unless ``verbose``; their warnings and errors still show.

    A filter on the logger, not a level: jieba sets its logger's level to DEBUG when it is imported.
    """
    global _verbose
    if verbose:
        _verbose = True
        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
        for name in OWN_HANDLER_LOGGERS:
            logging.getLogger(name).setLevel(logging.DEBUG)
        return
    for name in NOISY_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _WarningsOnly) for f in logger.filters):
            logger.addFilter(_WarningsOnly())


class _WarningsOnly(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING
