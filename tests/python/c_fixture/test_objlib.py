"""Acceptance of ABI v1.1 objects: a C library of opaque handles written against the
headers alone (``tests/fixtures/c_objects``), with a hand-written manifest, as Python
classes: constructor, methods of every kind of result, objects passed and returned,
constants, close() and ``with``, release on collection, and threads."""

from __future__ import annotations

import copy
import gc
import importlib
import inspect
import pickle
import threading
import time
import typing
from types import ModuleType

import pytest

FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3


def fnv1a(data: bytes, state: int = FNV_OFFSET) -> int:
    for byte in data:
        state = ((state ^ byte) * FNV_PRIME) & (2**64 - 1)
    return state


@pytest.fixture(scope="module")
def api(objlib: ModuleType) -> ModuleType:
    return importlib.import_module("objlib.api")


def test_the_class_is_exported_at_the_top(objlib: ModuleType, api: ModuleType) -> None:
    assert objlib.Hasher is api.Hasher
    assert "Hasher" in objlib.__all__ and "Hasher" in api.__all__


def test_methods_compute_what_python_does(api: ModuleType) -> None:
    h = api.Hasher()
    assert h.update(b"hello") is h  # returns self, for chaining
    h.update(bytearray(b" wor")).update(memoryview(b"ld"))
    assert h.digest() == fnv1a(b"hello world")
    assert h.hexdigest() == f"{fnv1a(b'hello world'):016x}"
    assert h.length() == 11


def test_an_optional_input_tells_none_from_empty(api: ModuleType) -> None:
    plain, none, empty = api.Hasher(), api.Hasher(key=None), api.Hasher(key=b"")
    assert plain.digest() == none.digest() == FNV_OFFSET
    assert empty.digest() == fnv1a(b"key:")
    assert api.Hasher(key=b"k").digest() == fnv1a(b"key:k")


def test_objects_are_returned_and_passed(api: ModuleType) -> None:
    h = api.Hasher().update(b"abc")
    c = h.copy()
    assert type(c) is api.Hasher and c is not h
    assert api.same(h, c)
    c.update(b"d")
    assert not api.same(h, c)
    made = api.hash_of(b"abc")
    assert made.digest() == fnv1a(b"abc")
    before = h.digest()
    h.absorb(made)
    assert h.digest() == fnv1a(before.to_bytes(8, "little"), before)


def test_constants_are_read_only_attributes(api: ModuleType) -> None:
    h = api.Hasher()
    assert (h.name, h.digest_size, h.block_size) == ("fnv1a64", 8, 1)
    assert api.Hasher.digest_size == 8
    with pytest.raises(AttributeError, match="read-only"):
        h.digest_size = 3


def test_close_and_with(api: ModuleType) -> None:
    with api.Hasher() as h:
        h.update(b"x")
        assert not h.closed
    assert h.closed
    with pytest.raises(
        ValueError, match=r"Hasher\.digest\(\): the Hasher object is closed"
    ):
        h.digest()
    h.close()  # a second close does nothing
    with pytest.raises(ValueError, match="closed"):
        api.same(h, api.Hasher())


def test_wrong_types_name_the_parameter(api: ModuleType) -> None:
    h = api.Hasher()
    with pytest.raises(TypeError, match=r"Hasher\.update\(\) argument 'data'"):
        h.update("text")
    with pytest.raises(
        TypeError, match=r"same\(\) argument 'b' must be a Hasher object"
    ):
        api.same(h, 3)
    with pytest.raises(TypeError):
        api.Hasher(b"positional")  # key is keyword-only


def test_an_unbound_method_checks_its_object(api: ModuleType) -> None:
    """``Class.method(obj)`` with an object of another class (or no object at all) is a
    TypeError naming ``self``, never a call with the wrong handle."""
    counter = api.Counter()
    h = api.Hasher()
    for wrong in (counter, object(), None):
        with pytest.raises(
            TypeError,
            match=r"Hasher\.update\(\) argument 'self' must be a Hasher object, not",
        ):
            api.Hasher.update(wrong, b"x")
        with pytest.raises(TypeError, match=r"argument 'self' must be a Hasher object"):
            api.Hasher.__init__(wrong)
    assert counter.add(2) == 2, "the counter was not touched"
    assert api.Hasher.digest(h) == h.digest()


