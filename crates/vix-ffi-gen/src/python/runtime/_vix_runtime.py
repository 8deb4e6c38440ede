"""The run-time support of the typed functions in api: argument conversions, calls and
outputs of ABI v1.1 signatures. The same file in every generated package; private to it.

Every conversion says which function and which parameter a bad value was given to, and
never lets ctypes truncate an int: a value outside the C type's range raises
OverflowError before the call.
"""

from __future__ import annotations

import ctypes
import operator
import sys

from . import _native

# True for type checkers only: importing typing at run time would add to the import
# time of the package.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable

    from typing_extensions import Buffer
elif sys.version_info >= (3, 12):
    from collections.abc import Buffer
else:
    try:
        from typing_extensions import Buffer
    except ImportError:
        import abc

        class Buffer(abc.ABC):  # noqa: B024
            """Objects that support the buffer protocol (collections.abc.Buffer of
            Python 3.12), so that typing.get_type_hints() resolves the annotations of
            api on every Python version."""

        for _vix_type in (bytes, bytearray, memoryview):
            Buffer.register(_vix_type)

# Parameter kinds (the first element of each parameter spec).
BYTES = 0
STR = 1
INT = 2
FLOAT = 3
BOOL = 4

# Output kinds.
OUT_NONE = 0
OUT_BYTES = 1
OUT_STR = 2
OUT_INT = 3
OUT_FLOAT = 4
OUT_BOOL = 5

# At most this many calls of a function with a bytes or str output: the first, and the
# retries a VIX_STATUS_BUFFER_TOO_SMALL answer asks for.
MAX_CALLS = 4
# The capacity of the first call where the manifest declares no output size.
FIRST_CAPACITY = 4096

SIZE_MAX = (1 << (8 * ctypes.sizeof(ctypes.c_size_t))) - 1


class PyBuffer(ctypes.Structure):
    """``Py_buffer`` of the CPython C API (stable since Python 3.3)."""

    _fields_ = [
        ("buf", ctypes.c_void_p),
        ("obj", ctypes.c_void_p),
        ("len", ctypes.c_ssize_t),
        ("itemsize", ctypes.c_ssize_t),
        ("readonly", ctypes.c_int),
        ("ndim", ctypes.c_int),
        ("format", ctypes.c_char_p),
        ("shape", ctypes.c_void_p),
        ("strides", ctypes.c_void_p),
        ("suboffsets", ctypes.c_void_p),
        ("internal", ctypes.c_void_p),
    ]
    buf: int | None
    len: int


def _c_api(name: str, restype: Any, *argtypes: Any) -> Any:
    """A new function object for ``name`` of the C API: it holds the GIL while it runs,
    and raises the Python exception that the C function sets."""
    return ctypes.PYFUNCTYPE(restype, *argtypes)((name, ctypes.pythonapi))


_get_buffer = _c_api(
    "PyObject_GetBuffer",
    ctypes.c_int,
    ctypes.py_object,
    ctypes.POINTER(PyBuffer),
    ctypes.c_int,
)
_release_buffer = _c_api("PyBuffer_Release", None, ctypes.POINTER(PyBuffer))
_malloc = _c_api("PyMem_Malloc", ctypes.c_void_p, ctypes.c_size_t)
_free = _c_api("PyMem_Free", None, ctypes.c_void_p)


class Spec:
    """What api needs to call one native function of a typed signature."""

    __slots__ = ("blocks", "function", "name", "out_type", "output", "params", "symbol")

    def __init__(
        self,
        function: Callable[..., int],
        symbol: str,
        name: str,
        params: tuple[tuple[int, str, int, int], ...],
        output: int,
        out_type: Any,
        blocks: tuple[int, int] | None,
    ) -> None:
        #: The raw binding, with its argtypes.
        self.function = function
        self.symbol = symbol
        #: The Python function's name, for messages.
        self.name = name
        #: Per parameter: (kind, name, lowest, highest); the bounds for INT only.
        self.params = params
        self.output = output
        #: The ctypes type of a scalar output, else None.
        self.out_type = out_type
        #: The manifest's output_blocks (in, out), or None.
        self.blocks = blocks


def int_range(c_type: Any) -> tuple[int, int]:
    """The inclusive range of a ctypes integer type."""
    bits = 8 * ctypes.sizeof(c_type)
    if c_type(-1).value == -1:
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


def _type_error(spec: Spec, name: str, expected: str, value: object) -> TypeError:
    return TypeError(
        f"{spec.name}() argument {name!r} must be {expected}, not "
        f"{type(value).__name__!r}"
    )


def _as_int(spec: Spec, name: str, value: object, low: int, high: int) -> int:
    try:
        number = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise _type_error(spec, name, "int", value) from None
    if not low <= number <= high:
        raise OverflowError(
            f"{spec.name}() argument {name!r} must be from {low} to {high}, "
            f"not {number}"
        )
    return number


def _as_float(spec: Spec, name: str, value: object) -> float:
    if type(value) is float:
        return value
    if hasattr(value, "__float__") or hasattr(value, "__index__"):
        return float(value)  # type: ignore[arg-type]
    raise _type_error(spec, name, "float", value)


def _as_bool(spec: Spec, name: str, value: object) -> bool:
    if value is True or value is False:
        return value
    raise _type_error(spec, name, "bool", value)


