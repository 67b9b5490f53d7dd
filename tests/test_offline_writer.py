"""The offline writer: facts before quotes, definitions per technique, a talk timeline, no sentence twice,
no junk or fragments, and honest gaps. Small records made here; no model, no embedder."""

from __future__ import annotations

import re
from typing import Any

from reportgraph.tools.intake.paper import PaperMetadata
from reportgraph.tools.intake.spec import SectionRequirement
from reportgraph.tools.registry import SourceRecord
from reportgraph.tools.retrieval.focused import CORPUS_CANDIDATES, FocusedSearch, is_bibliography
from reportgraph.tools.retrieval.paperparts import summary_records
from reportgraph.tools.retrieval.store import IndexStore
from reportgraph.tools.writing import (
    FacetEvidence,
    SectionPlan,
    is_fragment,
    is_junk,
    sentence_key,
    write_offline_section,
)
from reportgraph.tools.writing.extractive import run_on
from reportgraph.tools.writing.ledger import Ledger


def pdf(page: int, chunk: int, text: str) -> SourceRecord:
    return SourceRecord(id=f"pdf-abc-p{page}c{chunk}", kind="pdf", segment="page", source_file="paper.pdf",
                        text=text, page=page, chunk_index=chunk, doc_id="pdf-abc")


def corpus(doc: str, chunk: int, text: str, title: str = "") -> SourceRecord:
    return SourceRecord(id=f"lc-{doc}-{chunk}", kind="corpus", segment="chunk",
                        source_file="long_context.json", title=title or doc, text=text,
                        chunk_index=chunk, doc_id=f"lc-{doc}")


def video(segment: str, start: float, end: float, text: str) -> SourceRecord:
    return SourceRecord(id=f"vid-x-{int(start * 1000)}-{int(end * 1000)}-{segment}", kind="video",
                        segment=segment, source_file="talk.mp4", text=text, start_s=start, end_s=end)


def section(index: int, title: str, focus: str = "general") -> SectionRequirement:
    return SectionRequirement(index=index, title=title, heading=f"（{index}）{title}", focus=focus)


def cited_sentences(body: str) -> list[str]:
    return [line for line in body.splitlines() if "[@" in line]


def test_ledger_refuses_a_sentence_and_its_longer_copy() -> None:
    ledger = Ledger("words", 100)
    first = "Human evaluation tends to be labor-intensive and expensive to scale up."
    assert ledger.claim(first)
    assert not ledger.claim("  human evaluation tends to be labor-intensive, and expensive to scale up ")
    assert not ledger.claim(f"{first} It is also hard to design well.")
    assert ledger.claim("A different sentence about annotation interfaces and their design.")


def test_a_sentence_two_sections_could_quote_goes_to_the_first_that_uses_it() -> None:
    from reportgraph.tools.intake.spec import parse_requirements
    from reportgraph.tools.writing import SectionEvidence, assign_sentences

    spec = parse_requirements("请撰写报告，包含以下部分：（1）研究背景；（2）主要发现。字数在300至500字。")
    shared = corpus("a", 1, "细粒度的标注方式能够明显降低不同标注者之间的分歧程度。"
                            "另一句话讲的是别的内容而且也很长。")
    found = {s.index: SectionEvidence([shared]) for s in spec.sections}
    taken = assign_sentences(spec, found, {s.index: 200 for s in spec.sections})
    first, second = (s.index for s in spec.sections)
    key = sentence_key("细粒度的标注方式能够明显降低不同标注者之间的分歧程度。")
    assert key in taken[second] and key not in taken[first]


def test_junk_and_fragments_are_never_quoted() -> None:
    assert is_junk("如果您使用了我们的数据集，请引用我们的论文。")
    assert is_junk("模型回答：法国的首都是巴黎。")
    assert is_junk("【加好友申请格式：姓名+单位】")
    assert is_junk("Dataset 2018 3092 205 59 arXiv 2018 5906 163 55 BillSum 2019 1284 174 19")
    assert not is_junk("Human evaluation tends to be labor-intensive and expensive to scale.")
    assert is_junk("3 The Guidelines for Evaluation In Section 2, we report several concerning issues.")
    assert is_junk("We release our data for research.1 2 Survey of Practices Before discussing it, we ask.")
    assert not is_junk("162 papers on summarization were surveyed by the authors in total.")
    assert is_fragment("We focus on human evaluation of faithfulness, which Wang et al.")
    assert is_fragment("and (3) Do humans benefit from automated alignment between summary and source?")
    assert is_fragment("The score (as defined in Section 3 is the mean of all unit judgments.")
    assert not is_fragment("The score is the mean of all unit judgments.")


