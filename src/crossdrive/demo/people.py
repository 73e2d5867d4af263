"""The people of the demo scenario: an organisation of groups, brokers, outsiders, bulk senders.

Everything is drawn from one `random.Random(seed)` and from Faker instances seeded from it, so a
seed always gives the same people. Names come from many locales and scripts; every phone number is
valid for its country (checked with phonenumbers); some people have several addresses or accounts,
one has an address at an internationalised (IDN) domain.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import phonenumbers
from faker import Faker

# Each group draws its members mostly from one cluster of locales (Faker locale, phone region).
LOCALE_CLUSTERS: list[list[tuple[str, str]]] = [
    [("ru_RU", "RU"), ("uk_UA", "UA"), ("bg_BG", "BG"), ("ka_GE", "GE")],
    [("ar_SA", "SA"), ("fa_IR", "IR"), ("tr_TR", "TR"), ("he_IL", "IL")],
    [("el_GR", "GR"), ("it_IT", "IT"), ("es_ES", "ES"), ("fr_FR", "FR")],
    [("en_GB", "GB"), ("de_DE", "DE"), ("pl_PL", "PL"), ("nl_NL", "NL")],
    [("zh_CN", "CN"), ("ja_JP", "JP"), ("hi_IN", "IN"), ("en_US", "US")],
    [("pt_BR", "BR"), ("es_ES", "ES"), ("hy_AM", "AM"), ("en_US", "US")],
]
MAIL_PROVIDERS = {
    "RU": ["mail.ru", "yandex.ru"],
    "UA": ["ukr.net", "i.ua"],
    "BG": ["abv.bg"],
    "DE": ["gmx.de", "web.de"],
    "FR": ["orange.fr", "free.fr"],
    "IT": ["libero.it"],
    "GR": ["otenet.gr"],
    "PL": ["wp.pl", "onet.pl"],
    "CN": ["qq.com", "163.com"],
    "JP": ["yahoo.co.jp"],
    "BR": ["uol.com.br"],
}
COMMON_PROVIDERS = ["gmail.com", "outlook.com", "yahoo.com", "protonmail.com", "icloud.com"]
XMPP_SERVERS = ["jabber.org", "xmpp.jp", "jabber.ru", "404.city"]
BULK_KINDS = [
    ("newsletter", "news", "Weekly Digest"),
    ("no-reply", "no-reply", "Account notifications"),
    ("mailing-list", "list", "Traders mailing list"),
    ("notifier", "notify", "Parcel tracking"),
]
COMPANY_WORDS = ["orion", "delta", "atlas", "nova", "vega", "polar", "zenit", "meridian"]


@dataclass
class Person:
    """One person of the scenario with every identifier they use."""

    id: str
    name: str
    locale: str
    region: str  # ISO country of their phone numbers
    role: str  # member | broker | outsider | bulk
    group: int | None  # group index for members and brokers
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)  # E.164
    handles: dict[str, str] = field(default_factory=dict)  # skype | xmpp | telegram -> handle
    contacts: list[str] = field(default_factory=list)  # outsiders: the members they know
    bridges_to: int | None = None  # brokers: the other group they talk into
    kind: str | None = None  # bulk senders: newsletter | no-reply | mailing-list | notifier

    @property
    def user(self) -> str:
        """A login name for their devices (the local part of their first address)."""
        return self.emails[0].split("@")[0].replace(".", "")[:12]


@dataclass
class Organisation:
    people: list[Person]
    groups: list[list[str]]  # person ids per group (brokers included in their home group)
    brokers: list[str]
    outsiders: list[str]
    bulk: list[str]

    def __post_init__(self) -> None:
        self._by_id = {p.id: p for p in self.people}

    def person(self, pid: str) -> Person:
        return self._by_id[pid]


def mobile_number(rng: random.Random, region: str) -> str:
    """A valid mobile number of `region` in E.164: the library's example with random digits."""
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    national = str(example.national_number)
    for _ in range(200):
        tail = "".join(rng.choice("0123456789") for _ in range(min(6, len(national) - 2)))
        candidate = phonenumbers.PhoneNumber(
            country_code=example.country_code,
            national_number=int(national[: len(national) - len(tail)] + tail),
        )
        if phonenumbers.is_valid_number(candidate):
            return phonenumbers.format_number(candidate, phonenumbers.PhoneNumberFormat.E164)
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)


