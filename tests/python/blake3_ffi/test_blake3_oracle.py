"""Digests compared with the oracle: the official test vectors' input lengths (input
bytes ``i % 251``, their key and context) in the three modes, digest lengths from 0 to
past 64 bytes, ``seek``, ``copy`` and ``reset``, and incremental updates split at random
points (hypothesis)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

# The input lengths, key and context of BLAKE3's official test vectors.
VECTOR_LENGTHS = [
    0, 1, 1023, 1024, 1025, 2048, 2049, 3072, 3073, 4096, 4097, 5120, 5121, 6144, 6145,
    7168, 7169, 8192, 8193, 16384, 31744, 102400,
]  # fmt: skip
VECTOR_KEY = b"whats the Elvish word for friend"
VECTOR_CONTEXT = "BLAKE3 2019-12-27 16:29:52 test vectors context"

# Around the block (64), chunk (1024) and the multithreading threshold (128 KiB) sizes.
MORE_LENGTHS = [
    2, 63, 64, 65, 127, 128, 129, 1000, 65536, 131071, 131072, 131073, 1 << 20,
]  # fmt: skip

DIGEST_LENGTHS = [0, 1, 31, 32, 33, 63, 64, 65, 100, 128, 131, 1000, 4096, 70000]


def vector_input(n: int) -> bytes:
    return bytes(i % 251 for i in range(n))


MODES = {
    "hash": {},
    "keyed_hash": {"key": VECTOR_KEY},
    "derive_key": {"derive_key_context": VECTOR_CONTEXT},
}


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("n", VECTOR_LENGTHS + MORE_LENGTHS)
def test_every_length_in_every_mode(
    ours: type, oracle: type, n: int, mode: str
) -> None:
    data = vector_input(n)
    kwargs = MODES[mode]
    a, b = ours(data, **kwargs), oracle(data, **kwargs)
    # The official vectors hold 131 bytes of extended output.
    assert a.digest(131) == b.digest(131)
    assert a.hexdigest() == b.hexdigest()
    assert a.digest() == b.digest(32)


@pytest.mark.parametrize("mode", list(MODES))
def test_digest_lengths_and_seek(ours: type, oracle: type, mode: str) -> None:
    data = vector_input(5000)
    a, b = ours(data, **MODES[mode]), oracle(data, **MODES[mode])
    for length in DIGEST_LENGTHS:
        for seek in [0, 1, 63, 64, 65, 1000, 2**32 + 7, 2**63, 2**64 - length - 1]:
            assert a.digest(length, seek=seek) == b.digest(length, seek=seek), (
                length,
                seek,
            )
            assert a.hexdigest(length, seek=seek) == b.hexdigest(length, seek=seek)
        assert a.digest(length=length) == b.digest(length=length)


def test_seek_is_a_window_on_one_output_stream(ours: type, oracle: type) -> None:
    h = ours(b"stream")
    whole = oracle(b"stream").digest(600)
    for seek in range(0, 536, 67):
        assert h.digest(64, seek=seek) == whole[seek : seek + 64]


def test_digest_leaves_the_hasher_updatable(ours: type, oracle: type) -> None:
    a, b = ours(), oracle()
    for piece in [b"a", b"", b"bc" * 700, vector_input(3000)]:
        a.update(piece)
        b.update(piece)
        assert a.digest() == b.digest()
        assert a.hexdigest(77) == b.hexdigest(77)


def test_copies_are_independent(ours: type, oracle: type) -> None:
    for kwargs in MODES.values():
        a = ours(b"prefix", **kwargs)
        c = a.copy()
        c.update(b"-copy")
        a.update(b"-original")
        assert c.digest() == oracle(b"prefix-copy", **kwargs).digest()
        assert a.digest() == oracle(b"prefix-original", **kwargs).digest()
        d = c.copy()
        c.close()
        assert d.digest() == oracle(b"prefix-copy", **kwargs).digest()
        a.reset()
        assert d.digest() == oracle(b"prefix-copy", **kwargs).digest()


def test_reset_keeps_the_key_and_the_context(ours: type, oracle: type) -> None:
    for kwargs in MODES.values():
        h = ours(vector_input(3000), **kwargs)
        h.reset()
        assert h.digest(50) == oracle(**kwargs).digest(50)
        h.update(b"again")
        assert h.digest(50) == oracle(b"again", **kwargs).digest(50)


def test_many_random_inputs(ours: type, oracle: type) -> None:
    rng = random.Random(1234)
    for _ in range(300):
        n = rng.choice([rng.randrange(0, 200), rng.randrange(0, 20000)])
        data = rng.randbytes(n)
        key = rng.randbytes(32)
        length = rng.randrange(0, 300)
        seek = rng.randrange(0, 2**64 - length)
        assert ours(data).digest(length) == oracle(data).digest(length)
        assert ours(data, key=key).digest(length, seek=seek) == oracle(
            data, key=key
        ).digest(length, seek=seek)


@settings(max_examples=200, deadline=None)
@given(
    data=st.binary(max_size=5000),
    cuts=st.lists(st.integers(min_value=0, max_value=5000), max_size=12),
    mode=st.sampled_from(list(MODES)),
    length=st.integers(min_value=0, max_value=200),
)
def test_updates_split_anywhere_give_the_oracle_s_digest(
    ours: type, oracle: type, data: bytes, cuts: list[int], mode: str, length: int
) -> None:
    kwargs = MODES[mode]
    points = sorted({min(c, len(data)) for c in cuts})
    pieces = [data[a:b] for a, b in zip([0, *points], [*points, len(data)])]
    assert b"".join(pieces) == data
    h = ours(pieces[0], **kwargs)
    for piece in pieces[1:]:
        assert h.update(memoryview(piece)) is h
    assert h.digest(length) == oracle(data, **kwargs).digest(length)