def test_a_definition_cut_at_a_chunk_end_is_completed_and_cites_both_chunks() -> None:
    first = pdf(3, 12, "We develop guidelines. We focus on faithfulness, which prior work defines as:")
    second = pdf(4, 1, "“Checking the factual errors in a summary against its source” We then test.")
    merged = run_on(first, second, "words")
    assert merged is not None
    assert merged.text.startswith("We focus on faithfulness") and "factual errors" in merged.text
    assert merged.also == (second.id,)
    assert run_on(first, pdf(5, 2, "Not the next chunk at all, so nothing joins."), "words") is None


def test_basic_information_is_key_value_lines_cited_to_page_one_and_names_what_is_missing() -> None:
    meta = PaperMetadata(title="Some Title: A Study of Things", authors=["Ann Lee", "Bo Chen", "Cy Diaz"],
                         year="2021", cite="pdf-abc-p1-meta")
    plan = SectionPlan(kind="basic_information", paper=meta)
    written = write_offline_section(section(1, "论文基本信息", "paper"), [], plan, language="zh",
                                    unit="cjk_chars", budget=200)
    lines = cited_sentences(written.body)
    title_line = "- 论文题目：Some Title: A Study of Things[@pdf-abc-p1-meta]"
    assert any(line.startswith(title_line) for line in lines)
    assert any(all(name in line for name in meta.authors) for line in lines)
    assert "venue" in written.gaps and "发表出处" in written.body  # no venue on page 1: said, not invented


def test_each_technique_gets_its_cited_definitions_and_a_missing_one_is_said() -> None:
    records = [
        corpus("a", 1, "忠实性评估是指检查摘要中的事实是否都能在原文中找到依据。"
                       "今天天气很好，适合出门散步游玩。"),
        pdf(2, 1, "Faithfulness evaluation refers to checking every claim of a summary against its source. "
                  "We thank the reviewers for their many helpful comments on this work."),
    ]
    plan = SectionPlan(facets=[
        FacetEvidence(name="忠实性评估", kind="task_term", terms=["忠实性评估", "faithfulness evaluation"],
                      ids=[r.id for r in records]),
        FacetEvidence(name="人工评估", kind="task_term", terms=["人工评估"], ids=[]),
    ])
    written = write_offline_section(section(3, "关键技术解析"), records, plan, language="zh",
                                    unit="cjk_chars", budget=400)
    body = written.body
    assert "### 1. 忠实性评估" in body and "### 2. 人工评估" in body
    assert "“忠实性评估是指检查摘要中的事实是否都能在原文中找到依据。”[@lc-a-1]" in body
    assert "Faithfulness evaluation refers to" in body and "[@pdf-abc-p2c1]" in body
    assert "天气" not in body and "reviewers" not in body  # on the page, but not about the term
    assert written.gaps[:1] == ["人工评估"] and "“人工评估”" in body.split("### 2.")[1]


def test_the_talk_is_a_timeline_with_each_slide_and_narration_once() -> None:
    records = [
        video("subtitle", 10.5, 19.0, "Second, we ask whether partial annotation saves annotators effort."),
        video("slide", 0.0, 10.0, "Why Evaluation Is Hard\nHuman judgments are costly and slow to collect"),
        video("subtitle", 0.5, 9.5, "Human judgment is the gold standard, but it is costly and slow."),
        video("slide", 10.0, 20.0, "Partial Annotation\nHuman judgments are costly and slow to collect"),
    ]
    written = write_offline_section(section(4, "视频补充要点", "video"), records, SectionPlan(kind="talk"),
                                    language="zh", unit="cjk_chars", budget=300)
    body = written.body
    assert body.index("vid-x-0-10000-slide") < body.index("vid-x-500-9500-subtitle")
    assert body.index("vid-x-500-9500-subtitle") < body.index("vid-x-10000-20000-slide")
    assert body.count("Human judgments are costly and slow to collect") == 1
    assert "partial annotation saves annotators effort" in body
    # one cited line per item: a slide's words and its narration are checked against their own segments
    items = [line for line in body.splitlines() if line.startswith("- ")]
    assert items and all(line.count("[@") == 1 for line in items)


