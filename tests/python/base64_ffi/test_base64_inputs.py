"""Bytes-like inputs, wrong types, and the no-copy promise."""

from __future__ import annotations

import array
import base64
import ctypes
import inspect
import mmap
import tracemalloc
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

DATA = bytes(range(256)) * 3 + b"tail"  # 772 bytes: the last quantum is partial
ENCODED = base64.b64encode(DATA).decode("ascii")


def _mmap_of(data: bytes) -> mmap.mmap:
    m = mmap.mmap(-1, len(data))
    m.write(data)
    m.seek(0)
    return m


def _writable_slice(data: bytes) -> memoryview:
    return memoryview(bytearray(b"<<" + data + b">>"))[2:-2]


BYTES_LIKE: dict[str, Callable[[bytes], Any]] = {
    "bytes": bytes,
    "bytearray": bytearray,
    "memoryview-bytes": memoryview,
    "memoryview-bytearray": lambda d: memoryview(bytearray(d)),
    "readonly-slice": lambda d: memoryview(b"x" + d)[1:],
    "readonly-middle-slice": lambda d: memoryview(b"xyz" + d + b"!")[3:-1],
    "writable-slice": _writable_slice,
    "readonly-memoryview-of-bytearray": lambda d: memoryview(bytearray(d)).toreadonly(),
    "array-B": lambda d: array.array("B", d),
    "array-b": lambda d: array.array("b", d),
    "mmap": _mmap_of,
    "memoryview-of-mmap": lambda d: memoryview(_mmap_of(d)),
    "ctypes-array": lambda d: (ctypes.c_ubyte * len(d)).from_buffer_copy(d),
}


@pytest.mark.parametrize("kind", list(BYTES_LIKE))
def test_encode_accepts_every_contiguous_bytes_like(api: ModuleType, kind: str) -> None:
    obj = BYTES_LIKE[kind](DATA)
    assert api.encode(obj) == ENCODED
    assert bytes(obj) == DATA  # the input is left untouched


@pytest.mark.parametrize("kind", list(BYTES_LIKE))
def test_decode_accepts_every_contiguous_bytes_like(api: ModuleType, kind: str) -> None:
    obj = BYTES_LIKE[kind](ENCODED.encode("ascii"))
    assert api.decode(obj) == DATA
    assert bytes(obj) == ENCODED.encode("ascii")


@pytest.mark.parametrize(
    "kind", ["bytes", "readonly-slice", "writable-slice", "array-B"]
)
def test_decode_errors_are_the_same_for_bytes_like(
    api: ModuleType, pkg: ModuleType, kind: str
) -> None:
    messages = []
    for obj in ("QUJD!EVG", BYTES_LIKE[kind](b"QUJD!EVG")):
        with pytest.raises(pkg.InvalidArgumentError) as info:
            api.decode(obj)
        messages.append(info.value.message)
    assert messages[0] == messages[1]


def test_multi_byte_items_are_encoded_by_their_bytes(api: ModuleType) -> None:
    """len() of these objects counts items, not bytes: the binding must use nbytes."""
    words = array.array("I", [1, 2, 3, 0xDEADBEEF, 7])
    assert api.encode(words) == base64.b64encode(words.tobytes()).decode()
    halves = array.array("H", range(1000))
    assert api.encode(halves) == base64.b64encode(halves.tobytes()).decode()
    as_ints = memoryview(bytearray(DATA[:768])).cast("I")
    assert len(as_ints) != as_ints.nbytes
    assert api.encode(as_ints) == base64.b64encode(DATA[:768]).decode()


def test_multi_dimensional_c_contiguous_memoryview(api: ModuleType) -> None:
    grid = memoryview(bytearray(DATA[:768])).cast("B", (24, 32))
    assert grid.c_contiguous and len(grid) == 24
    assert api.encode(grid) == base64.b64encode(DATA[:768]).decode()


