"""Who wrote to whom, when, on which channel: the communications of the demo scenario.

Members talk mostly inside their group, brokers also into one other group, outsiders with the one
or two members they know, bulk senders mail many people across groups. Some messages quote a third
person's number or address (a mention); some senders sign their mail with name and number.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from faker import Faker

from crossdrive.demo.people import Organisation, Person

START = datetime(2023, 1, 2, tzinfo=UTC)
SPAN = timedelta(days=540)
PHONE_STYLES = ["e164", "international", "national", "dotted", "idd"]
CHANNELS = ["email", "sms", "chat"]
SERVICES = ["skype", "xmpp", "telegram"]


@dataclass
class Message:
    id: str
    channel: str  # email | sms | chat
    service: str | None  # chat service: skype | xmpp | telegram
    sender: str  # person id
    to: list[str]
    cc: list[str]
    time: datetime
    subject: str
    body: str
    bulk: bool = False
    mention: tuple[str, str, str] | None = None  # (person id, "phone" | "email", phone style)
    signature: str | None = None  # phone style of the sender's signature block (email only)
    reply_to: str | None = field(default=None)

    @property
    def participants(self) -> list[str]:
        return [self.sender, *self.to, *self.cc]


def make_traffic(rng: random.Random, org: Organisation, scale: float) -> list[Message]:
    """All messages of the scenario, in time order; `scale` multiplies their number."""
    drafts: list[dict] = []
    signs = {p.id: rng.choice(PHONE_STYLES) for p in org.people if rng.random() < 0.5}

    def count(base: float) -> int:
        return max(1, round(rng.uniform(0.5, 1.5) * base * scale))

    def talk(a: str, b: str, base: float, channels: list[str] = CHANNELS) -> None:
        channel, service = rng.choice(channels), rng.choice(SERVICES)
        for _ in range(count(base)):
            sender, recipient = (a, b) if rng.random() < 0.55 else (b, a)
            drafts.append(dict(channel=channel, service=service, sender=sender, to=[recipient]))

    for members in org.groups:
        for a, b in itertools.combinations(members, 2):
            if rng.random() < 0.6:
                talk(a, b, 3)
        for _ in range(count(2)):  # mail to several members at once: co-recipients
            sender, *others = rng.sample(members, min(len(members), rng.randint(3, 5)))
            split = rng.randint(1, len(others))
            drafts.append(
                dict(channel="email", sender=sender, to=others[:split], cc=others[split:])
            )
    for pid in org.brokers:
        broker = org.person(pid)
        for other in rng.sample(org.groups[broker.bridges_to], 2):
            talk(pid, other, 3)
    for pid in org.outsiders:
        for member in org.person(pid).contacts:
            talk(pid, member, 2, ["email", "sms"])
    audience = [pid for members in org.groups for pid in members]
    for pid in org.bulk:
        for recipient in rng.sample(audience, max(2, int(len(audience) * 0.4))):
            for _ in range(count(1.5)):
                drafts.append(dict(channel="email", sender=pid, to=[recipient], bulk=True))

    times = sorted(START + SPAN * rng.random() for _ in drafts)
    rng.shuffle(drafts)
    messages = []
    for number, (draft, when) in enumerate(zip(drafts, times, strict=True), start=1):
        sender = org.person(draft["sender"])
        fake = Faker(sender.locale if sender.role != "bulk" else "en_US")
        fake.seed_instance(rng.getrandbits(32))
        message = Message(
            id=f"M{number:04d}",
            channel=draft["channel"],
            service=draft.get("service") if draft["channel"] == "chat" else None,
            sender=sender.id,
            to=draft["to"],
            cc=draft.get("cc", []),
            time=when.replace(microsecond=0),
            subject=_subject(fake, sender) if draft["channel"] == "email" else "",
            body=fake.paragraph(nb_sentences=rng.randint(1, 4)),
            bulk=draft.get("bulk", False),
        )
        if not message.bulk and rng.random() < 0.15:
            message.mention = _mention(rng, org, message)
        if message.channel == "email" and not message.bulk:
            message.signature = signs.get(sender.id)
        messages.append(message)
    return messages


def _subject(fake: Faker, sender: Person) -> str:
    if sender.role == "bulk":
        return f"{sender.name}: {fake.catch_phrase()}"
    return fake.sentence(nb_words=4).rstrip(".")


def _mention(rng: random.Random, org: Organisation, message: Message) -> tuple[str, str, str]:
    """Quote the number or address of someone the sender knows but who is not in the message."""
    sender = org.person(message.sender)
    pool = org.groups[sender.group] if sender.group is not None else sender.contacts
    others = [pid for pid in pool if pid not in message.participants] or [message.sender]
    return rng.choice(others), rng.choice(["phone", "email"]), rng.choice(PHONE_STYLES)
