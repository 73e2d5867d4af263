"""The sweep's second-stage validators: real identifiers pass, look-alikes and noise do not.

Published vectors only: Bitcoin segwit addresses from the BIP-173 and BIP-350 texts, Ethereum
checksums from EIP-55, cards from the schemes' public test numbers, IBANs from the ISO 13616 /
registry examples. Each is also accepted (or refused) by the implementation for the reason the
specification gives, which the "one character changed" cases check.
"""

from __future__ import annotations

import hashlib
import random

import pytest

from crossdrive.sweep.validators import (
    IBAN_LENGTHS,
    bitcoin_address,
    card_number,
    email_address,
    ethereum_address,
    gps_coordinate,
    iban,
    ipv4,
    ipv6,
    keccak256,
    luhn_ok,
    phone_number,
    xmpp_address,
)

# --------------------------------------------------------------------------------------------
# Luhn and payment cards
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("digits", "expected"),
    [
        ("4111111111111111", True),
        ("79927398713", True),  # the classic worked example
        ("79927398710", False),
        ("4111111111111112", False),
        ("0", True),
        ("", False),
        ("4111 1111 1111 1111", False),  # separators are card_number's business
        ("٤١١١١١١١١١١١١١١١", False),  # Arabic-Indic digits: isdigit() but not a card
        ("41111111111111a1", False),
    ],
)
def test_luhn(digits: str, expected: bool) -> None:
    assert luhn_ok(digits) is expected


@pytest.mark.parametrize(
    "text",
    [
        "4111111111111111",  # Visa test number
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "378282246310005",  # American Express test number
        "3782 822463 10005",  # as printed on an Amex card
        "5555555555554444",  # Mastercard test number: one block of 5s, one of 4s
        "2223000048400011",  # Mastercard 2-series test number
        "6011111111111117",  # Discover test number
        "3530111333300000",  # JCB test number
        "4222222222222",  # 13-digit Visa
    ],
)
def test_card_accepted(text: str) -> None:
    assert card_number(text) == text.replace(" ", "").replace("-", "")


@pytest.mark.parametrize(
    "text",
    [
        "4111 1111-1111 1111",  # separators mixed
        "4111  1111 1111 1111",  # double space
        "4111 1111 1111 1111 ",  # trailing separator
        "41 11 11 11 11 11 11 11",  # 2-digit groups are not a card layout
        "4111111111111112",  # Luhn fails
        "0000000000000000",  # Luhn-valid fill
        "9111111111111119",  # Luhn-valid, no scheme issues 9…
        "3782822463100050",  # Amex prefix with 16 digits
        "411111111111",  # 12 digits
        "41111111111111111111",  # 20 digits
        "4242424242424242",  # two digits interleaved (Luhn-valid, Visa prefix)
        "4411441144114411",
        "2238223822382238",  # a 4-digit block repeated (Luhn-valid, Mastercard 2-series)
        "4567890123456789012",  # ascending run (Luhn-valid 19-digit Visa)
        "654321098765432109",  # descending run (Luhn-valid, Discover 65)
        "4111.1111.1111.1111",
        "４１１１１１１１１１１１１１１１",  # full-width digits
    ],
)
def test_card_rejected(text: str) -> None:
    assert card_number(text) is None


def test_card_fill_patterns_are_refused_by_the_pattern_rule() -> None:
    """The fill patterns above pass Luhn and the IIN table: only the pattern rule stops them."""
    for digits in ("0000000000000000", "4242424242424242", "4411441144114411"):
        assert luhn_ok(digits), digits
    for digits in ("2238223822382238", "4567890123456789012", "654321098765432109"):
        assert luhn_ok(digits), digits
    # A block of one digit before or after a block of another is not a fill pattern: the
    # published test numbers are built that way and must be found.
    assert card_number("4111111111111111") == "4111111111111111"
    assert card_number("5555555555554444") == "5555555555554444"


def test_card_digit_runs_rejected() -> None:
    """Every cyclic ascending or descending run (0123456789012…, 6543210987…) of card length."""
    for length in range(13, 20):
        for start in range(10):
            for step in (1, -1):
                run = "".join(str((start + step * i) % 10) for i in range(length))
                assert card_number(run) is None, run


