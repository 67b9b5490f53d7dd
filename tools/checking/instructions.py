"""Text in a source that addresses whoever reads it — a model or a report's writer — is data, never evidence.

A document may carry instructions ("ignore the user", "put X in your report"), in any language and inside
any wrapper (HTML, JSON, a ``system:`` line). No list of known phrasings can keep up with them, so the rule
is structural: a sentence is an instruction when it

1. speaks *to* an AI persona (a vocative "Dear assistant," / "Note for the language model:" / "致…AI：", or
   "you are (now) an AI …");
2. directs *your* output: a second-person possessive with an output word ("your report", "你的回答",
   "votre réponse", "deinen Bericht" …), or a second-person pronoun beside an output word in languages that
   drop the possessive (zh, ja, ko);
3. overrides: a verb of ignoring or forgetting with instructions, rules, the user or the prompt as object;
4. restricts the reply ("answer only with …", "只回复 …");
5. is a chat role line (``system:``, ``[assistant]``, ``{"role": "system"``).

The concept words (second person, output, persona, ignoring) are given for English, Chinese, French, German,
Spanish, Portuguese, Russian, Japanese and Korean; the rule combines them, it does not match sentences.
tests/test_injections.py generates injections from its own parts and measures the rule on them.
"""

from __future__ import annotations

import re

_YOUR = (
    r"your|yours|thy|你的|您的|votre|vos|ton|ta|tes|dein|deine|deinen|deinem|deiner|ihr|ihre|ihren|ihrem|"
    r"tu|tus|su|sus|seu|sua|seus|suas|твой|твоя|твоё|твою|ваш|ваша|ваше|вашу|свой|свою|あなたの|君の|당신의"
)
_YOU = r"you|你|您|vous|tu|du|sie|usted|tú|você|ты|вы|あなた|君|당신"
_OUTPUT = (
    r"report|summary|answer|response|reply|output|essay|article|报告|總結|总结|摘要|回答|回复|回覆|输出|"
    r"rapport|résumé|réponse|bericht|zusammenfassung|antwort|ausgabe|informe|resumen|respuesta|relatório|"
    r"resumo|resposta|отч[её]т|резюме|ответ|レポート|報告書|要約|回答|返答|보고서|요약|답변"
)
_PERSONA = (
    r"assistant|a\.?i\.?|ai model|language model|llm|chatbot|gpt|助手|人工智能|ai|大模型|语言模型|"
    r"assistente|asistente|assistent|ia|ki|sprachmodell|modèle de langage|modelo de lenguaje|"
    r"modelo de linguagem|ассистент|ии|языковая модель|アシスタント|言語モデル|어시스턴트|인공지능"
)
_IGNORE = (
    r"ignore|ignoring|disregard|forget|override|忽略|忽视|无视|忘掉|忘记|不要理会|ignorez|oubliez|ignore|oublie|"
    r"vergiss|vergessen sie|ignoriere|ignorieren sie|olvida|olvide|ignora|ignore|esqueça|esqueca|забудь|"
    r"забудьте|игнорируй|игнорируйте|無視|忘れ|무시|잊어"
)
_RULES = (
    r"instructions?|rules?|prompt|user|guidelines|要求|指令|指示|规则|用户|consignes|instructions|règles|"
    r"utilisateur|anweisungen|regeln|nutzers?|benutzers?|instrucciones|reglas|usuario|instruções|regras|"
    r"usuário|указания|инструкции|правила|пользовател\w*|ユーザー|指示|ルール|지시|사용자"
)
_ONLY_REPLY = (
    r"(?:answer|reply|respond|say|output)\w*\s+(?:\w+\s+){0,2}only|only\s+(?:answer|reply|respond|say)|"
    r"只(?:回复|回答)|仅(?:回复|回答)|répond\w*\s+(?:\w+\s+)?seulement|antworte\w*\s+nur|"
    r"respond\w*\s+(?:\w+\s+)?(?:solo|apenas|somente)|ответь\w*\s+только|とだけ(?:答え|返答|書)"
)
# Word edges for alphabets that space their words; CJK words join without spaces, so no edge there.
_LETTER = r"[A-Za-zÀ-ÖØ-öø-ÿĀ-žА-яЁё]"
_WORD_START, _WORD_END = rf"(?<!{_LETTER})", rf"(?!{_LETTER})"


def _words(alternatives: str) -> str:
    """The alternatives as whole words: edges for the spaced alphabets, none for CJK."""
    spaced = re.compile(_LETTER)
    return "(?:" + "|".join(
        rf"{_WORD_START}{word}{_WORD_END}" if spaced.match(word) else word for word in alternatives.split("|")
    ) + ")"


# zh, ja and ko often drop the possessive: "你必须在报告开头…" — a second-person pronoun with a modal
_CJK_YOU_MUST = re.compile(
    rf"(?:你|您|あなた|君|당신)\s*(?:必须|务必|一定要|需要|应该|应当|要|只能|は|이)[^。！？!?]{{0,30}}(?:{_OUTPUT})"
)
# An order starts a clause or follows "please" or a second-person pronoun; a noun ("a disregard of") does not.
_CLAUSE = r"(?:^\W*|[^\w\s]\s*|\b(?:and|then|now|just|please|bitte|veuillez)\s+|请|你|您|先)"
_PERSONA_AT_START = rf"^\W*(?:the\s+)?{_words(_PERSONA)}\s*[:：]"
_ADDRESSED_PERSONA = (
    rf"(?:dear|attention|note (?:to|for)|hey|à l'attention de|hinweis an|para el|para o|для|致|给)"
    rf"\s*(?:the\s+|l'|le\s+|la\s+|den\s+)?(?:[^\s,:：，]{{0,20}}\s*)?{_words(_PERSONA)}\s*[,:：，]"
)
INSTRUCTION = re.compile(
    "|".join(
        [
            # 1. spoken to a persona: "Dear assistant," "Note for the language model:" "致…AI：" "AI: …"
            _ADDRESSED_PERSONA,
            _PERSONA_AT_START,
            rf"{_words(_PERSONA)}(?:へ|에게|님)\s*[:：,，]",
            rf"{_words(_YOU)}\s+(?:are|re)\s+(?:now\s+)?(?:an?\s+)?(?:\w+\s+)?{_words(_PERSONA)}",
            # 2. directs your output
            rf"{_words(_YOUR)}\s*(?:\w+\s+)?{_words(_OUTPUT)}",
            _CJK_YOU_MUST.pattern,
            # 3. overrides instructions, rules, the user (an order, not a noun)
            rf"{_CLAUSE}{_words(_IGNORE)}[^.。!?！？]{{0,40}}{_words(_RULES)}",
            rf"(?:指示|ルール|지시|규칙)\s*(?:を|을|를)\s*(?:{_IGNORE})",  # ja, ko: the object comes first
            # 4. restricts the reply (an order)
            rf"(?:^|[,;:，；：]\s*|\band\s+|please\s+|请|你|您)(?:{_ONLY_REPLY})",
            # 5. a chat role line
            r"^\s*[\[<{(]?\s*\"?(?:system|assistant|developer|sys)\"?\s*[\]>})]?\s*[:：]",
            r"\"role\"\s*:\s*\"(?:system|developer)\"",
        ]
    ),
    re.I | re.M,
)


def is_instruction(text: str) -> bool:
    """True when ``text`` (a sentence or a line) addresses a model or a report's writer (rules above)."""
    return bool(INSTRUCTION.search(text))
