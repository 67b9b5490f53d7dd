"""Figures as tasks write them (2,000 / 1.5k / 1.2万 / 两千 / 三千五 / two) and the pattern finding them."""

from __future__ import annotations

import re

CN_DIGITS = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10_000}
EN_NUMBER_WORDS = {
    word: value
    for value, word in enumerate(
        ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"),
        start=1,
    )
}
EN_TENS = {word: 10 * value for value, word in enumerate(
    ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"), start=2)}
EN_SCALES = {"hundred": 100, "thousand": 1000}
_EN_SMALL = rf"(?:{'|'.join([*EN_TENS, *sorted(EN_NUMBER_WORDS, key=len, reverse=True)])})"
EN_WORD = rf"\b(?:{'|'.join(sorted(EN_NUMBER_WORDS, key=len, reverse=True))})\b"
# "two thousand", "fifteen hundred", "twenty-five hundred", "two thousand five hundred", "a thousand".
EN_NUMBER = (
    rf"\b(?:{_EN_SMALL}|a(?=[\s-]+(?:hundred|thousand)\b))(?:[\s-]+(?:and\s+)?(?:{_EN_SMALL}|hundred|thousand)\b)*(?<!\ba)\b"
)
# 两三千, 七八百, 一两万, 一两(页): two rising digits, with or without a scale, "two or three thousand" (a
# range; cn_pair checks that the second digit is the larger).
CN_PAIR = r"(?P<pa>[一两二三四五六七八])(?P<pb>[两二三四五六七八九])(?P<ps>[十百千万])?"

# One figure: digits with thousands commas or a decimal, an optional k/千/万 scale; or a Chinese numeral (not
# after 数/几/多/上/近, which make 数千 "several thousand", unless 数 ends 字数 or 多 ends 最多/至多); or an
# English number word.
NUMBER = (
    r"(?<![A-Za-z\d.,])(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?)(?:\s*(?:[kK](?![A-Za-z])|千|万))?"
    r"|(?<![几上近])(?<!(?<![最至])多)(?:(?<=字数)|(?<=词数)|(?<!数))[零〇一二两三四五六七八九十百千万]+"
    rf"|{EN_NUMBER}"
    r"|\ba(?=\s+(?:single\s+)?page\b)"  # "no longer than a page"
)


def parse_chinese_number(text: str) -> int | None:
    """两千 → 2000, 一千五百 → 1500, 三千五 → 3500 (colloquial), 十二 → 12, 万 → 10,000, 三千万 → 30,000,000,
    一亿二千万 → 120,000,000; None if not a numeral. The one reader of Chinese numerals: the requirement
    reader and the checker's quantities both use it."""
    if text[:1] in ("百", "千", "万", "亿"):
        text = "一" + text  # "万字以上": a scale alone is one of it, as 十 alone is ten
    total = section = digit = 0
    last_unit = 1
    for char in text:
        if char in CN_DIGITS:
            digit = CN_DIGITS[char]
            if digit == 0:
                last_unit = 1  # 一百零五 = 105: after 零 the next digit is ones, not tens
        elif char == "亿":  # scales everything before it: 三千万亿 is rare, 一亿二千万 is not
            total = (total + section + digit) * 100_000_000
            section = digit = 0
            last_unit = 100_000_000
        elif char == "万":
            total += (section + digit) * 10_000
            section = digit = 0
            last_unit = 10_000
        elif char in CN_UNITS:
            unit = CN_UNITS[char]
            section += (digit or (1 if unit == 10 else 0)) * unit
            digit = 0
            last_unit = unit
        else:
            return None
    # A trailing digit after a unit scales one step down: 三千五 = 3500, 一万五 = 15000.
    tail = digit * (last_unit // 10) if last_unit > 10 and digit else digit
    return total + section + tail


def parse_number(token: str) -> int | None:
    """The value of one NUMBER match: "2,000" → 2000, "1.5k" → 1500, "1.2万" → 12000, "two" → 2."""
    token = token.strip()
    match = re.fullmatch(r"([\d,]+(?:\.\d+)?)\s*([kK千万]?)", token)
    if match:
        value = float(match.group(1).replace(",", ""))
        scale = {"": 1, "k": 1000, "K": 1000, "千": 1000, "万": 10_000}[match.group(2)]
        return round(value * scale)
    if token.lower() == "a":
        return 1
    english = parse_english_number(token)
    return english if english is not None else parse_chinese_number(token)


def parse_english_number(token: str) -> int | None:
    """"two thousand" → 2000, "fifteen hundred" → 1500, "two thousand five hundred" → 2500, "a thousand"
    → 1000, "twenty-five" → 25; None when a word is no number word."""
    total = current = 0
    words = [w for w in re.split(r"[\s-]+", token.lower()) if w and w != "and"]
    if not words:
        return None
    for position, word in enumerate(words):
        if word == "a" and position == 0:
            current = 1
        elif word in EN_NUMBER_WORDS:
            current += EN_NUMBER_WORDS[word]
        elif word in EN_TENS:
            current += EN_TENS[word]
        elif word == "hundred":
            current = (current or 1) * 100
        elif word == "thousand":
            total += (current or 1) * 1000
            current = 0
        else:
            return None
    return total + current


def cn_pair(match: re.Match[str]) -> tuple[int, int] | None:
    """两三千 → (2000, 3000), 七八百 → (700, 800), 一两 → (1, 2): the range a CN_PAIR match names; None
    when the digits do not rise (两二, 三三 are no ranges)."""
    scale = CN_UNITS[match["ps"]] if match["ps"] else 1
    low, high = CN_DIGITS[match["pa"]], CN_DIGITS[match["pb"]]
    return (low * scale, high * scale) if low < high else None


def range_scale(low: int, high_token: str, high: int) -> int:
    """The low end of "2-3k", "三到四千", "three to four thousand", which shares the high end's scale."""
    scale = 10_000 if "万" in high_token else 1000 if re.search(r"[kK千]|thousand", high_token) else 1
    return low * scale if scale > 1 and low * scale <= high and low < scale else low


def stated_figures(text: str) -> set[int]:
    """Every figure ``text`` states, in any of the forms above ("两千到三千字" → {2000, 3000})."""
    values = (parse_number(match.group(0)) for match in re.finditer(NUMBER, text, re.IGNORECASE))
    return {value for value in values if value is not None}