def test_card_false_positive_rate_on_random_digits() -> None:
    """Documents the false-positive rate: Luhn passes ~10 %, the IIN table cuts it further."""
    rng = random.Random(1)
    candidates = ["".join(rng.choice("0123456789") for _ in range(16)) for _ in range(2000)]
    accepted = sum(card_number(candidate) is not None for candidate in candidates)
    luhn_passed = sum(luhn_ok(candidate) for candidate in candidates)
    assert 0.07 < luhn_passed / 2000 < 0.13
    assert accepted / 2000 < 0.06  # measured: 0.029


# --------------------------------------------------------------------------------------------
# IBAN
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DE89370400440532013000", "DE89370400440532013000"),
        ("DE89 3704 0044 0532 0130 00", "DE89370400440532013000"),
        ("GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432"),
        ("GB82WEST12345698765432", "GB82WEST12345698765432"),
        ("gb82 west 1234 5698 7654 32", "GB82WEST12345698765432"),
        ("FR1420041010050500013M02606", "FR1420041010050500013M02606"),
        ("NL91ABNA0417164300", "NL91ABNA0417164300"),
        ("BE68539007547034", "BE68539007547034"),
        ("CH9300762011623852957", "CH9300762011623852957"),
    ],
)
def test_iban_accepted(text: str, expected: str) -> None:
    assert iban(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "DE88370400440532013000",  # wrong check digits
        "DE89370400440532013001",  # one BBAN digit changed
        "DE8937040044053201300",  # 21 characters, Germany has 22
        "DE893704004405320130000",  # 23
        "XX89370400440532013000",  # no such country
        "GB82 WEST 1234 5698 765 432",  # groups not of four
        "GB82  WEST 1234 5698 7654 32",  # double space
        "DE89-3704-0044-0532-0130-00",
        "DE89370400440532013ÄÖ0",
        "",
    ],
)
def test_iban_rejected(text: str) -> None:
    assert iban(text) is None


def test_iban_table() -> None:
    assert len(IBAN_LENGTHS) >= 40
    expected = {"DE": 22, "GB": 22, "FR": 27, "ES": 24, "IT": 27, "NL": 18, "BE": 16, "CH": 21}
    expected |= {"AT": 20, "PL": 28, "PT": 25, "GR": 27, "TR": 26, "RU": 33, "UA": 29}
    expected |= {"SA": 24, "AE": 23, "IL": 23, "NO": 15, "LC": 32}
    for country, length in expected.items():
        assert IBAN_LENGTHS[country] == length, country


# --------------------------------------------------------------------------------------------
# Bitcoin (vectors verbatim from BIP-173 / BIP-350; legacy from the Bitcoin wiki)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",  # P2PKH
        "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",  # P2SH
        "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",  # the genesis block's address
        # BIP-350 valid segwit addresses with the "bc" HRP.
        "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
        "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
        "BC1SW50QGDZ25J",
        "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs",
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
    ],
)
def test_bitcoin_accepted(text: str) -> None:
    expected = text.lower() if text.lower().startswith("bc1") else text
    assert bitcoin_address(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3",  # one character changed
        "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLz",
        "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN",  # one character short
        "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN0",  # '0' is not base58
        "2BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
        # BIP-173 invalid segwit addresses (bc HRP) and its bech32 v1+ vectors, which BIP-350
        # made invalid.
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",  # invalid checksum
        "BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2",  # invalid witness version
        "bc1rw5uspcuh",  # invalid program length
        "bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90",
        "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",  # v0 program of 16 bytes
        "bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du",  # zero padding of more than 4 bits
        "bc1gmk9yu",  # empty data section
        "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx",
        "BC1SW50QA3JX3S",
        "bc1zw508d6qejxtdg4y5r3zarvaryvg6kdaj",
        # BIP-350 invalid segwit addresses (bc HRP).
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",  # bech32 for v1
        "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",  # bech32 for v16
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",  # bech32m for v0
        "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4",  # 'o' in checksum
        "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R",  # witness version 17
        "bc1pw5dgrnzv",  # 1-byte program
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",  # 41
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf",  # padding > 4 bits
        # Mixed case, and testnet (not "bc").
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kV8F3T4",
        "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
    ],
)
def test_bitcoin_rejected(text: str) -> None:
    assert bitcoin_address(text) is None


