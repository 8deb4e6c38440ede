"""Strict decoding: every kind of malformed input is an InvalidArgumentError naming the
offset of the problem (a byte offset into the UTF-8 input)."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

# (input, acceptable offsets). Most cases have exactly one right answer; where two
# readings are defensible (the start of an incomplete quantum or the end of the input;
# the padding or the data after it) both are accepted.
Case = tuple[str | bytes, tuple[int, ...]]

CHARACTERS: list[Case] = [
    ("AAA!", (3,)),
    ("!AAA", (0,)),
    ("AAAAAA-A", (6,)),  # URL-safe alphabet is not the standard one
    ("AAAA_AAA", (4,)),
    ("AAAA.AAA", (4,)),
    ("AAA\x00", (3,)),
    ("AA\u00e9", (2,)),  # 'é' is two UTF-8 bytes: 4 bytes in all, bad byte at 2
    (b"AAA\xff", (3,)),
    (b"\x80AAA", (0,)),
]
PADDING: list[Case] = [
    ("A===", (1,)),
    ("====", (0,)),
    ("=AAA", (0,)),
    ("AA=A", (2,)),
    ("AAAA=AAA", (4,)),
    ("AA==AAAA", (2, 4)),  # data after padding
    ("AAA=AAAA", (3, 4)),
    ("QUJDAA==QUJD", (6, 8)),
]
WHITESPACE: list[Case] = [
    ("AAA\n", (3,)),
    ("\nAAA", (0,)),
    ("AA AAA==", (2,)),
    ("AAAA\r\nAA", (4,)),
    ("AAAAAAA\t", (7,)),
    ("AAAA\x0bAAA", (4,)),
    ("AAAA\x0cAAA", (4,)),
]
TRAILING_BITS: list[Case] = [
    ("QR==", (1,)),  # the stdlib decodes this to b"A"
    ("AB==", (1,)),
    ("AAB=", (2,)),
    ("QUJDRB==", (5,)),
    ("AAAAAAB=", (6,)),
]
LENGTH: list[Case] = [
    ("A", (0, 1)),
    ("AA", (0, 2)),
    ("AAA", (0, 3)),
    ("AAAAA", (4, 5)),
    ("AAAAAA=", (4, 7)),
    ("AA=", (0, 3)),
    ("QUJDRA=", (4, 7)),
]

ALL = (
    [pytest.param(t, o, id=f"char-{t!r}") for t, o in CHARACTERS]
    + [pytest.param(t, o, id=f"padding-{t!r}") for t, o in PADDING]
    + [pytest.param(t, o, id=f"whitespace-{t!r}") for t, o in WHITESPACE]
    + [pytest.param(t, o, id=f"trailing-bits-{t!r}") for t, o in TRAILING_BITS]
    + [pytest.param(t, o, id=f"length-{t!r}") for t, o in LENGTH]
)


@pytest.mark.parametrize("text, offsets", ALL)
def test_rejected_with_offset(
    api: ModuleType,
    pkg: ModuleType,
    offset_in: Callable[[str], int | None],
    text: str | bytes,
    offsets: tuple[int, ...],
) -> None:
    with pytest.raises(pkg.InvalidArgumentError) as info:
        api.decode(text)
    err: Any = info.value
    assert type(err) is pkg.InvalidArgumentError
    assert issubclass(type(err), ValueError)
    assert err.code == 2
    assert isinstance(err.message, str) and err.message
    assert "offset" in err.message.lower(), err.message
    got = offset_in(err.message)
    assert got in offsets, (
        f"{text!r}: expected offset in {offsets}, message: {err.message!r}"
    )
    assert err.message in str(err)


@pytest.mark.parametrize(
    "text",
    [
        "QQ==",
        "QUI=",
        "QUJD",
        "AAAA",
        "////",
        "++++",
        "AA==",
        "AAA=",
        "QUJDRA==",
        "QUJDREU=",
    ],
)
def test_canonical_inputs_are_accepted(api: ModuleType, text: str) -> None:
    import base64

    assert api.decode(text) == base64.b64decode(text, validate=True)


def test_empty_input_both_ways(api: ModuleType) -> None:
    assert api.encode(b"") == ""
    assert api.decode("") == b""
    assert api.decode(b"") == b""
    assert api.decode(bytearray()) == b""
    assert api.decode(memoryview(b"")) == b""


def test_every_character_outside_the_alphabet_is_rejected_at_its_offset(
    api: ModuleType, pkg: ModuleType, offset_in: Callable[[str], int | None]
) -> None:
    """Each of the 256 byte values, placed at offset 5 of an otherwise valid input."""
    import string

    alphabet = set((string.ascii_letters + string.digits + "+/").encode())
    failures = []
    for byte in range(256):
        data = bytearray(b"QUJDREVG")
        data[5] = byte
        if byte in alphabet:
            api.decode(data)  # must succeed (all positions carry full sextets)
            continue
        try:
            got = api.decode(bytes(data))
        except pkg.InvalidArgumentError as e:
            if e.code != 2 or offset_in(e.message) != 5:
                failures.append((byte, e.code, e.message))
        else:
            failures.append((byte, "accepted", got))
    assert not failures, failures