def _buffer(
    spec: Spec, name: str, value: object, text: bool, held: list[Any]
) -> tuple[object, int]:
    """The (pointer, length) of a bytes or str argument, without a copy for bytes-like
    objects; what must stay alive (or be released) until the call returns goes into
    ``held``."""
    if type(value) is bytes:
        return value, len(value)
    if text and isinstance(value, str):
        data = value.encode("utf-8")
        return data, len(data)
    try:
        view = memoryview(value)  # type: ignore[arg-type]
    except TypeError:
        expected = "a C-contiguous bytes-like object"
        if text:
            expected = "str or " + expected
        raise _type_error(spec, name, expected, value) from None
    if not view.c_contiguous:
        raise BufferError(
            f"{spec.name}() argument {name!r} must be a C-contiguous bytes-like "
            f"object; this {type(value).__name__} is not"
        )
    size = view.nbytes
    if size == 0:
        return None, 0
    held.append(view)
    if not view.readonly:
        # The first byte as a ctypes object: it holds the buffer until it is dropped.
        first = ctypes.c_char.from_buffer(view)
        held.append(first)
        return ctypes.c_void_p(ctypes.addressof(first)), size
    raw = PyBuffer()
    _get_buffer(view, ctypes.byref(raw), 0)
    held.append(raw)
    return ctypes.c_void_p(raw.buf), size


def _release(held: list[Any]) -> None:
    for item in reversed(held):
        if isinstance(item, PyBuffer):
            _release_buffer(ctypes.byref(item))
    held.clear()


def _check(spec: Spec, rc: int, status: _native.VixStatus) -> None:
    if rc != 0 or status.code != _native.VIX_STATUS_OK:
        raise _native._vix_status_error(status, rc, spec.symbol)


def call(spec: Spec, values: tuple[object, ...]) -> Any:
    """Converts ``values`` (one per parameter, in C order), calls the function and
    returns its output as Python sees it."""
    args: list[object] = []
    held: list[Any] = []
    try:
        for (kind, name, low, high), value in zip(spec.params, values):
            if kind == INT:
                args.append(_as_int(spec, name, value, low, high))
            elif kind == FLOAT:
                args.append(_as_float(spec, name, value))
            elif kind == BOOL:
                args.append(_as_bool(spec, name, value))
            else:
                args.extend(_buffer(spec, name, value, kind == STR, held))
        return _run(spec, args)
    finally:
        _release(held)


def _run(spec: Spec, args: list[object]) -> Any:
    status = _native.VixStatus()
    output = spec.output
    function = spec.function
    if output == OUT_NONE:
        rc = function(*args, ctypes.byref(status))
        _check(spec, rc, status)
        return None
    if output not in (OUT_BYTES, OUT_STR):
        value = spec.out_type()
        rc = function(*args, ctypes.byref(value), ctypes.byref(status))
        _check(spec, rc, status)
        if output == OUT_BOOL:
            return bool(value.value)
        return value.value
    return _run_sized(spec, args, status)


def _first_capacity(spec: Spec, args: list[object]) -> int:
    """The manifest's declared size for the one buffer input, else FIRST_CAPACITY."""
    if spec.blocks is None:
        return FIRST_CAPACITY
    # Scalars before the first buffer input take one place each in ``args``; the
    # buffer's length follows its pointer.
    for position, (kind, _, _, _) in enumerate(spec.params):
        if kind in (BYTES, STR):
            length = args[position + 1]
            assert isinstance(length, int)
            return -(-length // spec.blocks[0]) * spec.blocks[1]
    return FIRST_CAPACITY


def _run_sized(spec: Spec, args: list[object], status: _native.VixStatus) -> Any:
    """Calls until the output fits: the first capacity, then the size the library asks
    for with VIX_STATUS_BUFFER_TOO_SMALL. Each call writes into PyMem_Malloc memory of
    the capacity, and the output is copied out once."""
    capacity = _first_capacity(spec, args)
    out_len = ctypes.c_size_t()
    for _ in range(MAX_CALLS):
        address = _malloc(capacity) if capacity else None
        if capacity and not address:
            raise MemoryError(f"{spec.symbol}: cannot allocate {capacity} output bytes")
        try:
            rc = spec.function(
                *args,
                address,
                capacity,
                ctypes.byref(out_len),
                ctypes.byref(status),
            )
            size = out_len.value
            if rc == 0 and status.code == _native.VIX_STATUS_OK:
                if size > capacity:
                    raise _native.VixError(
                        _native.VIX_STATUS_ERROR,
                        f"{spec.symbol} reported {size} output bytes in a buffer of "
                        f"{capacity}",
                    )
                data = ctypes.string_at(address, size) if address and size else b""
                return data.decode("utf-8") if spec.output == OUT_STR else data
        finally:
            if address:
                _free(address)
        if status.code != _native.VIX_STATUS_BUFFER_TOO_SMALL:
            raise _native._vix_status_error(status, rc, spec.symbol)
        if size <= capacity:
            raise _native.BufferTooSmallError(
                _native.VIX_STATUS_BUFFER_TOO_SMALL,
                f"{spec.symbol} answered VIX_STATUS_BUFFER_TOO_SMALL for {capacity} "
                f"bytes but asked for {size}",
            )
        capacity = size
    raise _native.BufferTooSmallError(
        _native.VIX_STATUS_BUFFER_TOO_SMALL,
        f"{spec.symbol} still answered VIX_STATUS_BUFFER_TOO_SMALL after {MAX_CALLS} "
        f"calls, last asking for {capacity} bytes",
    )


__all__ = [
    "BOOL",
    "BYTES",
    "FLOAT",
    "INT",
    "OUT_BOOL",
    "OUT_BYTES",
    "OUT_FLOAT",
    "OUT_INT",
    "OUT_NONE",
    "OUT_STR",
    "STR",
    "Buffer",
    "Spec",
    "call",
    "int_range",
]