# --------------------------------------------------------------------------------------------
# Keccak-256 and Ethereum (EIP-55 vectors)
# --------------------------------------------------------------------------------------------

EIP55 = [
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]


def test_keccak256_is_not_sha3() -> None:
    # Keccak-256 of the empty string, as Ethereum uses it (e.g. the empty code hash).
    empty = "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert keccak256(b"").hex() == empty
    assert hashlib.sha3_256(b"").hexdigest() != empty
    # Inputs of exactly one rate block and longer exercise the multi-block absorb.
    assert keccak256(b"a" * 136) != keccak256(b"a" * 135)
    assert len(keccak256(b"x" * 1000)) == 32


@pytest.mark.parametrize("address", EIP55)
def test_ethereum_eip55_accepted(address: str) -> None:
    assert ethereum_address(address) == address.lower()


@pytest.mark.parametrize("address", EIP55)
def test_ethereum_one_case_flip_rejected(address: str) -> None:
    hex_part = address[2:]
    index = next(i for i, char in enumerate(hex_part) if char.isalpha())
    flipped = hex_part[:index] + hex_part[index].swapcase() + hex_part[index + 1 :]
    assert ethereum_address("0x" + flipped) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (EIP55[0].lower(), EIP55[0].lower()),  # no checksum written
        (EIP55[1].upper().replace("0X", "0x"), EIP55[1].lower()),
        (
            "0x52908400098527886E0F7030069857D2E4169EE7",
            "0x52908400098527886e0f7030069857d2e4169ee7",
        ),
        ("0x" + "0" * 40, None),
        ("0x" + "ab" * 20, None),  # 2 distinct digits: fill
        ("0x" + "0123" * 10, None),  # 4 distinct digits
        ("0X5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", None),
        ("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beae", None),  # 39 digits
        ("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaedd", None),  # 41 digits
        ("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg", None),
    ],
)
def test_ethereum_other(text: str, expected: str | None) -> None:
    assert ethereum_address(text) == expected


# --------------------------------------------------------------------------------------------
# E-mail
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("john.doe@example.com", "john.doe@example.com"),
        ('"john..doe"@example.org', '"john..doe"@example.org'),
        ("ivan@почта.рф", "ivan@почта.рф"),
        ("IVAN@ПОЧТА.РФ", "ivan@почта.рф"),
        ("USER@Example.COM", "user@example.com"),
        ("o'brien+tag@mail.example.co.uk", "o'brien+tag@mail.example.co.uk"),
        ("user@xn--80a1acny.xn--p1ai", "user@xn--80a1acny.xn--p1ai"),
        ('"a@b"@example.net', '"a@b"@example.net'),
        ("x@a-b.example", "x@a-b.example"),
        ("info@mu\u0308ller.de", "info@müller.de"),  # decomposed ü, returned NFC
    ],
)
def test_email_accepted_and_normalised(text: str, expected: str) -> None:
    assert email_address(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "john..doe@example.com",
        "jürgen@müller.de",  # a non-ASCII local part is not RFC 5322 atext
        ".john@example.com",
        "john.@example.com",
        "a@b",
        "icon@2x.png",
        "logo@3x.webp",
        "x@-bad.com",
        "x@bad-.com",
        "foo@bar.c",
        "x@1.2.3.4",
        "@@",
        "@example.com",
        "john@",
        "john@example..com",
        "john doe@example.com",
        '"unterminated@example.com',
        "a" * 65 + "@example.com",
        "x@" + "a" * 64 + ".com",
        "x@" + ".".join(["abcdefghi"] * 26) + ".com",  # over 254 in all
        "x@example.com.",
    ],
)
def test_email_rejected(text: str) -> None:
    assert email_address(text) is None


