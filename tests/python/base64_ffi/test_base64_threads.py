"""Concurrent calls give the same results as sequential ones, errors included."""

from __future__ import annotations

import base64
import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType

THREADS = 8
ITERATIONS = 300


def _inputs(seed: int) -> list[bytes]:
    rng = random.Random(seed)
    sizes = [0, 1, 2, 3, 6145, 70_000] + [rng.randrange(0, 20_000) for _ in range(40)]
    return [rng.randbytes(n) for n in sizes]


def test_threads_agree_with_single_threaded(api: ModuleType) -> None:
    per_thread = [_inputs(seed) for seed in range(THREADS)]
    expected = [[(api.encode(d), d) for d in inputs] for inputs in per_thread]
    for rows in expected:
        for text, data in rows:
            assert text == base64.b64encode(data).decode()
    start = threading.Barrier(THREADS)

    def work(index: int) -> int:
        rows = expected[index]
        start.wait()
        mismatches = 0
        for i in range(ITERATIONS):
            text, data = rows[(i * 7 + index) % len(rows)]
            if api.encode(data) != text or api.decode(text) != data:
                mismatches += 1
        return mismatches

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(work, range(THREADS)))
    assert results == [0] * THREADS


def test_threads_get_their_own_error_messages(
    api: ModuleType, pkg: ModuleType, offset_in: Callable[[str], int | None]
) -> None:
    """Each thread's error names its own offset even while other threads fail too (the
    library keeps one message buffer per thread)."""
    start = threading.Barrier(THREADS)

    def work(index: int) -> list[tuple[int, int | None, str]]:
        # Thread `index` puts its bad character at offset 4 * index + 1.
        bad = bytearray(b"QUJD" * (THREADS + 1))
        offset = 4 * index + 1
        bad[offset] = ord("!")
        good = base64.b64encode(bytes([index]) * 100)
        wrong = []
        start.wait()
        for _ in range(ITERATIONS):
            try:
                api.decode(bad)
            except pkg.InvalidArgumentError as e:
                got = offset_in(e.message)
                if got != offset or e.code != 2:
                    wrong.append((offset, got, e.message))
            else:
                wrong.append((offset, None, "accepted"))
            if api.decode(good) != bytes([index]) * 100:
                wrong.append((offset, None, "bad decode"))
        return wrong

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(work, range(THREADS)))
    assert results == [[]] * THREADS, [r[:3] for r in results if r]


def test_version_from_many_threads(api: ModuleType) -> None:
    expected = api.version()
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        got = set(pool.map(lambda _: api.version(), range(200)))
    assert got == {expected}
