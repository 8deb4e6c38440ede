"""The api layer against a scripted native side.

The real library never reports VIX_STATUS_ERROR or NOT_SUPPORTED, never puts a NUL in a
message and always tells the truth about sizes. To test how `api.py` handles those, the
raw binding is replaced by a C-callable function with the same prototype that answers
as scripted. These tests skip when `api.py` does not call the raw binding through a
reference the test can redirect (see the `patch_raw` fixture).
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from ctypes import POINTER, c_int, c_size_t, c_void_p
from types import ModuleType
from typing import Any

import pytest

PatchRaw = Callable[[str, Any], None]  # the `patch_raw` fixture of conftest.py


class Script:
    """A fake operation: each call runs ``answer(call_index, out_cap)`` which returns
    (return code, status code, message bytes, out_len, bytes to write or None)."""

    def __init__(
        self,
        native: ModuleType,
        answer: Callable[[int, int], tuple[int, int, bytes, int, bytes | None]],
        message_len: Callable[[bytes], int] = len,
    ) -> None:
        self.calls: list[int] = []
        self._keep: list[Any] = []
        proto = ctypes.CFUNCTYPE(
            c_int,
            c_void_p,
            c_size_t,
            c_void_p,
            c_size_t,
            POINTER(c_size_t),
            POINTER(native.VixStatus),
        )

        def fake(
            in_ptr: int | None,
            in_len: int,
            out_ptr: int | None,
            out_cap: int,
            out_len: Any,
            status: Any,
        ) -> int:
            index = len(self.calls)
            self.calls.append(out_cap)
            rc, code, message, size, payload = answer(index, out_cap)
            if payload is not None:
                assert out_ptr and len(payload) <= out_cap
                ctypes.memmove(out_ptr, payload, len(payload))
            if out_len:
                out_len[0] = size
            if status:
                buf = ctypes.create_string_buffer(message, len(message) + 8)
                self._keep.append(buf)  # alive until the test ends
                status[0].code = code
                status[0].message.ptr = ctypes.addressof(buf) if message else None
                status[0].message.len = message_len(message)
            return rc

        self.function = proto(fake)


def _install(patch_raw: PatchRaw, name: str, script: Script) -> None:
    patch_raw(name, script.function)


def _require_called(script: Script) -> None:
    if not script.calls:
        pytest.skip(
            "api.py does not call the raw binding through a patchable reference"
        )


def _fail_with(
    code: int, message: bytes = b"scripted failure"
) -> Callable[[int, int], Any]:
    return lambda i, cap: (code, code, message, 0, None)


@pytest.mark.parametrize(
    "code, cls_name",
    [
        (1, "VixError"),
        (2, "InvalidArgumentError"),
        (4, "NotSupportedError"),
        (5, "VixError"),
        (99, "VixError"),
        (-7, "VixError"),
    ],
)
@pytest.mark.parametrize("func", ["encode", "decode"])
def test_status_code_maps_to_exception(
    patch_raw: PatchRaw,
    api: ModuleType,
    native: ModuleType,
    pkg: ModuleType,
    code: int,
    cls_name: str,
    func: str,
) -> None:
    script = Script(native, _fail_with(code, b"scripted failure"))
    _install(patch_raw, func, script)
    with pytest.raises(pkg.VixError) as info:
        getattr(api, func)(b"QUJD")
    _require_called(script)
    err: Any = info.value
    assert type(err) is getattr(pkg, cls_name), type(err)
    assert err.code == code
    assert err.message == "scripted failure"
    assert "scripted failure" in str(err)
    if code == 4:
        assert isinstance(err, NotImplementedError)


def test_message_is_read_by_length(
    patch_raw: PatchRaw, api: ModuleType, native: ModuleType, pkg: ModuleType
) -> None:
    """An embedded NUL is kept, and nothing past ``len`` is read."""
    text = b"bad\x00byte at offset 7"
    script = Script(
        native,
        _fail_with(2, text + b"-NOT-PART-OF-IT"),
        message_len=lambda m: len(text),
    )
    _install(patch_raw, "decode", script)
    with pytest.raises(pkg.InvalidArgumentError) as info:
        api.decode("QUJD")
    _require_called(script)
    assert info.value.message == "bad\x00byte at offset 7"


def test_null_message_is_tolerated(
    patch_raw: PatchRaw, api: ModuleType, native: ModuleType, pkg: ModuleType
) -> None:
    script = Script(native, _fail_with(2, b""))
    _install(patch_raw, "decode", script)
    with pytest.raises(pkg.InvalidArgumentError) as info:
        api.decode("QUJD")
    _require_called(script)
    assert isinstance(info.value.message, str)
    assert info.value.code == 2


def test_non_zero_return_with_ok_status_is_an_error(
    patch_raw: PatchRaw, api: ModuleType, native: ModuleType, pkg: ModuleType
) -> None:
    script = Script(native, lambda i, cap: (1, 0, b"", 0, None))
    _install(patch_raw, "encode", script)
    with pytest.raises(pkg.VixError):
        api.encode(b"abc")
    _require_called(script)


def test_zero_return_with_error_status_is_an_error(
    patch_raw: PatchRaw, api: ModuleType, native: ModuleType, pkg: ModuleType
) -> None:
    script = Script(native, lambda i, cap: (0, 2, b"status says no", 0, None))
    _install(patch_raw, "encode", script)
    with pytest.raises(pkg.InvalidArgumentError) as info:
        api.encode(b"abc")
    _require_called(script)
    assert info.value.message == "status says no"


def test_output_length_comes_from_out_len(
    patch_raw: PatchRaw, api: ModuleType, native: ModuleType
) -> None:
    """Only the first ``*out_len`` bytes are returned, whatever the capacity."""

    def answer(i: int, cap: int) -> tuple[int, int, bytes, int, bytes | None]:
        if cap < 3:
            return 3, 3, b"too small", 3, None
        return 0, 0, b"", 3, b"xyz"

    script = Script(native, answer)
    _install(patch_raw, "decode", script)
    assert api.decode("QUJDREVGR0hJSktM") == b"xyz"
    _require_called(script)


def test_str_output_is_utf8(
    patch_raw: PatchRaw, api: ModuleType, native: ModuleType
) -> None:
    payload = "h\u00e9\u20ac".encode()

    def answer(i: int, cap: int) -> tuple[int, int, bytes, int, bytes | None]:
        if cap < len(payload):
            return 3, 3, b"too small", len(payload), None
        return 0, 0, b"", len(payload), payload

    script = Script(native, answer)
    _install(patch_raw, "encode", script)
    assert api.encode(b"x") == "h\u00e9\u20ac"
    _require_called(script)


def test_buffer_too_small_is_retried_with_the_reported_size(
    patch_raw: PatchRaw, api: ModuleType, native: ModuleType
) -> None:
    """However the first capacity is chosen, a larger need is honoured (the original
    gave up above its fixed 8192-byte buffer)."""
    need = 1_000_003
    payload = b"a" * need

    def answer(i: int, cap: int) -> tuple[int, int, bytes, int, bytes | None]:
        if cap < need:
            return 3, 3, b"too small", need, None
        return 0, 0, b"", need, payload

    script = Script(native, answer)
    _install(patch_raw, "decode", script)
    assert api.decode("QUJD") == payload
    _require_called(script)
    assert len(script.calls) <= 2, script.calls  # at most one retry
    assert script.calls[-1] >= need


def test_contradicting_library_raises_buffer_too_small(
    patch_raw: PatchRaw, api: ModuleType, native: ModuleType, pkg: ModuleType
) -> None:
    """A library that asks for more every time must not make the binding loop forever."""

    def answer(i: int, cap: int) -> tuple[int, int, bytes, int, bytes | None]:
        if i >= 50:
            return 1, 1, b"the test stopped an endless retry loop", 0, None
        return 3, 3, b"too small again", cap + 16, None

    script = Script(native, answer)
    _install(patch_raw, "encode", script)
    with pytest.raises(pkg.VixError) as info:
        api.encode(b"abc")
    _require_called(script)
    assert type(info.value) is pkg.BufferTooSmallError, info.value
    assert info.value.code == 3
    assert len(script.calls) <= 5, f"{len(script.calls)} calls"


def test_too_small_with_a_smaller_need_raises_buffer_too_small(
    patch_raw: PatchRaw, api: ModuleType, native: ModuleType, pkg: ModuleType
) -> None:
    """BUFFER_TOO_SMALL while asking for no more than was given: a contradiction."""

    def answer(i: int, cap: int) -> tuple[int, int, bytes, int, bytes | None]:
        if i >= 50:
            return 1, 1, b"the test stopped an endless retry loop", 0, None
        return 3, 3, b"too small?", cap, None

    script = Script(native, answer)
    _install(patch_raw, "decode", script)
    with pytest.raises(pkg.BufferTooSmallError):
        api.decode("QUJD")
    _require_called(script)
    assert len(script.calls) <= 5


def test_version_is_read_by_length(
    patch_raw: PatchRaw, api: ModuleType, native: ModuleType
) -> None:
    backing = ctypes.create_string_buffer(b"9.8.7-rc.1+XYZ garbage")
    called: list[int] = []

    def fake_version(*args: Any) -> Any:
        called.append(1)
        return native.VixStr(ctypes.addressof(backing), len("9.8.7-rc.1"))

    patch_raw("version", fake_version)
    got = api.version()
    if not called:
        pytest.skip(
            "api.py does not call the raw binding through a patchable reference"
        )
    assert got == "9.8.7-rc.1"