def test_slice_offsets_are_respected(api: ModuleType) -> None:
    whole = bytes(range(200))
    view = memoryview(whole)
    for start, stop in [(1, 200), (7, 13), (199, 200), (50, 50), (3, 198)]:
        assert (
            api.encode(view[start:stop]) == base64.b64encode(whole[start:stop]).decode()
        )


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: memoryview(b"abcdef")[::2], id="step-2"),
        pytest.param(lambda: memoryview(bytearray(b"abcdefgh"))[::-1], id="reversed"),
        pytest.param(lambda: memoryview(bytearray(range(16)))[1::3], id="step-3"),
    ],
)
@pytest.mark.parametrize("func", ["encode", "decode"])
def test_non_contiguous_buffers_are_refused_clearly(
    api: ModuleType, make: Callable[[], memoryview], func: str
) -> None:
    view = make()
    assert not view.c_contiguous
    with pytest.raises((TypeError, BufferError, ValueError)) as info:
        getattr(api, func)(view)
    assert "contiguous" in str(info.value).lower(), str(info.value)


@pytest.mark.parametrize(
    "value",
    [1, None, [1, 2, 3], "abc", 1.5, object(), {"a": 1}, (1, 2)],
    ids=lambda v: type(v).__name__,
)
def test_encode_wrong_types_raise_type_error_naming_the_parameter(
    api: ModuleType, value: object
) -> None:
    with pytest.raises(TypeError) as info:
        api.encode(value)
    message = str(info.value)
    assert "data" in message, message
    assert "encode" in message, message


@pytest.mark.parametrize(
    "value",
    [1, None, [65, 65, 65, 65], 1.5, object(), ("QUJD",)],
    ids=lambda v: type(v).__name__,
)
def test_decode_wrong_types_raise_type_error_naming_the_parameter(
    api: ModuleType, value: object
) -> None:
    with pytest.raises(TypeError) as info:
        api.decode(value)
    message = str(info.value)
    assert "text" in message, message
    assert "decode" in message, message


def test_zero_is_not_taken_for_a_size(api: ModuleType) -> None:
    """`bytes(3)` is three zero bytes: an int must not slip through such a conversion."""
    with pytest.raises(TypeError):
        api.encode(3)
    with pytest.raises(TypeError):
        api.decode(0)


def test_parameter_names(api: ModuleType) -> None:
    assert list(inspect.signature(api.encode).parameters) == ["data"]
    assert list(inspect.signature(api.decode).parameters) == ["text"]
    assert list(inspect.signature(api.version).parameters) == []
    assert api.encode(data=b"hi") == "aGk="
    assert api.decode(text="aGk=") == b"hi"


def test_decode_non_ascii_str_is_invalid_argument(
    api: ModuleType, pkg: ModuleType
) -> None:
    for text in ("QUJ\u00e9", "\u20acAAA", "QUJD\U0001f600AAAA"[:8], "\u00e9\u00e9"):
        with pytest.raises(pkg.InvalidArgumentError) as info:
            api.decode(text)
        assert info.value.code == 2


def test_decode_unencodable_str_is_a_value_error(api: ModuleType) -> None:
    """A lone surrogate cannot be UTF-8 encoded: a ValueError of some kind, not a crash."""
    with pytest.raises(ValueError):
        api.decode("QUJ\udcff")


# --- no copy of the input ---------------------------------------------------------------


def _address(arg: Any) -> Any:
    """The address a ctypes argument stands for, or None when it cannot be told."""
    if arg is None:
        return 0
    if isinstance(arg, int):
        return arg
    if isinstance(arg, bytes):
        return ctypes.cast(ctypes.c_char_p(arg), ctypes.c_void_p).value
    if isinstance(arg, (ctypes.c_void_p, ctypes.c_char_p, ctypes._Pointer)):
        return ctypes.cast(arg, ctypes.c_void_p).value
    if isinstance(arg, (ctypes.Array, ctypes.Structure, ctypes._SimpleCData)):
        return ctypes.addressof(arg)
    return None


