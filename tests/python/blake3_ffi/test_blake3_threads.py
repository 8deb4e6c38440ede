"""Threads: the crate's multithreaded hashing (``max_threads``) gives the one-thread
digests, hashers used from many Python threads at once give the single-threaded results,
and 8 threads hammering one hasher while another thread closes it never crash, never
tear an update, and see every call either succeed or raise ValueError "closed"."""

from __future__ import annotations

import gc
import os
import threading
import time
from collections.abc import Callable

import pytest

MiB = 1 << 20


def pattern(n: int, salt: int = 0) -> bytes:
    return bytes((i * 7 + salt) % 251 for i in range(n))


def run_threads(count: int, target: Callable[[int], None]) -> None:
    """Runs ``target(i)`` on ``count`` threads started together; re-raises the first
    exception any of them raised."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def body(i: int) -> None:
        try:
            barrier.wait()
            target(i)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


@pytest.mark.parametrize("size", [0, 1000, 128 * 1024 - 1, 128 * 1024, 3 * MiB + 17])
@pytest.mark.parametrize("threads", ["AUTO", 2, 4])
def test_multithreaded_hashing_gives_the_one_thread_digest(
    ours: type, oracle: type, size: int, threads: object
) -> None:
    data = pattern(size)
    n = ours.AUTO if threads == "AUTO" else threads
    want = oracle(data).digest(64)
    assert ours(data, max_threads=n).digest(64) == want
    assert oracle(data, max_threads=n).digest(64) == want
    h = ours(max_threads=n)
    h.update(data[: size // 3]).update(data[size // 3 :])
    assert h.digest(64) == want
    keyed = ours(data, key=b"k" * 32, max_threads=n)
    assert keyed.digest() == oracle(data, key=b"k" * 32).digest()
    assert keyed.copy().digest() == keyed.digest()


@pytest.mark.skipif(
    not os.path.isdir("/proc/self/task"), reason="counts threads in /proc/self/task"
)
def test_max_threads_n_hashes_on_a_pool_of_n_threads(ours: type, oracle: type) -> None:
    """A number N is a limit: the hasher gets a pool of its own of N threads (shared
    with its copies), where AUTO and 1 start none."""

    def threads() -> int:
        """The process's threads, once the pools of earlier tests have stopped
        theirs (they stop asynchronously)."""
        gc.collect()
        count, deadline = -1, time.monotonic() + 10
        while time.monotonic() < deadline:
            time.sleep(0.05)
            now = len(os.listdir("/proc/self/task"))
            if now == count:
                return now
            count = now
        return count

    before = threads()
    one = ours(max_threads=1)
    auto = ours(pattern(MiB), max_threads=ours.AUTO)
    assert threads() - before <= 2 * (os.cpu_count() or 1)  # AUTO: rayon's global pool
    started = threads()
    pooled = ours(pattern(3 * MiB), max_threads=3)
    assert threads() - started == 3
    twin = pooled.copy()
    assert threads() - started == 3, "a copy shares its pool"
    want = oracle(pattern(3 * MiB)).digest()
    assert pooled.digest() == twin.digest() == want
    assert one.digest() == oracle().digest()
    assert auto.digest() == oracle(pattern(MiB)).digest()


def test_hashers_in_many_threads_give_the_single_threaded_results(
    ours: type, oracle: type
) -> None:
    inputs = [pattern(n, salt) for salt, n in enumerate([0, 64, 5000, 200_000, MiB])]
    want = [oracle(d).hexdigest(48) for d in inputs]
    got: dict[tuple[int, int], str] = {}

    def work(t: int) -> None:
        for round_ in range(5):
            for i, data in enumerate(inputs):
                h = ours(max_threads=ours.AUTO if (t + round_) % 2 else 1)
                for start in range(0, len(data), 70_001):
                    h.update(data[start : start + 70_001])
                got[(t, i)] = h.hexdigest(48)
                assert got[(t, i)] == want[i]

    run_threads(8, work)
    assert len(got) == 8 * len(inputs)


def test_one_hasher_shared_by_threads_takes_every_update_whole(
    ours: type, oracle: type
) -> None:
    """Updates from 8 threads on one hasher are serialized: with identical chunks, the
    result is the oracle's for the chunk repeated as many times as there were calls."""
    chunk = pattern(1500, 3)
    calls = 200
    h = ours()

    def work(_: int) -> None:
        for _ in range(calls):
            assert h.update(chunk) is h
            if _ % 50 == 0:
                h.digest()  # reads interleaved with the writes

    run_threads(8, work)
    assert h.digest() == oracle(chunk * (8 * calls)).digest()


def test_eight_threads_hammer_one_hasher_while_another_closes_it(
    ours: type, oracle: type
) -> None:
    chunk = pattern(1024, 9)
    h = ours()
    started = threading.Event()
    closed_errors: list[str] = []
    failures: list[BaseException] = []
    successes = [0] * 8
    copies: list[bytes] = []
    lock = threading.Lock()

    def hammer(t: int) -> None:
        while True:
            try:
                if successes[t] % 64 == 63:
                    copy = h.copy()  # a copy is a whole number of chunks
                    with lock:
                        copies.append(copy.digest())
                    copy.close()
                else:
                    assert h.update(chunk) is h
                successes[t] += 1
                started.set()
            except ValueError as exc:
                with lock:
                    (closed_errors if "closed" in str(exc) else failures).append(exc)
                return
            except BaseException as exc:  # noqa: BLE001 - reported below
                with lock:
                    failures.append(exc)
                return

    def closer() -> None:
        started.wait(timeout=60)
        while sum(successes) < 2000 and not failures:
            threading.Event().wait(0.001)
        h.close()

    threads = [
        threading.Thread(target=hammer, args=(t,), daemon=True) for t in range(8)
    ]
    threads.append(threading.Thread(target=closer, daemon=True))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert not failures, failures
    # Every hammering thread ended on "closed", and the hasher stays closed.
    assert len(closed_errors) == 8
    assert h.closed
    with pytest.raises(ValueError, match="closed"):
        h.update(chunk)
    with pytest.raises(ValueError, match="closed"):
        h.digest()
    # The final state is consistent: no copy saw a torn update, each one is the oracle's
    # digest of a whole number of chunks, no more than were fed.
    fed = oracle()
    prefixes = {fed.digest(): 0}
    for k in range(1, sum(successes) + 1):
        prefixes[fed.update(chunk).digest()] = k
    assert copies, "the closer waited for 2000 calls, so copies were made"
    assert all(c in prefixes for c in copies)
    h.close()
