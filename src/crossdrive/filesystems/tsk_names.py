"""Names TSK uses for its enums, derived from pytsk3's constants (never hand-numbered)."""

from __future__ import annotations

import pytsk3


def _enum_names(prefix: str, skip: tuple[str, ...] = ()) -> dict[int, str]:
    names = {}
    for name in dir(pytsk3):
        short = name[len(prefix) :].lower()
        if name.startswith(prefix) and short != "enum" and not short.endswith(skip):
            names[int(getattr(pytsk3, name))] = short
    return names


FS_TYPE_NAMES = _enum_names("TSK_FS_TYPE_", ("detect", "unsupp", "raw", "swap"))
META_TYPE_NAMES = _enum_names("TSK_FS_META_TYPE_")
NAME_TYPE_NAMES = _enum_names("TSK_FS_NAME_TYPE_")

# One letter per type, as fls prints them ("r/r", "d/d", "-/r", "V/V").
TYPE_LETTERS = {
    "undef": "-",
    "reg": "r",
    "dir": "d",
    "fifo": "p",
    "chr": "c",
    "blk": "b",
    "lnk": "l",
    "sock": "s",
    "shad": "h",
    "wht": "w",
    "virt": "v",
    "virt_dir": "V",
}


def type_letter(type_name: str | None) -> str:
    return TYPE_LETTERS.get(type_name or "undef", "-")
