"""Pinyin search keys, so that "lnr" or "laonian" finds 老年人优待证办理 (pypinyin, with its
phrase dictionary for characters read differently in different words: 银行 yh, 行政 xz)."""

import re

from pypinyin import Style, lazy_pinyin

_NOT_KEY = re.compile(r"[^0-9a-z]+")
_LATIN_QUERY = re.compile(r"^[A-Za-z0-9]+$")


def _join(parts) -> str:
    return _NOT_KEY.sub("", "".join(parts).lower())


def search_keys(text: str) -> tuple[str, str]:
    """(initials, full pinyin) of ``text``, lower-case letters and digits only."""
    text = text or ""
    initials = _join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default"))
    full = _join(lazy_pinyin(text, errors="default"))
    return initials, full


def is_latin(word: str) -> bool:
    """A query word that may be pinyin (letters and digits only)."""
    return bool(_LATIN_QUERY.match(word or ""))
