"""The report's own words outside its sections: the default title and the note on how it was drafted."""

from __future__ import annotations

REPORT_NOTE = {
    "zh": {
        "extractive": "> 说明：本报告由离线抽取式生成器编写（未配置大模型）：论文基本信息取自论文首页，"
        "其余各节由简短的引导语引出从论文、视频与资料库中摘录的原文句子，保留原语言、加引号并逐句标注出处，"
        "未经改写或翻译；将外文摘录译为中文并连贯成文需要配置大模型。",
        "llm": "> 说明：本报告由大模型根据检索到的证据撰写；各项要求与引用的核对结果见 validation.json。",
    },
    "en": {
        "extractive": "> Note: this report was written by the offline extractive drafter (no language model "
        "was configured): the basic information comes from the paper's first page, and each other section "
        "leads in, in a short phrase, to sentences quoted verbatim from the paper, the talk and the document "
        "collection, in their original language, each with its source; translating them and writing "
        "connected prose needs a configured language model.",
        "llm": "> Note: this report was written by a language model from retrieved evidence; the check of "
        "every requirement and citation is in validation.json.",
    },
}

DEFAULT_TITLE = {"zh": "研究报告", "en": "Report"}
