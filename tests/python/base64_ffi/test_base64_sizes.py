"""Output sizes: every boundary, and far beyond the original's 8192-byte cap."""

from __future__ import annotations

import base64
import os
from collections.abc import Callable
from types import ModuleType

import pytest

BOUNDARY_SIZES = (
    list(range(65)) + list(range(6140, 6150)) + [8191, 8192, 8193, 65535, 65536, 65537]
)


@pytest.mark.parametrize("n", BOUNDARY_SIZES)
def test_boundaries(api: ModuleType, n: int) -> None:
    data = os.urandom(n)
    text = api.encode(data)
    assert len(text) == 4 * ((n + 2) // 3)
    assert text == base64.b64encode(data).decode("ascii")
    assert api.decode(text) == data


def test_above_the_original_cap(api: ModuleType) -> None:
    """The original failed above 6144 input bytes (8192 output bytes)."""
    data = os.urandom(6145)
    text = api.encode(data)
    assert len(text) == 8196
    assert api.decode(text) == data


@pytest.mark.parametrize(
    "size", [1 << 20, (1 << 20) + 1, 48 << 20], ids=["1MiB", "1MiB+1", "48MiB"]
)
def test_large_round_trip(api: ModuleType, size: int) -> None:
    data = os.urandom(size)
    text = api.encode(data)
    expected = base64.b64encode(data)
    assert len(text) == len(expected)
    assert text.encode("ascii") == expected
    del expected
    assert api.decode(text) == data


def test_large_decode_of_bytes_like(api: ModuleType) -> None:
    data = os.urandom((16 << 20) + 2)
    encoded = bytearray(base64.b64encode(data))
    assert api.decode(encoded) == data
    assert api.decode(memoryview(encoded)) == data


def test_large_invalid_input_reports_the_far_offset(
    api: ModuleType, pkg: ModuleType, offset_in: Callable[[str], int | None]
) -> None:
    encoded = bytearray(base64.b64encode(bytes(12 << 20)))
    bad_at = len(encoded) - 5
    encoded[bad_at] = ord("*")
    with pytest.raises(pkg.InvalidArgumentError) as info:
        api.decode(encoded)
    assert offset_in(info.value.message) == bad_at, info.value.message


def test_decoded_size_with_each_padding(api: ModuleType) -> None:
    for n in range(3 * 1000, 3 * 1000 + 3):
        data = os.urandom(n)
        assert len(api.decode(base64.b64encode(data))) == n
