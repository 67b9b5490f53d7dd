"""The batch summary table keeps every path and run id whole at a pipe's 80 columns."""

from __future__ import annotations

import io

from reportgraph.graph.batch import TaskRun, summary_table
from rich.console import Console


def test_summary_table_folds_long_paths_and_run_ids_instead_of_cutting_them() -> None:
    run = TaskRun(
        name="hybrid_search_zh_long_name", task_dir="/tmp/tasks/hybrid_search_zh_long_name",
        run_id="batch-20261130-160345-hybrid_search_zh_long_name",
        output_dir="/tmp/some/deep/output/folder/hybrid_search_zh_long_name", log="/tmp/x.log",
        status="needs_review", exit_code=1, seconds=29.6,
    )
    out = io.StringIO()
    Console(file=out, width=80).print(summary_table([run], 29.6))
    text = out.getvalue()
    assert "…" not in text
    rows = [line.split("│") for line in text.splitlines() if line.startswith("│")]
    column = {name: "".join(row[i].strip() for row in rows) for i, name in ((5, "output"), (6, "run id"))}
    assert column == {"output": run.output_dir, "run id": run.run_id}
