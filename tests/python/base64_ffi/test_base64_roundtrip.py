"""Property tests against the standard library's base64."""

from __future__ import annotations

import base64
import binascii
import random
from collections.abc import Callable
from types import ModuleType

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
SETTINGS = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def stdlib_decode(text: str) -> bytes | None:
    """The standard library's validating decoder, or None when it rejects ``text``."""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def ours_decode(
    api: ModuleType, pkg: ModuleType, text: str
) -> tuple[bytes | None, object]:
    """Our decoder: (result, None) on success, (None, exception) on InvalidArgumentError."""
    try:
        return api.decode(text), None
    except pkg.InvalidArgumentError as e:
        return None, e


@SETTINGS
@given(data=st.binary(max_size=2048))
@example(data=b"")
@example(data=b"\x00")
@example(data=b"\xff\xfe")
@example(data=bytes(range(256)))
def test_encode_matches_stdlib_and_round_trips(api: ModuleType, data: bytes) -> None:
    text = api.encode(data)
    assert isinstance(text, str)
    assert text == base64.b64encode(data).decode("ascii")
    out = api.decode(text)
    assert isinstance(out, bytes)
    assert out == data


@SETTINGS
@given(size=st.integers(min_value=0, max_value=300_000), seed=st.integers(0, 2**32 - 1))
def test_large_random_inputs_round_trip(api: ModuleType, size: int, seed: int) -> None:
    data = random.Random(seed).randbytes(size)
    text = api.encode(data)
    assert text == base64.b64encode(data).decode("ascii")
    assert "\n" not in text
    assert api.decode(text) == data


@st.composite
def mutated_encodings(draw: st.DrawFn) -> str:
    """A valid encoding with one small edit: the inputs most likely to find a lax decoder."""
    data: bytes = draw(st.binary(max_size=40))
    text = base64.b64encode(data).decode("ascii")
    edit = draw(st.sampled_from(["replace", "insert", "delete", "append", "swap_tail"]))
    junk = st.sampled_from(list(ALPHABET + "=-_. \n\t\r!\x00\u00e9\u20ac"))
    pos: int = draw(st.integers(min_value=0, max_value=len(text)))
    if edit == "replace" and text:
        pos = min(pos, len(text) - 1)
        text = text[:pos] + draw(junk) + text[pos + 1 :]
    elif edit == "insert":
        text = text[:pos] + draw(junk) + text[pos:]
    elif edit == "delete" and text:
        pos = min(pos, len(text) - 1)
        text = text[:pos] + text[pos + 1 :]
    elif edit == "append":
        text = text + draw(st.sampled_from(["=", "==", "A", "AA==", "\n", "QQ=="]))
    elif edit == "swap_tail" and text.endswith("="):
        # Put a possibly non-canonical character before the padding.
        stem = text.rstrip("=")
        text = stem[:-1] + draw(st.sampled_from(list(ALPHABET))) + text[len(stem) :]
    return text


decode_inputs = st.one_of(
    st.text(alphabet=ALPHABET + "=", max_size=24),
    st.text(alphabet=ALPHABET + "= \n\t!-_.\x00\u00e9", max_size=24),
    mutated_encodings(),
)


@SETTINGS
@given(text=decode_inputs)
@example(text="QR==")
@example(text="QQ==")
@example(text="A===")
@example(text="AA==AA==")
@example(text="QUJD\n")
def test_decode_agrees_with_stdlib_strict(
    api: ModuleType, pkg: ModuleType, text: str
) -> None:
    ours, err = ours_decode(api, pkg, text)
    theirs = stdlib_decode(text)
    if ours is not None:
        # Whenever ours accepts, the standard library agrees on the bytes.
        assert theirs is not None, f"ours accepted {text!r}, stdlib strict rejects it"
        assert ours == theirs
    if theirs is None:
        assert err is not None, (
            f"stdlib strict rejects {text!r}, ours returned {ours!r}"
        )
    # Strict means exactly the canonical encodings: stdlib-valid and re-encoding to itself.
    canonical = theirs is not None and base64.b64encode(theirs).decode("ascii") == text
    assert (ours is not None) == canonical, (
        f"{text!r}: ours {'accepted' if ours is not None else 'rejected'} it, "
        f"but it is {'' if canonical else 'not '}canonical base64 ({err})"
    )


@SETTINGS
@given(text=decode_inputs)
def test_decode_of_str_and_of_its_utf8_bytes_agree(
    api: ModuleType, pkg: ModuleType, text: str
) -> None:
    from_str, err_str = ours_decode(api, pkg, text)
    from_bytes, err_bytes = ours_decode(api, pkg, text.encode("utf-8"))  # type: ignore[arg-type]
    assert from_str == from_bytes
    assert (err_str is None) == (err_bytes is None)
    if err_str is not None:
        assert str(err_str) == str(err_bytes)


@SETTINGS
@given(data=st.binary(min_size=1, max_size=64))
def test_non_canonical_trailing_bits_are_rejected(
    api: ModuleType,
    pkg: ModuleType,
    offset_in: Callable[[str], int | None],
    data: bytes,
) -> None:
    text = base64.b64encode(data).decode("ascii")
    pad = len(text) - len(text.rstrip("="))
    if pad == 0:
        return  # no trailing bits to spoil in a full final quantum
    last = len(text) - pad - 1
    # The unused low bits of the last data character: 4 with "==", 2 with "=".
    mask = 0x0F if pad == 2 else 0x03
    value = ALPHABET.index(text[last])
    for bits in range(1, mask + 1):
        bad = text[:last] + ALPHABET[value | bits] + text[last + 1 :]
        assert stdlib_decode(bad) == data  # the stdlib is lenient here
        try:
            got = api.decode(bad)
        except pkg.InvalidArgumentError as e:
            assert e.code == 2
            assert offset_in(e.message) == last, e.message
        else:
            raise AssertionError(f"non-canonical {bad!r} decoded to {got!r}")
