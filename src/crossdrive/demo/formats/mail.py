"""Mail as clients keep it: RFC 5322 messages (.eml) and Thunderbird mbox folders.

Built with the standard library's `email` and `mailbox` packages, so headers are encoded as real
clients encode them (RFC 2047 words for non-Latin names, base64 or quoted-printable bodies).
"""

from __future__ import annotations

import hashlib
import mailbox
import tempfile
from collections.abc import Iterable
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from crossdrive.demo.ink import Ink, body_text, pick
from crossdrive.demo.people import Organisation
from crossdrive.demo.traffic import Message

MAILERS = ["Mozilla Thunderbird", "Microsoft Outlook 16.0", "Apple Mail (2.3731)", "Evolution 3.46"]


def email_message(message: Message, org: Organisation, ink: Ink) -> EmailMessage:
    """One message with the headers that matter to an examiner (bulk headers for bulk mail)."""
    sender = org.person(message.sender)

    def addresses(pids: Iterable[str]) -> tuple[Address, ...]:
        people = [org.person(pid) for pid in pids]
        return tuple(Address(p.name, addr_spec=ink.email(pick(p.emails, message))) for p in people)

    from_header, to_header, cc_header = (
        addresses([sender.id]),
        addresses(message.to),
        addresses(message.cc),
    )
    # Names become RFC 2047 words as clients write them; only an internationalised address
    # needs SMTPUTF8 (raw UTF-8 headers, RFC 6532).
    specs = [a.addr_spec for a in from_header + to_header + cc_header]
    mail = EmailMessage(policy=policy.default if all(map(str.isascii, specs)) else policy.SMTPUTF8)
    mail["From"] = from_header
    mail["To"] = to_header
    if message.cc:
        mail["Cc"] = cc_header
    mail["Subject"] = message.subject
    mail["Date"] = format_datetime(message.time)
    domain = pick(sender.emails, message).split("@")[1]
    digest = hashlib.sha1(message.id.encode()).hexdigest()[:16]
    mail["Message-ID"] = f"<{digest}.{message.id.lower()}@{domain}>"
    if message.bulk:
        mail["List-Unsubscribe"] = f"<mailto:unsubscribe@{domain}?subject={message.id}>"
        mail["Precedence"] = "bulk"
        if sender.kind == "mailing-list":
            mail["List-Id"] = f"<{sender.emails[0].replace('@', '.')}>"
        mail["X-Mailer"] = "MailChimp Mailer - **CID" + digest
    else:
        mail["X-Mailer"] = MAILERS[int(message.id[1:]) % len(MAILERS)]
        mail["Received"] = (
            f"from mx.{domain} (mx.{domain} [198.51.100.{int(message.id[1:]) % 250 + 1}]) "
            f"by mail.example.net; {format_datetime(message.time)}"
        )
    mail.set_content(body_text(message, org, ink))
    return mail


def eml(message: Message, org: Organisation) -> tuple[bytes, Ink]:
    """A loose .eml file as saved by a mail client."""
    ink = Ink()
    return email_message(message, org, ink).as_bytes(), ink


def mbox(messages: Iterable[Message], org: Organisation) -> tuple[bytes, Ink]:
    """A Thunderbird folder: an mbox with "From - " separators and X-Mozilla-Status headers."""
    ink = Ink()
    with tempfile.TemporaryDirectory() as work:
        folder = mailbox.mbox(Path(work) / "Inbox", create=True)
        folder.lock()
        for message in messages:
            mail = email_message(message, org, ink)
            mail["X-Mozilla-Status"] = "0001"
            mail["X-Mozilla-Status2"] = "00000000"
            entry = mailbox.mboxMessage(mail)
            entry.set_from("-", message.time.timetuple())
            folder.add(entry)
        folder.flush()
        folder.unlock()
        folder.close()
        return (Path(work) / "Inbox").read_bytes(), ink