# --------------------------------------------------------------------------------------------
# Telephone numbers (validity per phonenumbers 9.0.43 metadata)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("+44 20 7946 0958", None, ("+442079460958", "international")),
        ("0044 20 7946 0958", None, ("+442079460958", "international")),
        ("+7 (912) 345-67-89", None, ("+79123456789", "international")),
        ("8 (912) 345-67-89", "RU", ("+79123456789", "national")),
        ("8 (912) 345-67-89", "ru", ("+79123456789", "national")),
        ("+49.151.23222791", None, ("+4915123222791", "international")),
        ("tel:+1-650-253-0000", None, ("+16502530000", "international")),
        ("+1 650-253-0000 ext. 12", None, ("+16502530000", "international")),
        ("(650) 253-0000 x12", "US", ("+16502530000", "national")),
        ("tel:+1-650-253-0000;ext=12", None, ("+16502530000", "international")),
        ("020 7946 0958", "GB", ("+442079460958", "national")),
    ],
)
def test_phone_accepted(text: str, region: str | None, expected: tuple[str, str]) -> None:
    assert phone_number(text, region) == expected


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("8 (912) 345-67-89", None),  # national form without a region
        ("(650) 253-0000", None),
        ("+7 000 000 00 00", None),  # unassigned range
        ("+44 20 7946 0958 1234 5678 9012", None),  # 22 digits
        ("+44 123", None),  # 5 digits
        ("+1 800 FLOWERS", None),  # vanity letters
        ("+44 20 7946 095", None),  # one digit short for London
        ("0044 00 0000 0000", None),
        ("", "US"),
        ("hello", "US"),
    ],
)
def test_phone_rejected(text: str, region: str | None) -> None:
    assert phone_number(text, region) is None


# --------------------------------------------------------------------------------------------
# IPv4, IPv6, GPS, XMPP
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("192.168.1.1", "192.168.1.1"),
        ("8.8.8.8", "8.8.8.8"),
        ("255.255.255.255", "255.255.255.255"),
        ("10.0.0.0", "10.0.0.0"),
        ("0.0.0.0", None),
        ("256.1.1.1", None),
        ("01.2.3.4", None),
        ("1.2.3", None),
        ("1.2.3.4.5", None),
        ("1.2.3.4 ", None),
        ("1..2.3", None),
        ("١.٢.٣.٤", None),  # Arabic-Indic digits
    ],
)
def test_ipv4(text: str, expected: str | None) -> None:
    assert ipv4(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("2001:DB8::1", "2001:db8::1"),
        ("::1", "::1"),
        ("fe80::1ff:fe23:4567:890a", "fe80::1ff:fe23:4567:890a"),
        ("::", None),
        ("0:0:0:0:0:0:0:0", None),
        ("1:2:3:4:5:6:7:8", None),  # no hex letter, no '::': times, counters
        ("12:34", None),
        ("fe80::1%eth0", None),
        ("2001:db8::/32", None),
        ("2001:db8:::1", None),
        ("g001:db8::1", None),
    ],
)
def test_ipv6(text: str, expected: str | None) -> None:
    assert ipv6(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("41.0082, 28.9784", (41.0082, 28.9784)),
        ("-33.8688,151.2093", (-33.8688, 151.2093)),
        ("55.755826, 37.6173", (55.755826, 37.6173)),
        ("90.0000, -180.0000", (90.0, -180.0)),
        ("41.008, 28.9784", None),  # 3 decimals
        ("41, 28", None),
        ("91.0000, 10.0000", None),
        ("45.1234, 181.0000", None),
        ("0.0000, 0.0000", None),
        ("41.0082; 28.9784", None),
        ("41.0082 28.9784", None),
    ],
)
def test_gps(text: str, expected: tuple[float, float] | None) -> None:
    assert gps_coordinate(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Romeo@Montague.lit/orchard", "romeo@montague.lit"),
        ("juliet@capulet.lit", "juliet@capulet.lit"),
        ("juliet@capulet.lit/balcony/with a view@night", "juliet@capulet.lit"),
        ("ПЁТР@jabber.ru", "пётр@jabber.ru"),
        ("a b@jabber.org", None),
        ("x@localhost", None),
        ("@jabber.org", None),
        ("juliet@capulet.lit/", None),
        ("node:x@jabber.org", None),
        ("o'hara@jabber.org", None),
        ("x@" + "a" * 64 + ".org", None),
        ("n" * 1024 + "@jabber.org", None),
    ],
)
def test_xmpp(text: str, expected: str | None) -> None:
    assert xmpp_address(text) == expected
