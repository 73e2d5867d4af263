"""Names that become file or directory names: one rule for what we name (device labels, task
ids, scanners), one for working copies of evidence files."""

from __future__ import annotations

import re

UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def safe_name(text: str) -> str:
    """`text` with every character outside [A-Za-z0-9._-] replaced by `_`, and no leading dot:
    a label such as `../x` or `a/b` can never leave the directory it is written into."""
    return UNSAFE.sub("_", text).lstrip(".") or "_"


SEPARATORS_AND_CONTROLS = re.compile(r"[/\\\x00-\x1f\x7f]")
MAX_NAME_BYTES = 200


def local_name(name: str) -> str:
    """An evidence file's own name for its working copy in a private temporary directory: kept
    as it is, because parsers read dates, time zones and chat names from it (`+0200`, `#chan`,
    `WhatsApp Chat with Léa.txt`), except what could leave the directory or is not a name:
    separators, NUL and control characters, `.` and `..`, and bytes beyond 200."""
    local = SEPARATORS_AND_CONTROLS.sub("_", name)
    if local in ("", ".", ".."):
        return "_"
    while len(local.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        local = local[:-1]
    return local.encode("utf-8", "replace").decode("utf-8")
