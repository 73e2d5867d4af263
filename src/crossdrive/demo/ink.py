"""Writing identifiers into artifacts while keeping the truth of what was written.

Every renderer writes addresses, numbers and handles through an `Ink`, which returns the text to
write and records (kind, normalised value, written form). The truth file therefore lists exactly
the identifiers each planted item holds, in the forms they appear.
"""

from __future__ import annotations

import phonenumbers

from crossdrive.demo.people import Organisation
from crossdrive.demo.traffic import Message

Fmt = phonenumbers.PhoneNumberFormat


def write_phone(e164: str, style: str) -> str:
    """`e164` as people write it: e164, international, national, dotted or idd (00 prefix)."""
    number = phonenumbers.parse(e164)
    if style == "e164":
        return e164
    if style == "national":
        return phonenumbers.format_number(number, Fmt.NATIONAL)
    international = phonenumbers.format_number(number, Fmt.INTERNATIONAL)
    if style == "dotted":
        return international.replace(" ", ".").replace("-", ".")
    if style == "idd":
        return "00" + international[1:]
    return international


class Ink:
    """Collects the identifiers and messages written into one artifact."""

    def __init__(self) -> None:
        self.written: dict[tuple[str, str], set[str]] = {}
        self.messages: set[str] = set()
        self.regions: dict[str, str] = {}  # e164 -> region, for numbers written nationally

    def _note(self, kind: str, value: str, written: str) -> str:
        self.written.setdefault((kind, value), set()).add(written)
        return written

    def email(self, address: str) -> str:
        return self._note("email", address.lower(), address)

    def phone(self, e164: str, style: str = "e164") -> str:
        if style == "national":
            self.regions[e164] = phonenumbers.region_code_for_number(phonenumbers.parse(e164))
        return self._note("phone", e164, write_phone(e164, style))

    def handle(self, service: str, value: str) -> str:
        return self._note(service, value.lower(), value)

    def message(self, message: Message) -> None:
        self.messages.add(message.id)

    def merge(self, other: Ink) -> None:
        for key, forms in other.written.items():
            self.written.setdefault(key, set()).update(forms)
        self.messages |= other.messages
        self.regions.update(other.regions)

    def identifiers(self) -> list[dict]:
        return [
            {"kind": kind, "value": value, "written": sorted(forms)}
            for (kind, value), forms in sorted(self.written.items())
        ]


def pick(values: list[str], message: Message) -> str:
    """Which of a person's addresses or numbers a message uses (fixed per message)."""
    return values[int(message.id[1:]) % len(values)]


def body_text(message: Message, org: Organisation, ink: Ink) -> str:
    """The text of a message: its body, the mention it quotes, the sender's signature."""
    text = message.body
    if message.mention:
        pid, kind, style = message.mention
        other = org.person(pid)
        if kind == "phone":
            text += f"\nCall {other.name}: {ink.phone(other.phones[0], style)}"
        else:
            text += f"\nWrite to {other.name} at {ink.email(other.emails[-1])}"
    if message.signature:
        sender = org.person(message.sender)
        text += f"\n\n-- \n{sender.name}\n{ink.phone(sender.phones[0], message.signature)}"
    ink.message(message)
    return text
