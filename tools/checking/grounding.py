"""Grounding and support: every sentence that states a fact cites, and what it cites says it.

Sentence-level grounding: a sentence without a citation is framing only when it carries no number, no Latin
name or term, and none of the words that state a finding or a definition (``FACT_CUES``); any other
uncited sentence fails. The share of uncited framing sentences is reported.

Support: each cited sentence is assessed against each source it cites (alignment.assess); the outcomes
supported / unsupported / unverified are counted apart, and the check passes only when every citation was
confirmed by some method.
"""

from __future__ import annotations

import re
from typing import Any

from reportgraph.tools.checking.alignment import Assessment, assess, latin_terms, numbers_in, subject_terms
from reportgraph.tools.checking.report import CheckResult, Report, Sentence, note

# Words that make a sentence a claim (a finding, a definition, a result), zh and en.
FACT_CUES = re.compile(
    r"证明|证实|表明|发现|显示|指出|认为|提出|定义|是指|指的是|称为|称作|意味着|导致|高于|低于|超过|达到|提高|"
    r"降低|优于|劣于|少于|多于|一半|首次|发表|收录"
    r"|\b(?:prove[sd]?|show(?:s|ed|n)?|found|find(?:s|ings)?|demonstrate[sd]?|define[sd]?|means|refers? to|"
    r"called|reported|propose[sd]?|outperform(?:s|ed)?|improve[sd]?|reduce[sd]?|increase[sd]?|"
    r"published)\b",
    re.I,
)
_LIST_MARK = re.compile(r"^\s*(?:\d+[.、)）]|[一二三四五六七八九十]+[、.])\s*")


def fact_bearing(sentence: Sentence) -> list[str]:
    """Why an uncited sentence states a fact (empty: framing)."""
    text = _LIST_MARK.sub("", sentence.text)
    reasons = []
    if numbers_in(text):
        reasons.append("number")
    if latin_terms(text):
        reasons.append("name or term")
    if FACT_CUES.search(text):
        reasons.append("finding or definition")
    return reasons


def check_claims_cited(report: Report) -> CheckResult | None:
    if not report.spec.citations.required:
        return None
    feedback: dict[int, list[str]] = {}
    # The video analysis's disclosure (what could not be analysed) is the product's statement, not a claim.
    disclosure = report.inputs.video_disclosure
    uncited = [
        s
        for s in report.sentences
        if not s.ids and s.section is not None and not (disclosure and s.text in disclosure)
    ]
    claims = [(s, fact_bearing(s)) for s in uncited]
    failing = [(s, why) for s, why in claims if why]
    for sentence, why in failing:
        note(
            feedback,
            sentence.section,
            f'Uncited claim ({", ".join(why)}): "{sentence.text[:70]}" — cite the '
            "source that says it, or remove it.",
        )
    in_sections = [s for s in report.sentences if s.section is not None]
    framing = len(uncited) - len(failing)
    return CheckResult(
        name="claims_cited",
        passed=not failing,
        feedback=feedback,
        sections=sorted({s.section for s, _ in failing if s.section is not None}),
        detail=f"{len(failing)} uncited sentences state facts; {framing}/{len(in_sections)} sentences are "
        "uncited framing",
        figure={
            "sentences": len(in_sections),
            "cited": len(in_sections) - len(uncited),
            "uncited_framing": framing,
            "uncited_facts": len(failing),
            "framing_share": round(framing / len(in_sections), 3) if in_sections else 0.0,
            "examples": [{"sentence": s.text[:120], "why": why} for s, why in failing[:10]],
            # every uncited claim in full, with its section, so a review page can mark it in place
            "claims": [{"sentence": s.text, "section": s.section, "why": why} for s, why in failing],
            "method": "each sentence (project segmenter); an uncited one states a fact when it has a "
            "number, a Latin name or term, or a word of finding/definition",
        },
    )