def _buffer_address(obj: Any) -> int:
    """The address of the first byte of ``obj`` (bytes, or a writable buffer)."""
    if isinstance(obj, bytes) or (
        isinstance(obj, memoryview) and isinstance(obj.obj, bytes)
    ):
        base = obj if isinstance(obj, bytes) else obj.obj
        assert isinstance(base, bytes)
        assert len(memoryview(obj)) == len(base), (
            "only whole views of bytes are handled"
        )
        start = ctypes.cast(ctypes.c_char_p(base), ctypes.c_void_p).value
        assert start is not None
        return start
    return ctypes.addressof(ctypes.c_char.from_buffer(memoryview(obj)))


PatchRaw = Callable[[str, Any], None]  # the `patch_raw` fixture of conftest.py


def _spy(patch_raw: PatchRaw, native: ModuleType, name: str) -> list[tuple[Any, ...]]:
    """Records the arguments of each call of the raw binding ``name``."""
    real = getattr(native, name)
    calls: list[tuple[Any, ...]] = []

    def spy(*args: Any) -> Any:
        calls.append(args)
        return real(*args)

    patch_raw(name, spy)
    return calls


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda d: bytearray(d), id="bytearray"),
        pytest.param(lambda d: d, id="bytes"),
        pytest.param(lambda d: memoryview(d), id="memoryview-bytes"),
        pytest.param(lambda d: memoryview(bytearray(d))[5:], id="writable-slice"),
    ],
)
def test_native_call_receives_the_callers_buffer(
    patch_raw: PatchRaw,
    api: ModuleType,
    native: ModuleType,
    make: Callable[[bytes], Any],
) -> None:
    data = make(bytes(range(256)) * 64)
    calls = _spy(patch_raw, native, "encode")
    assert api.encode(data) == base64.b64encode(bytes(data)).decode()
    if not calls:
        pytest.skip(
            "api.py calls the raw binding through a reference this test cannot reach"
        )
    in_ptrs = {_address(args[0]) for args in calls}
    if None in in_ptrs:
        pytest.skip(
            f"cannot tell the address of a {type(calls[0][0]).__name__} argument"
        )
    assert in_ptrs == {_buffer_address(data)}, (
        "the input was copied before the native call"
    )


def test_readonly_slice_is_not_copied(
    patch_raw: PatchRaw, api: ModuleType, native: ModuleType
) -> None:
    base = b"x" + bytes(range(256)) * 64
    view = memoryview(base)[1:]
    calls = _spy(patch_raw, native, "encode")
    assert api.encode(view) == base64.b64encode(base[1:]).decode()
    if not calls:
        pytest.skip(
            "api.py calls the raw binding through a reference this test cannot reach"
        )
    start = ctypes.cast(ctypes.c_char_p(base), ctypes.c_void_p).value
    assert start is not None
    assert {_address(args[0]) for args in calls} == {start + 1}


def _peak_while_encoding(api: ModuleType, obj: Any) -> int:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        out = api.encode(obj)
        peak = tracemalloc.get_traced_memory()[1]
        del out
        return peak - before
    finally:
        tracemalloc.stop()


def test_big_bytearray_is_not_copied(api: ModuleType) -> None:
    """A copy of a 64 MiB input would add 64 MiB to the peak. bytes can be passed without
    a copy by any binding; a bytearray or memoryview must cost no more than that. (Output
    allocations are the same in the three calls, so they cancel out.)"""
    size = 64 << 20
    as_bytes = bytes(size)
    peak_bytes = _peak_while_encoding(api, as_bytes)
    del as_bytes
    as_bytearray = bytearray(size)
    peak_bytearray = _peak_while_encoding(api, as_bytearray)
    peak_view = _peak_while_encoding(api, memoryview(as_bytearray)[1:])
    del as_bytearray
    slack = 16 << 20
    assert peak_bytearray < peak_bytes + slack, (peak_bytes, peak_bytearray)
    assert peak_view < peak_bytes + slack, (peak_bytes, peak_view)
