"""National numbers read through the case's own numbers written in full.

A number written nationally (`8 (912) 330-82-46`, `0501 289 07 86`, `06 12983478`) names no
country: the device's region reads it only when the number is of that region, and most devices
give none. But a case is many devices, and a person's number written nationally on one is
usually written in full (`+7 912 330-82-46`) somewhere else: in a contact, a message header, a
signature. So each number the case holds in full gives its national forms (the digits of its
national format, trunk prefix included, and of its national significant number), and a
national candidate whose digits are exactly one of those forms is read as that number, marked
`read_by = 'case'`. A form two of the case's numbers share is left unread. The candidates are
digit groups in text (message bodies, document text) and the numbers records hold unresolved
(`?digits`, see `identifiers._phone`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import duckdb
import phonenumbers
import pyarrow as pa

from crossdrive.store.database import registered

NATIONAL = phonenumbers.PhoneNumberFormat.NATIONAL
MIN_DIGITS = 7  # a national form shorter than this is too easy to meet by chance
MIN_SIGNIFICANT = 8  # the same for a number written without its trunk prefix
# Digit groups with the separators people put in numbers; the groups are tried whole and
# trimmed (a number next to a date or a count is one run of groups).
CANDIDATE = re.compile(r"(?<![\w+.,/-])\(?[0-9]+(?:\)?[ ./-]{1,2}\(?[0-9]+|\)[0-9]+)*\)?")
# Where candidates can be: runs of digits and separators long enough to hold MIN_DIGITS digits.
# Led by a character class, this runs 7 times faster than the candidate expression, whose
# look-behind comes first; the candidates are then looked for inside these runs only.
RUNS = re.compile(r"[0-9(][0-9 ()./-]{" + str(MIN_DIGITS - 1) + ",}")
GROUP = re.compile(r"[0-9]+")
# a candidate right after a country code (`+7 `, `0049 `) is the rest of an international number
AFTER_COUNTRY = re.compile(r"(?:\+|(?<![0-9])00)[0-9]{1,3}[ .-]?$")
MAX_GROUPS = 8
MAX_TEXT = 1 << 20  # characters of one text searched


def known_forms(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """National digits -> the E.164 number of the case they are a form of (forms that two of
    the case's numbers share are left out)."""
    owners: dict[str, set[str]] = {}
    for (value,) in con.execute(
        "SELECT DISTINCT value FROM identifiers WHERE kind = 'phone' AND resolved"
    ).fetchall():
        try:
            number = phonenumbers.parse(value)
        except phonenumbers.NumberParseException:
            continue
        national = re.sub(r"\D", "", phonenumbers.format_number(number, NATIONAL))
        significant = phonenumbers.national_significant_number(number)
        for form, least in ((national, MIN_DIGITS), (significant, MIN_SIGNIFICANT)):
            if len(form) >= least:
                owners.setdefault(form, set()).add(value)
    return {form: next(iter(values)) for form, values in owners.items() if len(values) == 1}


def find(text: str, forms: dict[str, str]) -> Iterator[tuple[str, str]]:
    """(as written, E.164) for each national candidate in `text` that is a form of a number
    of the case: the longest run of digit groups that is one."""
    if not forms:
        return
    for candidate in _candidates(text):
        if candidate.group().startswith("00") or AFTER_COUNTRY.search(
            text, max(0, candidate.start() - 6), candidate.start()
        ):
            continue  # international: the `00` prefix, or after `+7 `
        groups = list(GROUP.finditer(candidate.group()))[:MAX_GROUPS]
        if sum(len(g.group()) for g in groups) < MIN_DIGITS:
            continue
        found = _longest(candidate.group(), groups, forms)
        if found:
            yield found


def _candidates(text: str) -> Iterator[re.Match]:
    for run in RUNS.finditer(text, 0, MAX_TEXT):  # no copy of a long text
        yield from CANDIDATE.finditer(text, run.start(), run.end())


def _longest(written: str, groups: list[re.Match], forms: dict[str, str]) -> tuple[str, str] | None:
    for size in range(len(groups), 0, -1):
        for first in range(len(groups) - size + 1):
            run = groups[first : first + size]
            value = forms.get("".join(g.group() for g in run))
            if value:
                start, end = run[0].start(), run[-1].end()
                if start and written[start - 1] == "(":  # `(030) 1234567`: the parenthesis too
                    start -= 1
                return written[start:end], value
    return None


def resolve_records(con: duckdb.DuckDBPyConnection, forms: dict[str, str]) -> None:
    """Numbers the records hold unresolved (`?digits`) read as the case's numbers."""
    if not forms:
        return
    table = pa.table({"unresolved": ["?" + f for f in forms], "value": list(forms.values())})
    with registered(con, "national_forms", table):
        con.execute(
            """UPDATE identifiers SET value = f.value, resolved = true, read_by = 'case'
               FROM national_forms f
               WHERE identifiers.kind = 'phone' AND NOT identifiers.resolved
                 AND identifiers.value = f.unresolved"""
        )
