"""Report text disclosing what the materials' reading left out (unreadable PDF pages, OCRed pages,
collection entries that could not be read), in the report's language (zh and en)."""

from __future__ import annotations

from typing import Any

UNREADABLE_PAGES = {
    "zh": "说明：{file} 第 {pages} 页无法读取（文字层无法解码，OCR 也未能识别），本报告未使用这些页的内容。",
    "en": "Note: page(s) {pages} of {file} could not be read (an undecodable text layer that OCR could not "
    "read either); the report uses nothing from them.",
}
UNREADABLE_FILE = {
    "zh": "说明：{file} 整个文件无法读取（{reason}），本报告未使用其中任何内容。",
    "en": "Note: {file} could not be read at all ({reason}); the report uses nothing from it.",
}
# Why a whole file stayed unread, by its code (tools/intake/materials: UNREADABLE_FILE_CODES,
# unread_materials; tools/intake/taskio: UNREAD_REFUSALS; tools/intake/documents: UNREADABLE_DOCUMENT_CODES).
FILE_REASONS = {
    "zh": {"pdf_encrypted": "文件已加密，需要密码才能打开", "pdf_unreadable": "文件已损坏或不是有效的 PDF",
           "subtitle_without_video": "这是字幕文件，任务中没有与之同名的视频，字幕只随其视频读取",
           "permission_denied": "没有读取权限", "path_too_long": "路径超出系统长度限制（文件夹嵌套过深）",
           "nested_too_deep": "文件夹嵌套过深", "not_a_regular_file": "不是普通文件（管道、套接字或设备）",
           "os_error": "系统无法读取该文件", "document_unreadable": "文件已损坏或格式与扩展名不符，无法解析",
           "document_empty": "文件中没有文字",
           "image_not_decoded": "无法解码这种图片格式，请另存为 PNG 或 JPEG",
           "image_no_text": "图片中没有可识别的文字（如照片），图片内容未经分析",
           "image_text_unreadable": "OCR 识别出的文字质量太差，无法引用",
           "audio_not_transcribed": "这是音频文件，未配置语音识别服务，内容未经转写与分析",
           "format_not_read": "本工具不读取这种文件格式，请另存为 docx、pptx、"
           "xlsx、PDF 或纯文本"},
    "en": {"pdf_encrypted": "it is encrypted with a password",
           "pdf_unreadable": "it is damaged or not a valid PDF",
           "subtitle_without_video": "a subtitle file is read only with the video of its name, and the task "
           "has none",
           "permission_denied": "permission to read it was denied",
           "path_too_long": "its path is longer than the system allows (folders nested too deep)",
           "nested_too_deep": "it lies in folders nested too deep", "not_a_regular_file":
           "it is not a regular file (a pipe, socket or device)", "os_error": "the system could not read it",
           "document_unreadable": "it is damaged or not of the format its name says",
           "document_empty": "it holds no text",
           "image_not_decoded": "its picture format cannot be decoded; save it as PNG or JPEG",
           "image_no_text": "a picture without readable text, such as a photo; what it shows was not "
           "analysed",
           "image_text_unreadable": "the text OCR read in the picture is too garbled to quote",
           "audio_not_transcribed": "an audio recording, not analysed: no speech recogniser is configured",
           "format_not_read": "its format is not one this tool reads; save it as docx, pptx, xlsx, PDF or "
           "plain text"},
}
LOST_WORDS = {
    "zh": "说明：{file} 第 {pages} 页的字体把部分字形（多为 fi、fl 等连字）映射为空，"
    "以下词语缺了字母且无法复原：{words}；本报告引用这些词时以原文为准。",
    "en": "Note: a font on page(s) {pages} of {file} maps some glyphs (mostly ligatures such as fi, fl) to "
    "nothing, so these words lost letters that could not be restored: {words}; read them against the "
    "original.",
}
OCR_PAGES = {
    "zh": "说明：{file} 第 {pages} 页的文字由 OCR 识别，引文可能含识别误差。",
    "en": "Note: page(s) {pages} of {file} were read by OCR; quotes from them may carry recognition errors.",
}
OCR_PICTURE = {
    "zh": "说明：{file} 的文字由 OCR 从图片中识别，引文可能含识别误差。",
    "en": "Note: the text of {file} was read from the picture by OCR; quotes from it may carry recognition "
    "errors.",
}
DROPPED_ENTRIES = {
    "zh": "说明：资料库 {file} 中有 {count} 条条目未能读取，本报告未使用：{items}。",
    "en": "Note: {count} entries of {file} could not be read and are not used: {items}.",
}
ENTRY = {"zh": "第 {position} 条「{name}」（{reason}）", "en": '#{position} "{name}" ({reason})'}
ENTRY_SEPARATOR = {"zh": "；", "en": "; "}
PAGE_SEPARATOR = {"zh": "、", "en": ", "}
REASONS = {
    "zh": {
        "no_text_field": "没有可识别的正文字段",
        "not_a_document": "不是文档对象",
        "text_not_text": "正文字段不是文本",
    },
    "en": {
        "no_text_field": "no recognised text field",
        "not_a_document": "not a document object",
        "text_not_text": "its text field is not text",
    },
}
MAX_NAMED = 20  # entries named in the report; run.json names every one


def material_disclosures(materials: dict[str, Any] | None, language: str) -> list[str]:
    """Disclosure sentences for ``materials`` (tools.intake.materials_summary); [] when nothing was lost."""
    lang = "zh" if language == "zh" else "en"
    if not materials:
        return []
    lines = []
    for item in materials.get("unread_files", []):
        reason = FILE_REASONS[lang].get(item["code"], item["code"])
        lines.append(UNREADABLE_FILE[lang].format(file=item["file"], reason=reason))
    for pdf in materials.get("pdfs", []):
        if pdf.get("unreadable_file"):
            code = pdf["unreadable_file"]["code"]
            reason = FILE_REASONS[lang].get(code, code)
            lines.append(UNREADABLE_FILE[lang].format(file=pdf["file"], reason=reason))
        unreadable = [str(item["page"]) for item in pdf.get("unreadable", [])]
        if unreadable:
            pages = PAGE_SEPARATOR[lang].join(unreadable)
            lines.append(UNREADABLE_PAGES[lang].format(file=pdf["file"], pages=pages))
        if lost := pdf.get("lost_words"):  # one note a file: notes a page apart would read as repetition
            pages = PAGE_SEPARATOR[lang].join(str(item["page"]) for item in lost)
            words = PAGE_SEPARATOR[lang].join(dict.fromkeys(w for item in lost for w in item["words"]))
            lines.append(LOST_WORDS[lang].format(file=pdf["file"], pages=pages, words=words))
        if pdf.get("ocr_pages"):
            pages = PAGE_SEPARATOR[lang].join(map(str, pdf["ocr_pages"]))
            lines.append(OCR_PAGES[lang].format(file=pdf["file"], pages=pages))
    lines += [OCR_PICTURE[lang].format(file=document["file"]) for document in materials.get("documents", [])
              if document.get("ocr") and document["records"]]
    dropped = (materials.get("corpus") or {}).get("dropped") or []
    if dropped:
        items = ENTRY_SEPARATOR[lang].join(
            ENTRY[lang].format(
                position=entry["position"],
                name=entry["title"] or entry["url"] or "—",
                reason=REASONS[lang].get(entry["reason"], entry["reason"]),
            )
            for entry in dropped[:MAX_NAMED]
        ) + ("…" if len(dropped) > MAX_NAMED else "")
        lines.append(
            DROPPED_ENTRIES[lang].format(file=materials["corpus"]["file"], count=len(dropped), items=items)
        )
    return lines
