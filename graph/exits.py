"""What every command-line surface shares: the exit codes and the console progress and errors go to.

Exit codes: 0 the report passed every hard check; 1 needs_review (written, with the unmet items);
2 bad input (nothing written); 3 the run failed (state is checkpointed: `reportgraph resume RUN_ID`).
"""

from __future__ import annotations

from rich.console import Console

EXIT_PASS, EXIT_NEEDS_REVIEW, EXIT_BAD_INPUT, EXIT_FAILED = 0, 1, 2, 3
# soft_wrap: piped output stays one event per line (logs, tests reading progress)
console = Console(stderr=True, soft_wrap=True, highlight=False)