def _faker(locale: str, rng: random.Random) -> Faker:
    fake = Faker(locale)
    fake.seed_instance(rng.getrandbits(32))
    return fake


def _new_person(
    rng: random.Random, pid: str, locale: str, region: str, role: str, group: int | None, org: str
) -> Person:
    fake = _faker(locale, rng)
    name = f"{fake.first_name()} {fake.last_name()}"
    local = fake.user_name().lower()
    providers = MAIL_PROVIDERS.get(region, []) + COMMON_PROVIDERS
    person = Person(pid, name, locale, region, role, group)
    person.emails.append(f"{local}@{rng.choice(providers)}")
    if org and rng.random() < 0.6:
        person.emails.append(f"{local.split('.')[0][:10]}.{pid.lower()}@{org}")
    person.phones.append(mobile_number(rng, region))
    if rng.random() < 0.3:  # a second SIM, often of another country
        person.phones.append(mobile_number(rng, rng.choice(["GB", "DE", "TR", "AE", region])))
    handle = f"{local.replace('.', '')[:14]}{rng.randint(1, 99)}"
    modern = rng.random() < 0.4  # Microsoft-account Skype ids look like live:.cid.<hex>
    person.handles["skype"] = f"live:.cid.{rng.getrandbits(48):012x}" if modern else handle
    person.handles["telegram"] = f"{handle}_tg"
    person.handles["xmpp"] = f"{handle}@{rng.choice(XMPP_SERVERS)}"
    return person


def make_organisation(rng: random.Random, n_groups: int) -> Organisation:
    """Groups of 4–8 members, one broker per neighbouring pair of groups (plus one more when there
    are several groups), 1–2 outsiders per group and four bulk senders."""
    people: list[Person] = []
    groups: list[list[str]] = []
    counter = iter(range(1, 10_000))

    def new_id() -> str:
        return f"P{next(counter):03d}"

    for g in range(n_groups):
        cluster = LOCALE_CLUSTERS[g % len(LOCALE_CLUSTERS)]
        org = f"{COMPANY_WORDS[g % len(COMPANY_WORDS)]}-{rng.choice(['trade', 'group', 'log'])}.com"
        members = []
        for _ in range(rng.randint(4, 8)):
            locale, region = rng.choice(cluster)
            person = _new_person(rng, new_id(), locale, region, "member", g, org)
            people.append(person)
            members.append(person.id)
        groups.append(members)
    members_by_id = {p.id: p for p in people}
    brokers = []
    for g in range(n_groups):
        if n_groups < 2 or (n_groups == 2 and g == 1):
            continue
        broker = members_by_id[rng.choice(groups[g])]
        broker.role, broker.bridges_to = "broker", (g + 1) % n_groups
        brokers.append(broker.id)
    outsiders = []
    for g in range(n_groups):
        for _ in range(rng.randint(1, 2)):
            locale, region = rng.choice(LOCALE_CLUSTERS[g % len(LOCALE_CLUSTERS)])
            person = _new_person(rng, new_id(), locale, region, "outsider", None, "")
            person.contacts = rng.sample(groups[g], rng.randint(1, 2))
            people.append(person)
            outsiders.append(person.id)
    bulk = []
    for kind, local, title in BULK_KINDS:
        host = rng.choice(["mailer", "updates", "lists", "service"])
        domain = f"{host}.{rng.choice(COMPANY_WORDS)}.net"
        person = Person(new_id(), title, "en_US", "US", "bulk", None, [f"{local}@{domain}"])
        person.kind = kind
        people.append(person)
        bulk.append(person.id)
    # One member writes from an internationalised address as well (IDN domain, Unicode local part).
    first = members_by_id[groups[0][0]]
    first.emails.append(f"{first.user}@почта.рф")
    return Organisation(people, groups, brokers, outsiders, bulk)