def test_summary_quotes_the_abstract_and_conclusion_by_facet() -> None:
    pages = [
        pdf(1, 1, "Abstract Human evaluation of long summaries remains difficult and expensive for everyone. "
                  "We propose a set of guidelines for annotating faithfulness in long summaries."),
        pdf(1, 2, "1 Introduction Long documents are everywhere in this field today, as is well known."),
        pdf(5, 1, "The method section describes the tables in detail for the careful reader."),
        pdf(9, 1, "5 Conclusion We find that fine-grained annotation reduces variance between annotators."),
        pdf(10, 1, "References Alpha Beta. 2019. A paper title. In Proceedings of Something, pages 1-9."),
    ]
    chosen = summary_records(pages)
    assert [r.id for r in chosen] == ["pdf-abc-p1c1", "pdf-abc-p1c2", "pdf-abc-p9c1"]
    written = write_offline_section(section(2, "核心内容摘要", "paper"), chosen, SectionPlan(kind="summary"),
                                    language="zh", unit="cjk_chars", budget=300)
    body = written.body
    assert body.index("研究背景与目标") < body.index("研究方法") < body.index("主要结论")
    finding = "We find that fine-grained annotation reduces variance between annotators."
    assert f"“{finding}”[@pdf-abc-p9c1]" in body


def test_focused_search_keeps_bibliography_out_and_floors_the_corpus_without_an_embedder() -> None:
    records = [
        pdf(1, 1, "Faithfulness evaluation checks a summary against its source document carefully."),
        pdf(9, 3, "Ann Lee. 2019. Faithfulness in summaries. In Proceedings of ACL, pages 1-9. "
                  "Bo Chen. 2020. More faithfulness. arXiv preprint."),
        corpus("good", 1, "Faithfulness evaluation of summaries asks whether each claim is in the source."),
        corpus("noise", 1, "The armoured car was built in 1935 and served in three campaigns."),
    ]
    assert is_bibliography(records[1].text) and not is_bibliography(records[0].text)
    finder = FocusedSearch(IndexStore.from_records(records))
    assert [f.record.id for f in finder.paper(["faithfulness evaluation"], 5)] == ["pdf-abc-p1c1"]
    assert [f.record.id for f in finder.corpus(["faithfulness evaluation"], 5)] == ["lc-good-1"]
    assert finder.equivalents("忠实性评估") == []  # no embedder: no cross-language phrases claimed


def test_a_whole_offline_report_uses_no_sentence_twice_and_cites_no_noise() -> None:
    from reportgraph.tools.intake.pdf import PdfExtraction
    from reportgraph.tools.intake.spec import parse_requirements
    from reportgraph.tools.writing import assign_sentences, gather, rebalance

    task = ("请根据论文撰写《蒸馏阅读报告》，准确概括论文的研究目标、方法与结论，"
            "并对关键技术（如知识蒸馏、温度缩放等）进行清晰解释，"
            "包含以下部分：（1）论文基本信息；（2）核心内容摘要；（3）关键技术解析。字数在600至900字。")
    spec = parse_requirements(task)
    abstract = ("Abstract Small models trained from labels alone remain far less accurate than large ones. "
                "Knowledge distillation is a training method in which a small student matches a teacher. "
                "We propose a distillation recipe for Chinese text classifiers. "
                "We find that the student keeps most of the teacher's accuracy.")
    method = ("2 Method Temperature scaling divides the logits by a temperature before the softmax. "
              "Knowledge distillation is a training method in which a small student matches a large teacher.")
    conclusion = "4 Conclusion We find that distillation with a moderate temperature works well for students."
    pages = [pdf(1, 1, abstract), pdf(2, 1, method), pdf(3, 1, conclusion)]
    meta = PaperMetadata(title="Distilling Students", authors=["Ann Lee"], venue="Proceedings of X",
                         year="2023", cite="pdf-abc-p1c1")
    paper = PdfExtraction(source_file="paper.pdf", file_hash="abc" * 10, records=pages, metadata=meta)
    collection = [
        corpus("kd", 1, "知识蒸馏是一种模型压缩方法，指用大型教师模型的输出来训练较小的学生模型。"),
        corpus("noise", 1, "青柳镇每年农历三月举行灯会，镇上的居民会在河边放灯祈福。"),
    ]
    finder = FocusedSearch(IndexStore.from_records([*pages, *collection]))
    queries = {s.index: [spec.topic, s.title] for s in spec.sections}
    found = gather(spec, task, finder, [paper], queries, 6)
    budgets = rebalance({s.index: 250 for s in spec.sections}, found)
    taken = assign_sentences(spec, found, budgets)
    bodies = []
    for s in spec.sections:
        plan = found[s.index].plan.model_copy(update={"taken": taken[s.index]})
        bodies.append(write_offline_section(s, found[s.index].records, plan, language="zh",
                                            unit="cjk_chars", budget=budgets[s.index]).body)
    quotes = [q for body in bodies for q in re.findall(r"“([^”]+)”", body)]
    assert quotes and len({sentence_key(q) for q in quotes}) == len(quotes), quotes
    techniques = bodies[2]
    assert "### 1. 知识蒸馏" in techniques and "[@lc-kd-1]" in techniques
    # Without an embedder nothing carries 温度缩放 to the English paper: said, not papered over.
    assert "### 2. 温度缩放" in techniques and "没有找到可引用的关于“温度缩放”的表述" in techniques
    assert "灯会" not in "".join(bodies)
    assert budgets[1] < budgets[2]  # a basic-information section gives its unused budget away


