"""Names that become file or directory names (device labels, task ids, scanners): one rule."""

from __future__ import annotations

import re

UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def safe_name(text: str) -> str:
    """`text` with every character outside [A-Za-z0-9._-] replaced by `_`, and no leading dot:
    a label such as `../x` or `a/b` can never leave the directory it is written into."""
    return UNSAFE.sub("_", text).lstrip(".") or "_"
