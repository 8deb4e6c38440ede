"""Acceptance of ABI v1.1 typed signatures: a C library written against the headers
alone (``tests/fixtures/c_typed``), with a hand-written manifest, through
``vix-ffi gen-python``: several inputs, every scalar type, each kind of output, defaults
and keyword-only parameters, conversions that never truncate, and the library's own
status codes as exception classes."""

from __future__ import annotations

import gc
import importlib
import inspect
import math
import threading
import typing
import zlib
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

INT_TYPES = {
    "int32": (-(2**31), 2**31 - 1),
    "uint32": (0, 2**32 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "uint64": (0, 2**64 - 1),
    "size_t": (0, 2**64 - 1),
}


@pytest.fixture(scope="module")
def api(typedlib: ModuleType) -> ModuleType:
    return importlib.import_module("typedlib.api")


def test_every_function_has_resolvable_hints_and_a_docstring(api: ModuleType) -> None:
    functions = [
        getattr(api, name)
        for name in api.__all__
        # Python functions, or the compiled backend's twins of them.
        if callable(getattr(api, name)) and not isinstance(getattr(api, name), type)
    ]
    assert len(functions) == 14
    for function in functions:
        hints = typing.get_type_hints(function)
        assert "return" in hints, function.__name__
        assert function.__doc__, function.__name__


def test_signatures_as_python_sees_them(api: ModuleType) -> None:
    assert (
        str(inspect.signature(api.crc32))
        == "(data: 'Buffer', *, seed: 'int' = 0) -> 'int'"
    )
    assert str(inspect.signature(api.sub_i64)) == "(a: 'int', b: 'int' = 0) -> 'int'"
    assert str(inspect.signature(api.describe)) == (
        "(name: 'str | Buffer' = 'anon', /, level: 'int' = 3, *, scale: 'float' = 1.0, "
        "loud: 'bool' = False) -> 'str'"
    )
    assert typing.get_type_hints(api.reset) == {"return": type(None)}
    assert typing.get_type_hints(api.is_prime) == {"n": int, "return": bool}
    assert typing.get_type_hints(api.clamp)["return"] is float


def test_crc32_against_zlib_with_defaults_and_keywords(api: ModuleType) -> None:
    assert api.crc32(b"") == 0
    assert api.crc32(b"hello") == zlib.crc32(b"hello")
    assert api.crc32(b"lo", seed=api.crc32(b"hel")) == zlib.crc32(b"hello")
    assert api.crc32(data=bytearray(b"abc")) == zlib.crc32(b"abc")
    assert api.crc32(memoryview(b"xabcx")[1:4]) == zlib.crc32(b"abc")
    with pytest.raises(TypeError, match="positional"):
        api.crc32(b"x", 1)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=300), seed=st.integers(0, 2**32 - 1))
def test_crc32_matches_zlib(api: ModuleType, data: bytes, seed: int) -> None:
    assert api.crc32(data, seed=seed) == zlib.crc32(data, seed)


@settings(max_examples=200, deadline=None)
@given(a=st.binary(max_size=5000), b=st.binary(max_size=20000))
def test_concat_of_two_inputs(api: ModuleType, a: bytes, b: bytes) -> None:
    assert api.concat(a, b) == a + b
    assert api.concat(bytearray(a), memoryview(b)) == a + b


def test_a_large_bytes_output_takes_the_size_the_library_asks_for(
    api: ModuleType,
) -> None:
    a, b = b"a" * (1 << 20), b"b" * (1 << 20) + b"!"
    assert api.concat(a, b) == a + b


def test_text_in_and_out(api: ModuleType) -> None:
    assert api.repeat("ab", 3) == "ababab"
    assert api.repeat("h\u00e9", 2, sep=" \u2014 ") == "h\u00e9 \u2014 h\u00e9"
    assert api.repeat("x", 0) == ""
    # A str parameter takes UTF-8 bytes too, as the v1.0 text kinds do.
    assert api.repeat(b"ok", 2, sep=b"/") == "ok/ok"
    assert api.hexlify(b"\x00\x7f\xff") == "007fff"
    big = bytes(range(256)) * 4096
    assert api.hexlify(big) == big.hex()


def test_scalar_results_of_every_type(api: ModuleType) -> None:
    assert api.clamp(5, 0, 2.5) == 2.5
    assert api.clamp(-1.5, -1.0, 1.0) == -1.0
    assert api.clamp(math.inf, 0, 1) == 1.0
    assert api.is_prime(97) is True
    assert api.is_prime(91) is False
    assert api.is_prime(2**61 - 1) is True
    assert api.add_i32(2**31 - 2, 1) == 2**31 - 1
    assert api.sub_i64(5) == 5
    assert api.sub_i64(-(2**63), 1) == 2**63 - 1
    assert api.max_size(1, 7, 3) == 7
    assert api.max_size(1, 7, 3, plus_one=True) == 8
    assert api.max_size(0, 0, 2**64 - 1, plus_one=True) == 0
    assert api.low_half(2**40 + 7) == 7
    assert api.describe() == "anon level=3 scale=1.000 loud=no"
    assert (
        api.describe("x", 5, scale=2.5, loud=True) == "x level=5 scale=2.500 loud=yes"
    )
    assert api.describe("y", level=-1) == "y level=-1 scale=1.000 loud=no"


