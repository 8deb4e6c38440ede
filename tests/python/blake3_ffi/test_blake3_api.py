"""``from blake3_ffi import blake3`` in place of ``from blake3 import blake3``: the
constructor's signature, the attributes, the methods' results, the inputs accepted and
the exceptions raised, each compared with the oracle."""

from __future__ import annotations

import array
import inspect
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from vix_test_env import backend_of

KEY = b"whats the Elvish word for friend"


def test_the_committed_manifest_is_what_from_rust_writes(blake3_manifest: Path) -> None:
    committed = (
        Path(__file__).resolve().parents[3] / "examples/blake3_ffi/bindings.json"
    )
    assert blake3_manifest.read_text() == committed.read_text()


def test_the_package_runs_on_the_backend_the_suite_asks_for(
    blake3_ffi: ModuleType, blake3_python_dir: Path
) -> None:
    assert blake3_ffi.BACKEND == backend_of(blake3_python_dir / "blake3_ffi")


def test_the_constructor_has_the_signature_the_issue_gives(ours: type) -> None:
    params = list(inspect.signature(ours).parameters.values())
    P = inspect.Parameter
    assert [(p.name, p.kind, p.default) for p in params] == [
        ("data", P.POSITIONAL_ONLY, b""),
        ("key", P.KEYWORD_ONLY, None),
        ("derive_key_context", P.KEYWORD_ONLY, None),
        ("max_threads", P.KEYWORD_ONLY, 1),
        ("usedforsecurity", P.KEYWORD_ONLY, True),
    ]


def test_the_methods_take_what_the_oracle_takes(ours: type, oracle: type) -> None:
    def shape(cls: type, name: str) -> list[tuple[str, Any, Any]]:
        params = inspect.signature(getattr(cls, name)).parameters.values()
        return [(p.name, p.kind, p.default) for p in params][1:]  # without self

    for name in ["digest", "hexdigest", "copy", "reset"]:
        assert shape(ours, name) == shape(oracle, name), name
    # update(data): positional only in the oracle, positional or keyword here.
    assert [p[0] for p in shape(ours, "update")] == ["data"]


def test_the_attributes_are_the_oracle_s(ours: type, oracle: type) -> None:
    for name in ["name", "digest_size", "block_size", "key_size", "AUTO"]:
        assert getattr(ours, name) == getattr(oracle, name), name
        assert getattr(ours(), name) == getattr(oracle(), name), name
        assert type(getattr(ours, name)) is type(getattr(oracle, name)), name


def test_the_results_have_the_oracle_s_types(ours: type, oracle: type) -> None:
    a, b = ours(b"abc"), oracle(b"abc")
    assert a.update(b"d") is a and b.update(b"d") is b
    assert a.digest() == b.digest() and type(a.digest()) is bytes
    assert a.hexdigest() == b.hexdigest() and type(a.hexdigest()) is str
    assert a.reset() is None and b.reset() is None
    assert a.digest() == b.digest()
    assert type(a.copy()) is ours


@pytest.mark.parametrize(
    "make",
    [
        bytes,
        bytearray,
        memoryview,
        lambda b: memoryview(b"xx" + b + b"yy")[2:-2],
        lambda b: array.array("B", b),
        lambda b: memoryview(bytearray(b)).toreadonly(),
    ],
    ids=["bytes", "bytearray", "memoryview", "slice", "array-B", "readonly"],
)
def test_buffer_like_inputs_hash_as_their_bytes(
    ours: type, oracle: type, make: Callable[[bytes], Any]
) -> None:
    data = bytes(range(256)) * 5
    want = oracle(make(data)).digest()
    assert ours(make(data)).digest() == want
    assert ours().update(make(data)).digest() == want
    assert (
        ours(b"", key=make(KEY)).update(data).digest()
        == oracle(b"", key=make(KEY)).update(data).digest()
    )


def test_data_none_is_no_data_as_in_the_oracle(ours: type, oracle: type) -> None:
    assert ours(None).digest() == oracle(None).digest() == oracle().digest()


def test_an_array_of_wider_items_is_hashed_as_its_bytes(
    ours: type, oracle: type
) -> None:
    # A known difference, on the lenient side: the oracle refuses any buffer whose items
    # are not bytes (BufferError), the generated package hashes the buffer's bytes as
    # hashlib does. Code written for the oracle never passes one, so it is unaffected.
    items = array.array("I", range(100))
    assert ours(items).digest() == oracle(items.tobytes()).digest()
    with pytest.raises(BufferError):
        oracle(items)


def raised(call: Callable[[], object]) -> BaseException:
    try:
        call()
    except Exception as exc:  # noqa: BLE001 - any exception is the answer
        return exc
    raise AssertionError("no exception raised")