def test_objects_are_not_copied_or_pickled(api: ModuleType) -> None:
    """copy.copy, copy.deepcopy and pickle would give two objects one handle (freed
    twice): refused on both backends, as the compiled backend's Handle refuses them."""
    h = api.Hasher().update(b"abc")
    before = api.live()
    for attempt in (copy.copy, copy.deepcopy, pickle.dumps):
        with pytest.raises(TypeError, match=r"cannot pickle 'Hasher' object"):
            attempt(h)
    assert api.live() == before
    assert h.copy().digest() == h.digest()  # the class's own copy() still works


def test_every_handle_is_released(api: ModuleType) -> None:
    gc.collect()
    base = api.live()
    for _ in range(2000):
        api.Hasher().update(b"z").copy()
    api.hash_of(b"y")
    gc.collect()
    assert api.live() == base
    h = api.Hasher()
    assert api.live() == base + 1
    h.close()
    assert api.live() == base
    del h
    gc.collect()
    assert api.live() == base


def test_no_reference_cycle_per_object(api: ModuleType) -> None:
    gc.collect()
    gc.disable()
    try:
        for _ in range(200):
            with api.Hasher() as h:
                h.update(b"a").copy()
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_threads_never_make_two_calls_at_once_on_one_object(api: ModuleType) -> None:
    """The library reports two calls at once on one hasher (ConcurrentUseError): eight
    threads feeding one hasher never cause it, and lose nothing."""
    h = api.Hasher()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(500):
                h.update(b"a" * 100)
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert h.length() == 8 * 500 * 100


def test_close_while_other_threads_call(api: ModuleType) -> None:
    """close() waits for the calls inside; later calls raise ValueError; nothing
    crashes and the handle is released exactly once."""
    gc.collect()
    base = api.live()
    h = api.Hasher()
    unexpected: list[BaseException] = []

    def work() -> None:
        while True:
            try:
                h.update(b"b" * 1000)
            except ValueError:
                return
            except BaseException as err:  # noqa: BLE001 - reported below
                unexpected.append(err)
                return

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    time.sleep(0.05)
    h.close()
    for t in threads:
        t.join()
    assert unexpected == []
    assert api.live() == base


def test_hints_resolve(api: ModuleType) -> None:
    hints = typing.get_type_hints(api.Hasher.copy)
    assert hints["return"] is api.Hasher
    assert typing.get_type_hints(api.same)["a"] is api.Hasher
    init = inspect.signature(api.Hasher)
    assert str(init) == "(*, key: 'Buffer | None' = None) -> 'None'"


def test_a_thread_safe_class_runs_calls_at_once_and_close_waits(
    api: ModuleType,
) -> None:
    """Counter is declared thread-safe: its calls overlap (the library records how many
    ran at once), and close() still waits for those inside."""
    gc.collect()
    base = api.live()
    counter = api.Counter()
    totals: list[int] = []

    def work() -> None:
        for _ in range(20):
            totals.append(counter.add(1))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(totals) == list(range(1, 161))
    assert counter.most_at_once() >= 2
    closer_done: list[bool] = []

    def slow_adds() -> None:
        for _ in range(5):
            try:
                counter.add(1)
            except ValueError:
                return

    workers = [threading.Thread(target=slow_adds) for _ in range(4)]
    for t in workers:
        t.start()
    counter.close()
    closer_done.append(True)
    for t in workers:
        t.join()
    assert counter.closed and closer_done == [True]
    assert api.live() == base


