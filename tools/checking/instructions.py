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
5. is a chat role line (``system:``, ``[assistant]``, ``{"role": "system"``);
6. addresses the writer in the third person, by role: a producer of the output named by a relative
   clause ("whoever writes the report", "撰写报告的人", "wer den Bericht schreibt", "レポートを書く人") or a
   role noun ("the report's writer", "报告撰写者", "auteur du rapport", "보고서 작성자"), and either spoken
   to (after "note to", "致", "à l'attention de" …, or before a colon: "Report writer: recommend …") or given
   an order (should, 请, doit, soll, debe, должен, べき, 해야 …) in a sentence that also points at this text
   ("this page", "本页", "diese Seite" …) or at every reader ("every reader", "所有读者", "tous les
   lecteurs" …).
   Sentences about writers that point at neither — news ("Report writers at the agency said …") or a style
   guide's general advice ("Writers of safety reports should state the date of inspection") — are not
   instructions: nothing structural tells general advice from an order to this report's writer, so the
   order must show that it is aimed here. A role noun before a colon followed by a capital is a byline
   ("Report writer: Jane Smith"), not an address.

The concept words (second person, output, persona, ignoring; for kind 6 producing, role, order, this text,
every reader) are given for English, Chinese, French, German, Spanish, Portuguese, Russian, Japanese and
Korean; the rule combines them, it does not match sentences. tests/test_injections.py generates injections
from its own parts (tests/injections.py) and measures the rule on them, negatives of the same words too.
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
            # "If you are the one writing the report from this page, …": you, as the output's producer
            rf"\byou(?:'re|\s+are)\s+(?:the\s+(?:one|person)\s+)?(?:writing|drafting|compiling|summari[sz]ing"
            rf"|preparing)\s+(?:\S+\s+){{0,3}}?{_words(_OUTPUT)}",
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


# 6. the writer by role. Producing verbs after a relative pronoun (en, fr, es, pt, ru share the order).
_WHO = (
    r"whoever|whomever|anyone|anybody|everyone|everybody|those|the (?:one|person|people|model|tool|agent)|"
    r"any (?:one|person|model|tool|agent)|quiconque|celui|celle|ceux|la personne|toute personne|quien|"
    r"quienes|quienquiera|el que|la que|la persona|cualquiera|quem|aquele|a pessoa|qualquer pessoa|кто"
)
_PRODUCE = (
    r"writ(?:es?|ing)|compil\w*|summari[sz]\w*|draft\w*|reads?|reading|prepar\w*|produc\w*|generat\w*|"
    r"put(?:s|ting)? together|assembl\w*|"
    r"creat\w*|r[ée]dig\w*|[ée]cri[tv]\w*|r[ée]sum\w*|lit|lisent|lira|génèr\w*|redact\w*|escrib\w*|"
    r"le[ae]|leer|elabor\w*|escrev\w*|ler|lê|ger[ae]\w*|пиш\w*|напиш\w*|состав\w*|резюмир\w*|чита\w*|"
    r"прочита\w*|готов\w*|подготов\w*"
)
_PRODUCE_DE = r"schreib\w*|verfass\w*|zusammenfass\w*|erstell\w*|lies\w*|entw[iu]rf\w*|zusammenstell\w*"
_PRODUCE_CJK = (
    r"撰写|编写|起草|整理|总结|概括|阅读|生成|编制|汇总|写|读|"
    r"書|作成|まとめ|要約|読|執筆|쓰|작성|요약|읽|정리|만드"
)
_ROLE_NOUN = (
    r"writers?|authors?|compilers?|drafters?|editors?|preparers?|summari[sz]ers?|r[ée]dact(?:eur|rice)s?|"
    r"auteurs?|autrices?|redact(?:or|ora)(?:es|s)?|autor(?:a|es|as)?|redat(?:or|ora)(?:es|s)?|"
    r"verfasser(?:in|innen)?|ersteller(?:in|innen)?|автор\w*|составител\w*"
)
_ROLE_NOUN_CJK = (
    r"的?(?:撰写|编写|起草|写作|编制|整理)(?:者|人员|人)|的?作者|"
    r"の?(?:作成者|執筆者|書き手|筆者)|\s*(?:작성자|필자)"
)
_THIS = (
    r"(?:this|these|from this)\s+(?:\w+\s+)?(?:pages?|documents?|text|article|source|file|notes?|passage|"
    r"post|site|material|report|summary|answer)|"
    r"ce(?:tte|s|t)?\s+(?:page|document|texte|article|notes|fichier|source|rapport|résumé)|"
    r"diese[rnms]?\s+(?:Seite|Dokument|Text|Artikel|Notizen|Datei|Quelle|Bericht|Zusammenfassung)|"
    r"d?est[ea]s?\s+(?:página|documento|texto|artículo|artigo|notas|archivo|arquivo|fuente|fonte|informe|"
    r"resumen|relatório|resumo)|эт\w+\s+(?:страниц|документ|текст|стать|заметк|отч[её]т|резюме)\w*|"
    r"本文|本页|此页|这一?页|本网页|此文|这篇|这段(?:文字|话|内容)|"
    r"这份(?:材料|文档|文件|资料|报告|笔记)|本材料|本文档|本文件|以上内容|"
    r"このページ|この文書|この記事|この資料|本ページ|このレポート|この報告書|"
    r"이\s*(?:페이지|문서|글|자료|보고서)|본문"
)
_EVERY_READER = (
    r"(?:every|each|all|any)\s+(?:of\s+(?:the|its)\s+)?(?:readers?|users?|visitors?)|"
    r"(?:chaque|tou(?:s|tes) les)\s+(?:lect|utilisat)\w+|"
    r"(?:jede[nrms]?|alle[n]?)\s+(?:Leser|Nutzer|Benutzer)\w*|"
    r"(?:cada|tod[oa]s l[oa]s|tod[oa]s [oa]s)\s+(?:lector|leitor|usuari|usuári|utilizador)\w*|"
    r"(?:кажд|вс)\w*\s+(?:читател|пользовател)\w*|"
    r"(?:每位|每个|每一位|所有|全体|各位|广大)(?:读者|用户)|"
    r"(?:すべての|全ての|各)読者|読者(?:全員|の皆様|の皆さん)|(?:모든|각)\s*독자|독자\s*여러분"
)
_MUST = (
    r"should|must|shall|ought to|has to|have to|needs? to|please|make sure|be sure|remember to|"
    r"(?:is|are) (?:\w+ )?(?:asked|required|expected|told|instructed|requested|to)|"
    r"doit|doivent|devra|devrait|prié|veuillez|merci de|il faut|soll\w*|muss|müssen|bitte|"
    r"debe\w*|tiene que|tienen que|por favor|ha de|deve\w*|tem que|têm que|precisa|"
    r"должен|должна|должны|обязан\w*|следует|нужно|надо|пожалуйста|"
    r"应|请|务必|必须|需要|须|一定要|要|"
    r"べき|ください|下さい|なければ|必ず|해야|하세요|하십시오|주세요|반드시|바랍니다"
)
_OBJECT = rf"(?:{_OUTPUT})\w*|{_THIS}|this|ceci|dies|esto|isso|это"
_ROLE = re.compile(
    "|".join(
        [
            # whoever writes the report, quiconque rédige le rapport, тот, кто пишет отчёт
            rf"{_words(_WHO)}(?:\s+(?:who|that|qui|que|quer que))?(?:\s+(?:is|are|will|va|vai|va a|будет))?"
            rf"\s+(?:{_PRODUCE})\s+(?:\S+\s+){{0,3}}?(?:{_OBJECT})",
            # wer den Bericht schreibt, jeder, der diese Seite zusammenfasst
            rf"(?:{_WORD_START}wer|jede[rn]?,?\s+der|derjenige,?\s+der|die person,?\s+die)"
            rf"\s+(?:\S+\s+){{0,3}}?(?:{_OBJECT})\s+(?:\S+\s+){{0,2}}?(?:{_PRODUCE_DE})",
            # 撰写报告的人, 任何总结本页的人; レポートを書く人, 보고서를 쓰는 사람
            rf"(?:{_PRODUCE_CJK})[^，。,：:！？]{{0,8}}?(?:{_OUTPUT}|{_THIS})[^，。,：:]{{0,4}}?的(?:人|者|作者|你|模型)",
            rf"(?:{_OUTPUT}|{_THIS})\s*(?:を|の|를|을)?\s*(?:{_PRODUCE_CJK})[^、。,.]{{0,4}}?\s*(?:人|方|者|사람|분)",
            # the report's writer, summary author, writers of this page, auteur du rapport, 报告撰写者
            rf"{_words(_OUTPUT)}(?:'s|s'|s)?[\s-]*{_words(_ROLE_NOUN)}",
            rf"{_words(_ROLE_NOUN)}\s+(?:\S+\s+){{0,3}}?(?:{_OBJECT})",
            rf"(?:{_OUTPUT})(?:{_ROLE_NOUN_CJK})",
            rf"{_WORD_START}downstream\s+(?:writer|author|model|reader|summari[sz]er|agent)s?",
        ]
    ),
    re.I,
)
# Spoken to: "Note to …", "Dear …", "致…", "à l'attention de …" before the role and a colon, comma or dash
# after it (a few words may come between: "whoever writes the report from this page:"); a plain "To …"
# needs the colon or dash at once ("To the report writers, the net seemed dear" is no address). A bare role
# speaks when "请注意：" / "へ：" or a colon and an order follow; a capital after its colon is a byline's name
# ("Report writer: Jane Smith").
_TO = (
    r"(?:^|[^\w\s]\s*)(?:dear|hey|致)|(?:note|message|memo|reminder|instructions?|attention)\s+(?:to|for)|"
    r"à l'attention de|note à|message à|hinweis an|nachricht an|nota para|mensaje para|вниманию|"
    r"примечание для"
)
_SPOKEN_TO = re.compile(rf"(?:{_TO})\s*(?:\w+\s+|\w{{1,10}})?$", re.I)
_PLAIN_TO = re.compile(r"(?:^|[^\w\s]\s*)(?:to|an|para|для|给)\s*(?:\w+\s+|\w{1,10})?$", re.I)
_TO_COLON = re.compile(r"[^.!?。！？:：,，—–]{0,30}(?:[:：,，—–]|\s-\s)")
_COLON = re.compile(r"\s*(?:[:：—–]|-\s)")
_AFTER_COLON = re.compile(
    rf"^\s*(?:[:：]\s*(?-i:[a-zà-ÿа-я])|[:：].*(?:{_WORD_START}(?:{_MUST})|{_THIS}|{_EVERY_READER})|"
    r"(?:へ|에게|께|请注意|注意|please note)\s*[:：,，])",
    re.I,
)
_ORDER = re.compile(rf"{_WORD_START}(?:{_MUST})", re.I)
_AIMED_HERE = re.compile(rf"{_THIS}|{_EVERY_READER}", re.I)


def _spoken_to(before: str, after: str) -> bool:
    """The role between an address ("Note to", "致", a plain "To") and its colon."""
    if _SPOKEN_TO.search(before):
        return bool(_TO_COLON.match(after))
    return bool(_PLAIN_TO.search(before) and _COLON.match(after))


def addresses_writer(text: str) -> bool:
    """Kind 6: ``text`` speaks to the writer by role, or orders it in a sentence aimed at this text or at
    every reader (see the module's list)."""
    for role in _ROLE.finditer(text):
        before, after = text[: role.start()], text[role.end() :]
        if _AFTER_COLON.match(after) or _spoken_to(before, after):
            return True
        if _ORDER.search(after) and _AIMED_HERE.search(text):
            return True
    return False


def is_instruction(text: str) -> bool:
    """True when ``text`` (a sentence or a line) addresses a model or a report's writer (rules above)."""
    return bool(INSTRUCTION.search(text)) or addresses_writer(text)