class ConceptEmbedder:
    """A stand-in multilingual embedder: a text's vector counts the concepts it names, in either language."""

    name = "concepts"
    indexes_whole_corpus = False
    CONCEPTS = (("温度", "temperature"), ("蒸馏", "distill"), ("灯会", "lantern"))

    def _vector(self, text: str) -> list[float]:
        lowered = text.lower()
        return [float(zh in lowered or en in lowered) for zh, en in self.CONCEPTS] + [0.1]

    def embed_documents(self, texts: list[str]) -> Any:
        import numpy as np

        matrix = np.array([self._vector(t) for t in texts], dtype=np.float32)
        return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)

    def embed_query(self, text: str) -> Any:
        return self.embed_documents([text])[0]


def test_a_chinese_term_reaches_the_english_paper_through_the_embedder() -> None:
    pages = [
        pdf(1, 1, "Abstract We study temperature scaling for distillation. "
                  "Temperature scaling divides logits. Temperature scaling helps students."),
        pdf(2, 1, "The lantern festival data set has many rows of weather records and lantern prices."),
    ]
    store = IndexStore.from_records(pages, embedder=ConceptEmbedder())
    finder = FocusedSearch(store)
    assert "temperature scaling" in finder.equivalents("温度缩放")
    assert finder.paper(["温度缩放"], 1)[0].record.id == "pdf-abc-p1c1"  # no shared word, found densely


def test_the_collection_is_floored_densely_but_only_the_hits_it_examines_are_embedded() -> None:
    """BM25 proposes the collection's candidates; only the few examined against the floor are embedded
    (re-ranking BM25's whole pool densely as well cost four times the passages for the same report)."""
    class Counting(ConceptEmbedder):
        def __init__(self) -> None:
            self.embedded: list[str] = []

        def embed_documents(self, texts: list[str]) -> Any:
            self.embedded.extend(texts)
            return super().embed_documents(texts)

    collection = [corpus(f"t{i}", 1, f"Temperature scaling note {i}: softer targets help distillation.")
                  for i in range(30)]
    collection += [corpus("lantern", 1, "Temperature of the lantern festival night was mild.")]
    embedder = Counting()
    finder = FocusedSearch(IndexStore.from_records(collection, embedder=embedder), corpus_floor=0.9)
    found = finder.corpus(["temperature scaling distillation"], 2)
    assert len(found) == 2 and all(f.record.doc_id != "lc-lantern" for f in found)
    assert all((f.similarity or 0) >= 0.9 for f in found)
    assert 0 < len(embedder.embedded) <= 2 * CORPUS_CANDIDATES < len(collection)


def test_the_paper_s_dense_pass_reports_its_progress() -> None:
    """Embedding every paper chunk is the longest step of a cold retrieve: it drives a progress bar."""
    pages = [pdf(p, 1, f"Temperature scaling page {p} divides logits for distillation.") for p in range(1, 6)]
    seen: list[tuple[str, int, int]] = []
    finder = FocusedSearch(IndexStore.from_records(pages, embedder=ConceptEmbedder()),
                           progress=lambda stage, done, total: seen.append((stage, done, total)))
    finder.paper(["温度缩放"], 2)
    assert seen and seen[-1] == ("embed", 5, 5)
    finder.paper(["蒸馏"], 2)
    assert len(seen) == 1, "the paper's vectors are embedded once"
