"""Text in many scripts, folded for matching: the same name written with or without vowel
marks, accents, Arabic letter variants or Persian/Arabic-Indic digits compares equal.

The folded form is for indexes and comparison only; the original is always what is stored and
shown. The rules are those of ARCHITECTURE.md ("Text in many scripts"): NFKC; Arabic harakat
and tatweel dropped; alef forms, alef maqsura / ya and the Persian letters unified; ZWNJ dropped;
Arabic-Indic and Persian digits as ASCII. Combining marks of every script are dropped as well
(Hebrew niqqud, Latin accents), and case is folded.
"""

from __future__ import annotations

import re
import unicodedata

_LETTERS = str.maketrans(
    {
        "\u0622": "\u0627",  # آ  alef with madda
        "\u0623": "\u0627",  # أ  alef with hamza above
        "\u0625": "\u0627",  # إ  alef with hamza below
        "\u0671": "\u0627",  # ٱ  alef wasla
        "\u0649": "\u064a",  # ى  alef maqsura -> ya
        "\u06cc": "\u064a",  # ی  Persian ya
        "\u06a9": "\u0643",  # ک  Persian kaf
        "\u0640": None,  # tatweel
        "\u200c": None,  # zero-width non-joiner
        "\u200d": None,  # zero-width joiner
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Persian digits
    }
)
# Han, kana, Hangul: written without spaces, so each character is made a word of its own and
# a multi-character query becomes a phrase.
_CJK = re.compile(
    "([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\U00020000-\U0002fa1f])"
)


# Every combining mark of Unicode, deleted by one `str.translate` (C-level, about twice as
# fast as testing each character in Python).
_COMBINING = {c: None for c in range(0x300, 0x110000) if unicodedata.combining(chr(c))}


def fold(text: str) -> str:
    """The comparison form of `text` (see the module docstring)."""
    if text.isascii():
        return text.lower()  # nothing to normalise; ASCII case folding is lower()
    text = unicodedata.normalize("NFKC", text).translate(_LETTERS)
    stripped = unicodedata.normalize("NFD", text).translate(_COMBINING)
    return unicodedata.normalize("NFC", stripped).casefold()


def index_form(text: str) -> str:
    """`fold(text)` with every CJK character set apart, as the full-text index stores it."""
    folded = fold(text)
    return folded if folded.isascii() else _CJK.sub(r" \1 ", folded)


def query_form(query: str) -> str:
    """A user's query in the index's form: words folded; a run of CJK characters quoted as a
    phrase (so 北京 finds 北京, not 北 and 京 anywhere)."""
    folded = fold(query)
    return re.sub(
        f"{_CJK.pattern}+",
        lambda run: '"' + " ".join(run.group()) + '"',
        folded,
    )