def test_calls_without_the_gil_on_one_object_never_overlap(api: ModuleType) -> None:
    """Inputs of 64 KiB are hashed with the GIL released on both backends: eight
    threads feeding one hasher still make one call at a time, while a ninth closes it
    midway; the handle is released once."""
    gc.collect()
    base = api.live()
    h = api.Hasher()
    chunk = b"c" * 65536
    fed: list[int] = []
    unexpected: list[BaseException] = []

    def work() -> None:
        n = 0
        try:
            for _ in range(200):
                h.update(chunk)
                n += 1
        except ValueError as err:
            if "closed" not in str(err):
                unexpected.append(err)
        except BaseException as err:  # noqa: BLE001 - reported below
            unexpected.append(err)
        fed.append(n)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    time.sleep(0.02)
    h.close()
    for t in threads:
        t.join()
    assert unexpected == []
    assert h.closed and api.live() == base
    fresh = api.Hasher()
    length_threads = [
        threading.Thread(target=lambda: [fresh.update(chunk) for _ in range(10)])
        for _ in range(4)
    ]
    for t in length_threads:
        t.start()
    for t in length_threads:
        t.join()
    assert fresh.length() == 4 * 10 * len(chunk)


def test_calls_on_two_objects_in_opposite_orders_do_not_deadlock(
    api: ModuleType,
) -> None:
    """a.absorb(b) and b.absorb(a) at once from several threads (absorb takes no bytes,
    so the compiled backend releases the GIL for it): objects are entered in one order,
    so every call finishes, and none overlaps another on one hasher."""
    a, b = api.Hasher(), api.Hasher()
    unexpected: list[BaseException] = []

    def work(x: object, y: object) -> None:
        try:
            for _ in range(2000):
                x.absorb(y)  # type: ignore[attr-defined]
        except BaseException as err:  # noqa: BLE001 - reported below
            unexpected.append(err)

    threads = [
        threading.Thread(target=work, args=(a, b) if i % 2 else (b, a), daemon=True)
        for i in range(6)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "deadlock"
    assert unexpected == []
    assert a.length() == b.length() == 3 * 2000 * 8
    h = api.Hasher()
    h.absorb(h)  # one object passed twice is entered once
    assert h.length() == 8


def test_an_object_is_entered_once_per_call_and_checked_first(
    api: ModuleType,
) -> None:
    h = api.Hasher()
    assert api.same(h, h)
    other = api.Hasher()
    other.close()
    with pytest.raises(
        ValueError, match=r"Hasher\.absorb\(\): the Hasher object is closed"
    ):
        h.absorb(other)
    h.update(b"still usable")  # the failed call left h entered by nobody
    blank = api.Hasher.__new__(api.Hasher)
    with pytest.raises(ValueError, match="was never initialised"):
        blank.digest()
    assert blank.closed
    blank.close()  # does nothing


def test_construction_by_keyword_subclass_and_replaced_init(api: ModuleType) -> None:
    """Calling the class takes keywords and reports wrong calls as Python does; a
    subclass, and a class whose __init__ was replaced, construct the usual way."""
    assert api.Hasher(key=b"k").digest() == fnv1a(b"key:k")
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'nope'"):
        api.Hasher(nope=1)
    with pytest.raises(
        TypeError,
        match=r"Hasher\.__init__\(\) takes 1 positional argument but 2 were given",
    ):
        api.Hasher(b"k")

    class Keyed(api.Hasher):  # type: ignore[misc, name-defined]
        __slots__ = ()

        def __init__(self) -> None:
            super().__init__(key=b"sub")

    sub = Keyed()
    assert isinstance(sub, api.Hasher) and sub.digest() == fnv1a(b"key:sub")
    assert type(sub.copy()) is api.Hasher  # results are of the manifest's class
    original = api.Hasher.__dict__["__init__"]
    seen: list[object] = []

    def init(self: object, *, key: object = None) -> None:
        seen.append(key)
        original(self, key=key)

    api.Hasher.__init__ = init
    try:
        replaced = api.Hasher(key=b"r")
    finally:
        api.Hasher.__init__ = original
    assert seen == [b"r"] and replaced.digest() == fnv1a(b"key:r")
    assert api.Hasher(key=b"r").digest() == replaced.digest()