def test_no_output_returns_none(api: ModuleType) -> None:
    assert api.reset() is None
    assert api.calls() == 0
    api.crc32(b"x")
    api.is_prime(7)
    assert api.calls() == 2
    api.reset()
    assert api.calls() == 0


@pytest.mark.parametrize("type_name", sorted(INT_TYPES))
def test_every_int_type_takes_its_limits_and_refuses_one_past(
    api: ModuleType, type_name: str
) -> None:
    low, high = INT_TYPES[type_name]
    call = {
        "int32": lambda v: api.add_i32(v, 0),
        "uint32": lambda v: api.crc32(b"", seed=v),
        "int64": lambda v: api.sub_i64(v, 0),
        "uint64": lambda v: api.low_half(v),
        "size_t": lambda v: api.max_size(v, 0, 0),
    }[type_name]
    for value in (low, high):
        call(value)
    for value in (low - 1, high + 1):
        with pytest.raises(OverflowError, match=f"must be from {low} to {high}"):
            call(value)


def test_overflow_names_the_function_and_the_parameter(api: ModuleType) -> None:
    with pytest.raises(OverflowError) as info:
        api.is_prime(-1)
    assert str(info.value) == (
        "is_prime() argument 'n' must be from 0 to 18446744073709551615, not -1"
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda api: api.crc32("text"),
            "crc32() argument 'data' must be a C-contiguous",
        ),
        (
            lambda api: api.crc32(b"", seed=1.0),
            "crc32() argument 'seed' must be int, not 'float'",
        ),
        (
            lambda api: api.clamp("1", 0, 2),
            "clamp() argument 'x' must be float, not 'str'",
        ),
        (
            lambda api: api.max_size(1, 2, 3, plus_one=1),
            "argument 'plus_one' must be bool, not 'int'",
        ),
        (
            lambda api: api.repeat(3, 1),
            "repeat() argument 'text' must be str or a C-contiguous",
        ),
        (lambda api: api.describe(name="x"), "positional-only"),
    ],
)
def test_wrong_types_raise_type_error_naming_the_parameter(
    api: ModuleType, call: typing.Callable[[ModuleType], object], message: str
) -> None:
    with pytest.raises(
        TypeError, match=message.replace("(", r"\(").replace(")", r"\)")
    ):
        call(api)


def test_index_and_float_protocols_are_honoured(api: ModuleType) -> None:
    class Index:
        def __index__(self) -> int:
            return 11

    class Real:
        def __float__(self) -> float:
            return 0.25

    assert api.is_prime(Index()) is True
    assert api.clamp(Real(), 0, 1) == 0.25
    assert api.clamp(True, 0, 2) == 1.0


def test_non_contiguous_buffers_are_refused(api: ModuleType) -> None:
    with pytest.raises(BufferError, match="'data'"):
        api.crc32(memoryview(b"abcdef")[::2])


def test_library_codes_raise_the_manifest_classes(api: ModuleType) -> None:
    with pytest.raises(api.RangeError) as info:
        api.clamp(1, 3, 2)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, api.VixError)
    assert info.value.code == 1000
    assert info.value.message == "lo is greater than hi (got 1)"
    assert api.RangeError.__doc__ == "lo is greater than hi."
    with pytest.raises(api.TooLongError) as too_long:
        api.repeat("x" * 2000, 1000)
    assert not isinstance(too_long.value, ValueError)
    assert too_long.value.code == 1001


def test_an_unnamed_library_code_keeps_its_number(api: ModuleType) -> None:
    with pytest.raises(api.VixError) as info:
        api.add_i32(2**31 - 1, 1)
    assert type(info.value) is api.VixError
    assert info.value.code == 1234
    assert "status code 1234" in str(info.value)


def test_abi_errors_keep_their_classes(api: ModuleType) -> None:
    with pytest.raises(api.InvalidArgumentError, match="NaN"):
        api.clamp(math.nan, 0, 1)


def test_the_package_exports_the_library_errors(typedlib: ModuleType) -> None:
    assert typedlib.RangeError is importlib.import_module("typedlib.api").RangeError
    assert "TooLongError" in typedlib.__all__


def test_threads_get_the_single_threaded_results(api: ModuleType) -> None:
    inputs = [bytes([i]) * (i * 37) for i in range(64)]
    expected = [(zlib.crc32(d), api.concat(d, d[::-1])) for d in inputs]
    failures: list[str] = []

    def work() -> None:
        for _ in range(20):
            for d, (crc, joined) in zip(inputs, expected):
                if api.crc32(d) != crc or api.concat(d, d[::-1]) != joined:
                    failures.append("mismatch")
                    return

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_calls_leave_no_garbage(api: ModuleType) -> None:
    gc.collect()
    gc.disable()
    try:
        for _ in range(50):
            api.crc32(bytearray(b"abc"), seed=1)
            api.concat(memoryview(b"a"), b"b")
            api.describe("x", loud=True)
            with pytest.raises(api.RangeError):
                api.clamp(0, 1, 0)
        assert gc.collect() == 0
    finally:
        gc.enable()
