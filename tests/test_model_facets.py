"""With a model drafting and Context.model_facets on, validate asks it for facets: a soft item beside the
rules' own, recorded in validation.json with its source, never deciding pass or fail."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reportgraph.tools.llm import forget_scripted_models
from test_llm_path import (
    OUTLINE,
    SOFT_MET,
    brewing_good,
    origin_good,
    read_output,
    run_graph,
    tea_task,  # noqa: F401  (the fixture)
)
from unjudged import only_relevance_unjudged

PROPOSAL = {"facets": [{"section": 1, "name": "陆羽与《茶经》", "terms": ["茶经"]},
                       {"section": 2, "name": "普洱的冲泡", "terms": ["普洱"]},
                       {"section": 9, "name": "a section the task lacks", "terms": ["x"]}]}


def rules(ids: dict[str, str], section_one: str = "", proposal: dict[str, Any] = PROPOSAL
          ) -> list[dict[str, Any]]:
    return [
        {"match": ["Sections the report must have"],
         "tool_call": {"name": "FacetProposal", "args": proposal}},
        {"match": ["Required sections"], "tool_call": {"name": "OutlinePlan", "args": OUTLINE}},
        {"match": ["Requirements:"], "tool_call": {"name": "SoftVerdict", "args": SOFT_MET}},
        {"match": ["第 1 节"], "content": section_one or origin_good(ids)},
        {"match": ["第 2 节"], "content": brewing_good(ids)},
    ]


def run(folder: Path, tmp_path: Path, cache_dir: Path, on: bool, script_rules: list[dict[str, Any]],
        rounds: int = 1) -> dict[str, Any]:
    forget_scripted_models()
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"rules": script_rules}, ensure_ascii=False), encoding="utf-8")
    state, _ = run_graph(folder, {"chat_model": f"scripted:{script}", "embedder": "none",
                                  "cache_dir": str(cache_dir), "output_dir": str(tmp_path / "out"),
                                  "max_revision_rounds": rounds, "model_facets": on,
                                  "stop_without_progress": False})  # every round runs: counted per round
    return state


def test_model_facets_are_recorded_as_a_soft_item_beside_the_rules(
    tea_task: tuple[Path, dict[str, str]], tmp_path: Path, cache_dir: Path  # noqa: F811
) -> None:
    folder, ids = tea_task
    state = run(folder, tmp_path, cache_dir, True, rules(ids))
    validation = read_output(tmp_path, "validation.json")
    checks = {c["name"]: c for c in validation["checks"]}
    model = checks["model_facets"]
    # the one unmet hard check is relevance, which cannot rank five documents (issue 27); never the soft item
    assert state["status"] == validation["status"] == "needs_review" and only_relevance_unjudged(validation)
    assert model["hard"] is False and model["passed"] is False
    assert model["figure"]["missing"] == ["普洱的冲泡 (section 2)"]
    assert model["figure"]["cited_sentences_per_facet"]["1"]["陆羽与《茶经》"] >= 1
    assert {f["source"] for f in model["figure"]["facet_sources"]} == {"model"}
    substance = checks.get("section_substance", {"figure": {"facet_sources": []}})
    assert all(f["source"] == "rules" for f in substance["figure"]["facet_sources"])
    assert not any(item.startswith("model_facets") for item in validation["unmet"])


def test_without_the_setting_no_facets_are_asked_for(
    tea_task: tuple[Path, dict[str, str]], tmp_path: Path, cache_dir: Path  # noqa: F811
) -> None:
    folder, ids = tea_task
    run(folder, tmp_path, cache_dir, False, rules(ids))
    validation = read_output(tmp_path, "validation.json")
    assert "model_facets" not in {c["name"] for c in validation["checks"]}


def test_met_model_facets_and_an_approving_soft_judge_never_rescue_a_failed_hard_check(
    tea_task: tuple[Path, dict[str, str]], tmp_path: Path, cache_dir: Path  # noqa: F811
) -> None:
    folder, ids = tea_task
    unknown = origin_good(ids).replace("方法[@", "方法[@lc-0000000000-1][@")
    covered = {"facets": [{"section": 1, "name": "陆羽与《茶经》", "terms": ["茶经"]}]}
    state = run(folder, tmp_path, cache_dir, True, rules(ids, unknown, covered), rounds=0)
    validation = read_output(tmp_path, "validation.json")
    checks = {c["name"]: c for c in validation["checks"]}
    assert checks["model_facets"]["passed"] and validation["soft"]["items"][0]["met"] is True
    assert state["status"] == validation["status"] == "needs_review"
    assert not validation["hard_checks_passed"] and not checks["citations_resolve"]["passed"]