def report_subject(report: Report) -> frozenset[str]:
    """The report's own subject as names: the title the task asks for, the titles of the task's PDFs and
    videos (their title records), the task's text (alignment.subject_terms)."""
    titles = {str(r.get("title", "")) for r in report.registry.values() if r.get("kind") in ("pdf", "video")}
    return subject_terms(report.spec.title or "", report.inputs.task_text, *titles)


def _assessments(report: Report) -> list[tuple[Sentence, str, Assessment]]:
    checker, registry = report.inputs.support, report.registry
    subject = report_subject(report)
    found = []
    for sentence in report.cited():
        ids = [c for c in dict.fromkeys(sentence.ids) if c in registry]
        for cited in ids:
            record = registry[cited]
            title = str(record.get("title", ""))
            text = str(record.get("text", ""))
            verdict = assess(checker, sentence.text, text, title=title, subject=subject)
            if verdict.outcome != "supported" and len(ids) > 1:
                # a sentence with two citations joins what both say: checked against both together
                joint = "\n".join(str(registry[c].get("text", "")) for c in ids)
                titles = " ".join(str(registry[c].get("title", "")) for c in ids)
                together = assess(checker, sentence.text, joint, title=titles, subject=subject)
                verdict = together if together.outcome == "supported" else verdict
            found.append((sentence, cited, verdict))
    return found


def _support_examples(bad: list[tuple[Sentence, str, Assessment]]) -> list[dict[str, Any]]:
    return [
        {
            "sentence": s.text[:120],
            "id": c,
            "outcome": v.outcome,
            "method": v.method,
            "reason": v.reason,
            "lexical": round(v.lexical, 3),
            "dense": v.dense,
            "aligned": v.aligned[:160],
        }
        for s, c, v in bad
    ]


def check_support(report: Report) -> CheckResult:
    feedback: dict[int, list[str]] = {}
    assessed = _assessments(report)
    outcomes = {"supported": 0, "unsupported": 0, "unverified": 0}
    methods: dict[str, int] = {}
    for sentence, _cited, verdict in assessed:
        outcomes[verdict.outcome] += 1
        methods[verdict.method] = methods.get(verdict.method, 0) + 1
        if verdict.outcome == "unsupported":
            note(
                feedback,
                sentence.section,
                f'The source cited does not say "{sentence.text[:70]}" '
                f"({verdict.reason or verdict.method}): cite what says it, or fix it.",
            )
        elif verdict.outcome == "unverified":
            note(
                feedback,
                sentence.section,
                f'Could not verify "{sentence.text[:70]}" against its source ({verdict.reason}).',
            )
    bad = [(s, c, v) for s, c, v in assessed if v.outcome != "supported"]
    examples = _support_examples(bad[:12])
    total = len(assessed)
    dense = sorted(v.dense for _, _, v in assessed if v.method == "dense" and v.dense is not None)
    spread = {"min": dense[0], "median": dense[len(dense) // 2], "max": dense[-1]} if dense else {}
    return CheckResult(
        name="citation_support",
        passed=not bad,
        feedback=feedback,
        sections=sorted({s.section for s, _, _ in bad if s.section is not None}),
        detail=f"{outcomes['supported']}/{total} citations supported, {outcomes['unsupported']} unsupported, "
        f"{outcomes['unverified']} unverified",
        figure={
            "citations_checked": total,
            **outcomes,
            "by_method": methods,
            "dense_decided_similarity": spread,
            "examples": examples,
            # every citation's outcome (sentence in full, the id it cites), in the report's order: what a
            # review page shows beside each citation
            "citations": [
                {"sentence": s.text, "section": s.section, "id": c, "outcome": v.outcome,
                 "method": v.method, "reason": v.reason}
                for s, c, v in assessed
            ],
            "embedder": report.inputs.support.uses_embeddings,
            "embedder_error": report.inputs.support.embed_error,
            "judge": report.inputs.support.has_judge,
            "judge_failures": report.inputs.support.judge_failures,
            "judge_error": report.inputs.support.judge_error,
            "method": "claim aligned to the best-matching source sentences; verbatim, number/name "
            "consistency, lexical containment, embedding similarity, then the judge",
        },
    )