BAD_CALLS: dict[str, Callable[[type], object]] = {
    "key of 31 bytes": lambda c: c(b"", key=KEY[:31]),
    "key of 33 bytes": lambda c: c(b"", key=KEY + b"!"),
    "empty key": lambda c: c(b"", key=b""),
    "key and derive_key_context": lambda c: c(b"", key=KEY, derive_key_context="c"),
    "max_threads=0": lambda c: c(b"", max_threads=0),
    "max_threads=-2": lambda c: c(b"", max_threads=-2),
    "max_threads=-(2**40)": lambda c: c(b"", max_threads=-(2**40)),
    "max_threads=2**70": lambda c: c(b"", max_threads=2**70),
    "max_threads=1.0": lambda c: c(b"", max_threads=1.0),
    "digest(-1)": lambda c: c().digest(-1),
    "hexdigest(-1)": lambda c: c().hexdigest(-1),
    "digest(seek=-1)": lambda c: c().digest(seek=-1),
    "digest(seek=2**64)": lambda c: c().digest(seek=2**64),
    "digest(2**64)": lambda c: c().digest(2**64),
    "digest(2**63)": lambda c: c().digest(2**63),
    "digest(2**62)": lambda c: c().digest(2**62),
    "hexdigest(2**62)": lambda c: c().hexdigest(2**62),
    "digest(1.0)": lambda c: c().digest(1.0),
    "digest(8, 0)": lambda c: c().digest(8, 0),
    "str data": lambda c: c("abc"),
    "int data": lambda c: c(3),
    "str to update": lambda c: c().update("abc"),
    "None to update": lambda c: c().update(None),
    "str key": lambda c: c(b"", key="k" * 32),
    "data by keyword": lambda c: c(data=b"abc"),
    "unknown keyword": lambda c: c(b"", salt=b"s"),
    "second positional": lambda c: c(b"", KEY),
    "usedforsecurity=0": lambda c: c(b"", usedforsecurity=0),
    "non-contiguous memoryview": lambda c: c(memoryview(b"abcdef")[::2]),
    "non-contiguous update": lambda c: c().update(memoryview(b"abcdef")[::2]),
}


@pytest.mark.parametrize("case", list(BAD_CALLS))
def test_bad_calls_raise_what_the_oracle_raises(
    ours: type, oracle: type, case: str
) -> None:
    """The same exception class, or a subclass of it (the library's errors are
    ValueError, OverflowError and MemoryError subclasses of their own)."""
    want = raised(lambda: BAD_CALLS[case](oracle))
    got = raised(lambda: BAD_CALLS[case](ours))
    assert isinstance(got, type(want)), (
        f"{case}: {got!r} where the oracle raised {want!r}"
    )


def test_the_library_s_errors_are_exported(blake3_ffi: ModuleType, ours: type) -> None:
    with pytest.raises(blake3_ffi.KeyLengthError, match="32 bytes"):
        ours(b"", key=b"short")
    with pytest.raises(blake3_ffi.KeyAndContextError):
        ours(b"", key=KEY, derive_key_context="context")
    with pytest.raises(blake3_ffi.MaxThreadsError):
        ours(b"", max_threads=0)
    assert issubclass(blake3_ffi.KeyLengthError, ValueError)


def test_derive_key_context_takes_any_text(ours: type, oracle: type) -> None:
    for context in [
        "",
        "ctx",
        "BLAKE3 2019-12-27 16:29:52 test vectors context",
        "é€😀",
    ]:
        assert ours(b"m", derive_key_context=context).digest(40) == oracle(
            b"m", derive_key_context=context
        ).digest(40)
    # Not UTF-8-encodable: the same UnicodeEncodeError.
    want = raised(lambda: oracle(b"", derive_key_context="\ud800"))
    assert isinstance(
        raised(lambda: ours(b"", derive_key_context="\ud800")), type(want)
    )


def test_bool_and_auto_for_max_threads(ours: type, oracle: type) -> None:
    data = bytes(i % 251 for i in range(300_000))
    for threads in [True, ours.AUTO, 2, 7, 1024]:
        assert ours(data, max_threads=threads).digest() == oracle(data).digest()


def test_usedforsecurity_changes_nothing(ours: type, oracle: type) -> None:
    assert ours(b"x", usedforsecurity=False).digest() == oracle(b"x").digest()


def test_close_then_every_call_raises_closed(ours: type) -> None:
    h = ours(b"abc")
    copy = h.copy()
    h.close()
    for call in [
        lambda: h.update(b"x"),
        h.digest,
        h.hexdigest,
        h.copy,
        h.reset,
    ]:
        with pytest.raises(ValueError, match="closed"):
            call()
    h.close()  # twice is harmless
    assert copy.hexdigest() == ours(b"abc").hexdigest()
    with ours(b"abc") as w:
        assert w.digest() == copy.digest()
    with pytest.raises(ValueError, match="closed"):
        w.digest()
