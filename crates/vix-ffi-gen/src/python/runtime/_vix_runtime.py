"""The run-time support of the functions in api: the same file in every generated
package, private to it. api describes each function once, at import, and calls
``operation`` (one bytes or str input, one bytes or str output: the v1.0 shape, tuned
for speed), ``call`` (any other typed signature of ABI v1.1) or ``call_version``.

Every conversion says which function and which parameter a bad value was given to, and
never lets ctypes truncate an int: a value outside the C type's range raises
OverflowError before the call.
"""

from __future__ import annotations

import ctypes
import operator
import sys

from . import _native
from ._vix_base import Buffer, Handle  # defined once (Handle: the ctypes backend's)

# True for type checkers only: importing typing at run time would add to the import
# time of the package.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable

# ---- the C API, and the v1.0 operation shape -----------------------------------------
# The functions below are safe to call from any number of threads: the objects a call
# writes to (its sizes, status and small-output buffer) are taken from a free list for
# the duration of the call, never shared by two calls at once; the GIL is released
# while the library runs (ctypes.CDLL). They use the C API through ctypes.pythonapi, on
# private function objects, so that no prototype set by other code is changed.


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


# PyObject_GetBuffer with PyBUF_SIMPLE: the address of a read-only, C-contiguous buffer,
# without a copy (ctypes only takes writable ones).
_get_buffer = _c_api(
    "PyObject_GetBuffer",
    ctypes.c_int,
    ctypes.py_object,
    ctypes.POINTER(PyBuffer),
    ctypes.c_int,
)
_release_buffer = _c_api("PyBuffer_Release", None, ctypes.POINTER(PyBuffer))
_memory_view = _c_api(
    "PyMemoryView_FromMemory",
    ctypes.py_object,
    ctypes.c_void_p,
    ctypes.c_ssize_t,
    ctypes.c_int,
)
_PYBUF_READ = 0x100

# What an operation returns (the ``output`` argument of the helpers below): bytes; a str
# decoded as UTF-8; or a str that the library promises is ASCII ("ascii": true in the
# manifest), which a large output is built as without being checked.
AS_BYTES = 0
AS_UTF8 = 1
AS_ASCII = 2

# At most this many native calls per operation: the first, and the retries that a
# VIX_STATUS_BUFFER_TOO_SMALL answer asks for. A correct library needs two at most; more
# means it keeps contradicting itself, which raises BufferTooSmallError.
_MAX_CALLS = 4

# ---- small outputs: a reused buffer, one copy ----------------------------------------
# Outputs up to _SMALL bytes are written into the buffer of a call frame and copied
# into the result. A frame holds every ctypes object a call passes by reference; frames
# are taken from _frames for one call (list.pop and list.append are atomic) and put
# back once the result is copied out, so no two calls ever share one, whatever the
# threads. A call that raises drops its frame.
_SMALL = 16384
_Small = ctypes.c_char * _SMALL
_frames: list[tuple[Any, ...]] = []
_take_frame = _frames.pop
_give_frame = _frames.append


def _first_capacity(in_len: int) -> int:
    """The first output capacity: 1.5 times the input plus 64 bytes.

    One call is enough for every output up to that size: shrinking and same-size
    operations, and growth up to 4/3 (base64 encoding). Larger outputs take one retry
    with the size the library reports. Pages the library does not write to are never
    touched, so a generous capacity costs address space, not memory."""
    return in_len + (in_len >> 1) + 64


# Inputs whose first capacity fits in a frame's buffer, which is then the capacity.
_SMALL_INPUT = (_SMALL - 64) * 2 // 3


def _new_frame() -> tuple[Any, ...]:
    """(in_len, capacity, out_len, &out_len, status, &status, buffer)."""
    out_len = ctypes.c_size_t()
    status = _native.VixStatus()
    return (
        ctypes.c_size_t(),
        ctypes.c_size_t(_SMALL),
        out_len,
        ctypes.byref(out_len),
        status,
        ctypes.byref(status),
        _Small(),
    )


# ---- large outputs: written into the result object itself ----------------------------
# A larger output is written straight into a new bytes or str object of the size the
# library reported (PyBytes_FromStringAndSize(NULL, n), PyUnicode_New(n, 127)), which is
# returned as it is when the library fills it; one that writes less is copied into a
# shorter one. A str is built as ASCII and checked to be ASCII, unless the library
# promises it; anything else is decoded as UTF-8 instead. Where the object layout is
# not CPython's (checked below), outputs go through PyMem_Malloc memory of the first
# capacity, and one copy.
_new_bytes = _c_api(
    "PyBytes_FromStringAndSize", ctypes.py_object, ctypes.c_void_p, ctypes.c_ssize_t
)
_new_str = _c_api("PyUnicode_New", ctypes.py_object, ctypes.c_ssize_t, ctypes.c_uint32)
_decode_ascii = _c_api(
    "PyUnicode_DecodeASCII",
    ctypes.py_object,
    ctypes.c_void_p,
    ctypes.c_ssize_t,
    ctypes.c_char_p,
)
_decode_utf8 = _c_api(
    "PyUnicode_DecodeUTF8",
    ctypes.py_object,
    ctypes.c_void_p,
    ctypes.c_ssize_t,
    ctypes.c_char_p,
)
_malloc = _c_api("PyMem_Malloc", ctypes.c_void_p, ctypes.c_size_t)
_free = _c_api("PyMem_Free", None, ctypes.c_void_p)
# The ASCII check reads the output in slices of this size, each decoded into a str that
# is dropped at once: it stays in the cache and the peak memory stays one output.
_CHECK_SLICE = 1 << 18


def _data_offset(sample: bytes | str) -> int | None:
    """Where CPython keeps the bytes of ``sample`` (a bytes, or an ASCII str) from the
    start of the object; None unless reading them back there gives ``sample`` itself."""
    if sys.implementation.name != "cpython":
        return None
    raw = sample if isinstance(sample, bytes) else sample.encode("ascii")
    offset = sys.getsizeof(sample) - len(raw) - 1
    if offset <= 0 or ctypes.string_at(id(sample) + offset, len(raw)) != raw:
        return None
    return offset


# Fresh objects (not interned, not cached), as the ones created for outputs are.
_BYTES_DATA = _data_offset(bytes(range(32, 127)) * 2)
_STR_DATA = _data_offset(bytes(range(32, 127)).decode("ascii") * 2)

# Outputs of this size or more ask Linux for transparent huge pages: the kernel then
# fills 2 MiB at a time instead of taking one page fault per 4 KiB.
_HUGE = 4 << 20
_HUGE_PAGE = 2 << 20


def _load_madvise() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        madvise = ctypes.CDLL(None).madvise
    except (OSError, AttributeError):
        return None
    madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    madvise.restype = ctypes.c_int
    return madvise


_madvise = _load_madvise()
_MADV_HUGEPAGE = 14


def _advise_huge(address: int, size: int) -> None:
    """MADV_HUGEPAGE on the whole huge pages inside ``[address, address + size)``; a
    refusal changes nothing but speed."""
    start = (address + _HUGE_PAGE - 1) & ~(_HUGE_PAGE - 1)
    end = (address + size) & ~(_HUGE_PAGE - 1)
    if _madvise is not None and end > start:
        _madvise(start, end - start, _MADV_HUGEPAGE)


def _retry_capacity(
    rc: int, status: _native.VixStatus, size: int, capacity: int, symbol: str
) -> int | None:
    """Judges a call: None when it succeeded, the capacity to retry with when the
    library answered VIX_STATUS_BUFFER_TOO_SMALL with a larger size; raises otherwise,
    with the library's message read right away."""
    if rc == 0 and status.code == _native.VIX_STATUS_OK:
        if size > capacity:
            raise _native.VixError(
                _native.VIX_STATUS_ERROR,
                f"{symbol} reported {size} output bytes in a buffer of {capacity}",
            )
        return None
    if status.code != _native.VIX_STATUS_BUFFER_TOO_SMALL:
        raise _native._vix_status_error(status, rc, symbol)
    if size <= capacity:
        raise _native.BufferTooSmallError(
            _native.VIX_STATUS_BUFFER_TOO_SMALL,
            f"{symbol} answered VIX_STATUS_BUFFER_TOO_SMALL for {capacity} bytes but "
            f"asked for {size}",
        )
    return size


def _finish(result: Any, address: int, size: int, output: int) -> Any:
    """The output from ``result``, a new bytes or ASCII str whose first ``size`` bytes
    (at ``address``) the library wrote: ``result`` itself when it wrote them all, else
    their copy; for a str not promised ASCII whose bytes are not, their UTF-8 decoding
    instead (UnicodeDecodeError if they are not UTF-8)."""
    if output == AS_UTF8:
        try:
            for start in range(0, size, _CHECK_SLICE):
                _decode_ascii(address + start, min(_CHECK_SLICE, size - start), None)
        except UnicodeDecodeError:
            return _decode_utf8(address, size, None)
    return result if size == len(result) else result[:size]


# The out_cap of a size query; passed by value, so never written to.
_NO_CAPACITY = ctypes.c_size_t(0)
_TOO_SMALL = _native.VIX_STATUS_BUFFER_TOO_SMALL
# The per-call argument types, bound once: each name looked up on the module ctypes
# costs a dictionary lookup per call, which is measurable when the interpreter's data
# has just been pushed out of the cache by a large output.
_pointer = ctypes.c_void_p
_size = ctypes.c_size_t


def _too_many_calls(symbol: str, capacity: int) -> _native.BufferTooSmallError:
    return _native.BufferTooSmallError(
        _native.VIX_STATUS_BUFFER_TOO_SMALL,
        f"{symbol} still answered VIX_STATUS_BUFFER_TOO_SMALL after {_MAX_CALLS} "
        f"calls, last asking for {capacity} bytes",
    )


def _run_large(
    function: Callable[..., int],
    symbol: str,
    in_arg: object,
    frame: tuple[Any, ...],
    capacity: int,
    calls: int,
    output: int,
) -> Any:
    """The calls for an output larger than a frame's buffer, written into the result.

    ``capacity`` is the size that a first call reported, or the one the manifest
    declares (``output_blocks``), or 0 when neither is known: the size then comes from
    a size query (out_ptr NULL, out_cap 0). Either way the result is allocated at that
    size, not more: a result shrunk from a larger allocation would make glibc's malloc
    map fresh pages for every later output of the same size (its mmap threshold
    follows freed sizes)."""
    in_len, _, out_len, out_len_ref, status, status_ref, _ = frame
    offset = _STR_DATA if output else _BYTES_DATA
    if offset is None:
        if not capacity:
            capacity = _first_capacity(in_len.value)
        return _run_copy(function, symbol, in_arg, frame, capacity, calls, output)
    if not capacity:
        calls = 1
        rc = function(in_arg, in_len, None, _NO_CAPACITY, out_len_ref, status_ref)
        capacity = out_len.value
        # The usual answer (BUFFER_TOO_SMALL and a size) needs no judging; anything
        # else is an empty output, or raises.
        usual = rc and status.code == _TOO_SMALL and capacity
        if not usual and _retry_capacity(rc, status, capacity, 0, symbol) is None:
            return "" if output else b""
    while calls < _MAX_CALLS:
        calls += 1
        # Not shared with any other code until it is returned, which it is only once
        # the library has written it.
        result = _new_str(capacity, 127) if output else _new_bytes(None, capacity)
        address = id(result) + offset
        if capacity >= _HUGE:
            _advise_huge(address, capacity)
        rc = function(
            in_arg,
            in_len,
            _pointer(address),
            _size(capacity),
            out_len_ref,
            status_ref,
        )
        size = out_len.value
        # The common case, decided without the two calls below (which would return
        # ``result`` too).
        if rc == 0 and status.code == 0 and size == capacity and output != AS_UTF8:
            return result
        retry = _retry_capacity(rc, status, size, capacity, symbol)
        if retry is None:
            return _finish(result, address, size, output)
        capacity = retry
    raise _too_many_calls(symbol, capacity)


def _run_copy(
    function: Callable[..., int],
    symbol: str,
    in_arg: object,
    frame: tuple[Any, ...],
    capacity: int,
    calls: int,
    output: int,
) -> Any:
    """The calls for a large output where the layout of CPython objects is not known:
    each into PyMem_Malloc memory of the capacity, the output copied into the result."""
    in_len, _, out_len, out_len_ref, status, status_ref, _ = frame
    while calls < _MAX_CALLS:
        calls += 1
        address = _malloc(capacity)
        if not address:
            raise MemoryError(f"{symbol}: cannot allocate {capacity} output bytes")
        try:
            rc = function(
                in_arg,
                in_len,
                _pointer(address),
                _size(capacity),
                out_len_ref,
                status_ref,
            )
            size = out_len.value
            retry = _retry_capacity(rc, status, size, capacity, symbol)
            if retry is None:
                if output:
                    return _decode_utf8(address, size, None)
                return ctypes.string_at(address, size)
        finally:
            _free(address)
        capacity = retry
    raise _too_many_calls(symbol, capacity)


def _run(
    function: Callable[..., int],
    symbol: str,
    in_arg: object,
    in_size: int,
    output: int,
    blocks: tuple[int, int] | None,
) -> Any:
    """Calls an operation-shaped function until its output fits; returns the output as
    ``output`` says (bytes, or str). ``in_arg`` is bytes or a ctypes object, never an
    int; ``blocks`` is the manifest's ``output_blocks`` (in, out), or None."""
    try:
        frame = _take_frame()
    except IndexError:
        frame = _new_frame()
    in_len, small_cap, out_len, out_len_ref, status, status_ref, small = frame
    in_len.value = in_size
    if in_size <= _SMALL_INPUT:
        # operation() does all this itself for a bytes input.
        rc = function(in_arg, in_len, small, small_cap, out_len_ref, status_ref)
        size = out_len.value
        if rc == 0 and status.code == 0 and size <= _SMALL:
            result = small[:size]
            _give_frame(frame)
            return result.decode() if output else result
        return _run_on(function, symbol, in_arg, frame, rc, output)
    # The declared size: out bytes for each started block of in bytes.
    capacity = 0 if blocks is None else -(-in_size // blocks[0]) * blocks[1]
    result = _run_large(function, symbol, in_arg, frame, capacity, 0, output)
    _give_frame(frame)
    return result


def _run_on(
    function: Callable[..., int],
    symbol: str,
    in_arg: object,
    frame: tuple[Any, ...],
    rc: int,
    output: int,
) -> Any:
    """Goes on from a first call into the buffer of ``frame`` that did not succeed
    with its output there (``rc`` is what it returned): raises, or retries with the
    size the library asked for. Gives the frame back unless it raises."""
    _, _, out_len, _, status, _, _ = frame
    retry = _retry_capacity(rc, status, out_len.value, _SMALL, symbol)
    # Never None: the callers return a success into the buffer themselves.
    capacity = retry if retry is not None else _SMALL
    result = _run_large(function, symbol, in_arg, frame, capacity, 1, output)
    _give_frame(frame)
    return result


def _call_buffer(
    function: Callable[..., int],
    symbol: str,
    data: Buffer,
    expected: str,
    output: int,
    blocks: tuple[int, int] | None,
) -> Any:
    """Runs an operation on a bytes-like input, passed to the library without a copy.

    ``bytes`` is passed as it is. Other objects are held through a memoryview for the
    duration of the call (a ``bytearray`` cannot be resized meanwhile): a writable
    buffer is passed by the address of its first byte, a read-only one through
    ``PyObject_GetBuffer``."""
    if type(data) is bytes:
        return _run(function, symbol, data, len(data), output, blocks)
    try:
        view = memoryview(data)
    except TypeError:
        raise TypeError(f"{expected}, not {type(data).__name__!r}") from None
    if not view.c_contiguous:
        raise BufferError(f"{expected}; this {type(data).__name__} is not")
    size = view.nbytes
    if size == 0:
        return _run(function, symbol, b"", 0, output, blocks)
    if not view.readonly:
        # The first byte as a ctypes object: it holds the buffer until it is dropped.
        first = ctypes.c_char.from_buffer(view)
        address = ctypes.c_void_p(ctypes.addressof(first))
        return _run(function, symbol, address, size, output, blocks)
    held = PyBuffer()
    _get_buffer(view, ctypes.byref(held), 0)
    try:
        return _run(
            function, symbol, ctypes.c_void_p(held.buf), held.len, output, blocks
        )
    finally:
        _release_buffer(ctypes.byref(held))


_as_utf8 = _c_api(
    "PyUnicode_AsUTF8AndSize",
    ctypes.c_void_p,
    ctypes.py_object,
    ctypes.POINTER(ctypes.c_ssize_t),
)


def _call_ascii(
    function: Callable[..., int],
    symbol: str,
    text: str,
    output: int,
    blocks: tuple[int, int] | None,
) -> Any:
    """Runs an operation on a large ASCII str, passed without a copy: the UTF-8 form of
    an ASCII str is its own data (PyUnicode_AsUTF8AndSize neither allocates nor copies
    it), valid while the caller holds ``text``."""
    size = ctypes.c_ssize_t()
    address = _as_utf8(text, ctypes.byref(size))
    return _run(function, symbol, ctypes.c_void_p(address), size.value, output, blocks)


def _unchecked(raw: Any) -> Any:
    """A second function object for the symbol of the raw binding ``raw``, without
    argtypes: the calls above pass only bytes and ctypes objects (never a bare int,
    which ctypes would pass as a C int), which need no conversion, and skipping the
    per-argument checks halves the cost of a call."""
    function = _native.library[raw.__name__]
    function.restype = raw.restype
    return function


def call_version(function: Callable[..., _native.VixStr], symbol: str) -> str:
    """Calls a ``vix_str f(vix_status *)`` function and decodes its text by length."""
    status = _native.VixStatus()
    text = function(ctypes.byref(status))
    if status.code != _native.VIX_STATUS_OK:
        raise _native._vix_status_error(status, 0, symbol)
    if not text.len:
        return ""
    if not text.ptr:
        raise _native.VixError(
            _native.VIX_STATUS_ERROR,
            f"{symbol} returned a NULL pointer with a length of {text.len}",
        )
    view: memoryview = _memory_view(text.ptr, text.len, _PYBUF_READ)
    try:
        return str(view, "utf-8")
    finally:
        view.release()


class Operation:
    """What api needs to call one function of the operation shape."""

    __slots__ = (
        "accepts_str",
        "bare",
        "blocks",
        "checked",
        "expected",
        "output",
        "symbol",
    )

    def __init__(
        self,
        checked: Callable[..., int],
        symbol: str,
        expected: str,
        output: int,
        blocks: tuple[int, int] | None,
        accepts_str: bool,
    ) -> None:
        #: The raw binding api was imported with, and its twin without argtypes.
        self.checked = checked
        self.bare = _unchecked(checked)
        self.symbol = symbol
        #: The start of the TypeError message for a wrong argument.
        self.expected = expected
        #: AS_BYTES, AS_UTF8 or AS_ASCII.
        self.output = output
        #: The manifest's output_blocks (in, out), or None.
        self.blocks = blocks
        #: Whether a str argument is taken (and encoded as UTF-8).
        self.accepts_str = accepts_str


def operation(function: Callable[..., int], op: Operation, data: object) -> Any:
    """Calls ``function`` (the raw binding api finds at the call, through its twin
    without argtypes while it is still the one api was imported with) on ``data``."""
    if function is op.checked:
        function = op.bare
    if type(data) is not bytes:
        if not (op.accepts_str and isinstance(data, str)):
            return _call_buffer(
                function,
                op.symbol,
                data,  # type: ignore[arg-type]
                op.expected,
                op.output,
                op.blocks,
            )
        if len(data) > _SMALL_INPUT and data.isascii():
            return _call_ascii(function, op.symbol, data, op.output, op.blocks)
        data = data.encode("utf-8")
    # What _run does, written out: most calls go this way, and each Python call saved
    # is measurable, on small inputs and (with the caches cold after a long call) on
    # large ones.
    in_size = len(data)
    try:
        frame = _take_frame()
    except IndexError:
        frame = _new_frame()
    in_len, small_cap, out_len, out_len_ref, status, status_ref, small = frame
    in_len.value = in_size
    if in_size <= _SMALL_INPUT:
        rc = function(data, in_len, small, small_cap, out_len_ref, status_ref)
        size = out_len.value
        if rc == 0 and status.code == 0 and size <= _SMALL:
            result = small[:size]
            _give_frame(frame)
            return result.decode() if op.output else result
        return _run_on(function, op.symbol, data, frame, rc, op.output)
    blocks = op.blocks
    # The declared size: out bytes for each started block of in bytes.
    capacity = 0 if blocks is None else -(-in_size // blocks[0]) * blocks[1]
    result = _run_large(function, op.symbol, data, frame, capacity, 0, op.output)
    _give_frame(frame)
    return result


# ---- typed signatures ----------------------------------------------------------------

# Parameter kinds (the first element of each parameter spec).
BYTES = 0
STR = 1
INT = 2
FLOAT = 3
BOOL = 4
OBJECT = 5

# Output kinds.
RESULT_NONE = 0
RESULT_BYTES = 1
RESULT_STR = 2
RESULT_INT = 3
RESULT_FLOAT = 4
RESULT_BOOL = 5
RESULT_OBJECT = 6

# The capacity of the first call where the manifest declares no output size.
FIRST_CAPACITY = 4096

SIZE_MAX = (1 << (8 * ctypes.sizeof(ctypes.c_size_t))) - 1


class Spec:
    """What api needs to call one native function of a typed signature."""

    __slots__ = (
        "blocks",
        "name",
        "out_type",
        "output",
        "params",
        "self_type",
        "symbol",
    )

    def __init__(
        self,
        symbol: str,
        name: str,
        params: tuple[tuple[int, str, Any, int, bool], ...],
        output: int,
        out_type: Any,
        blocks: tuple[int, int] | None,
        self_type: Any = None,
    ) -> None:
        self.symbol = symbol
        #: The Python function's name, for messages.
        self.name = name
        #: Per parameter: (kind, name, lowest, highest, optional); the bounds for INT
        #: only, the class (in place of the lowest) for OBJECT.
        self.params = params
        self.output = output
        #: The ctypes type of a scalar output, the class of an object output, else None.
        self.out_type = out_type
        #: The manifest's output_blocks (in, out), or None.
        self.blocks = blocks
        #: A method's class, which its object must be an instance of; else None.
        self.self_type = self_type


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


def call(function: Callable[..., int], spec: Spec, values: tuple[object, ...]) -> Any:
    """Converts ``values`` (one per parameter, in C order), calls ``function`` (the
    raw binding, with its argtypes) and returns its output as Python sees it."""
    return _call_with(function, spec, values, None)


def call_method(
    receiver: Handle,
    function: Callable[..., int],
    spec: Spec,
    values: tuple[object, ...],
) -> Any:
    """:func:`call` for a method of ``receiver``, whose handle goes first. A receiver
    that is not an instance of the method's class (``Class.method(other, ...)``) is a
    TypeError, as for any object argument."""
    if not isinstance(receiver, spec.self_type):
        raise _type_error(spec, "self", f"a {spec.self_type.__name__} object", receiver)
    return _call_with(function, spec, values, receiver)


def construct(
    obj: Handle, function: Callable[..., int], spec: Spec, values: tuple[object, ...]
) -> None:
    """Makes ``obj`` the owner of the handle that the constructor ``function``
    returns."""
    if spec.self_type is not None and not isinstance(obj, spec.self_type):
        raise _type_error(spec, "self", f"a {spec.self_type.__name__} object", obj)
    if getattr(obj, "_vix_handle", None) is not None:
        raise RuntimeError(f"{spec.name} object is already initialised")
    handle = _call_with(function, spec, values, None)
    obj._vix_adopt(handle)


def _call_with(
    function: Callable[..., int],
    spec: Spec,
    values: tuple[object, ...],
    receiver: Handle | None,
) -> Any:
    args: list[object] = []
    held: list[Any] = []
    users: list[Handle] = [] if receiver is None else [receiver]
    for (kind, name, low, high, optional), value in zip(spec.params, values):
        if value is None and optional:
            args.extend((None,) if kind == OBJECT else (None, 0))
        elif kind == INT:
            args.append(_as_int(spec, name, value, low, high))
        elif kind == FLOAT:
            args.append(_as_float(spec, name, value))
        elif kind == BOOL:
            args.append(_as_bool(spec, name, value))
        elif kind == OBJECT:
            if not isinstance(value, low):
                raise _type_error(spec, name, f"a {low.__name__} object", value)
            # Its handle is read once the object is entered, below.
            users.append(value)
            args.append(value)
        else:
            args.extend(_buffer(spec, name, value, kind == STR, held))
    entered = _enter(spec, users)
    try:
        handles = [a._vix_handle if isinstance(a, Handle) else a for a in args]
        if receiver is not None:
            handles.insert(0, receiver._vix_handle)
        return _call_typed(function, spec, handles)
    finally:
        _leave(entered)
        _release(held)


def _call_typed(function: Callable[..., int], spec: Spec, args: list[object]) -> Any:
    status = _native.VixStatus()
    output = spec.output
    if output == RESULT_NONE:
        rc = function(*args, ctypes.byref(status))
        _check(spec, rc, status)
        return None
    if output == RESULT_OBJECT:
        handle = ctypes.c_void_p()
        rc = function(*args, ctypes.byref(handle), ctypes.byref(status))
        _check(spec, rc, status)
        if not handle.value:
            raise _native.VixError(
                _native.VIX_STATUS_ERROR,
                f"{spec.symbol} reported success but returned a NULL handle",
            )
        cls = spec.out_type
        if cls is None:
            # A constructor: construct() adopts the handle itself.
            return handle.value
        obj = cls.__new__(cls)
        obj._vix_adopt(handle.value)
        return obj
    if output not in (RESULT_BYTES, RESULT_STR):
        value = spec.out_type()
        rc = function(*args, ctypes.byref(value), ctypes.byref(status))
        _check(spec, rc, status)
        if output == RESULT_BOOL:
            return bool(value.value)
        return value.value
    return _run_sized(function, spec, args, status)


# ---- objects -------------------------------------------------------------------------


def _enter(spec: Spec, objects: list[Handle]) -> list[Handle]:
    """Enters every object a call uses, in the order of their ids (each once): as the
    only user of one not declared thread-safe, or as one more user of a thread-safe one.
    Raises ValueError for a closed object, leaving none entered."""
    entered: list[Handle] = []
    try:
        for obj in sorted({id(o): o for o in objects}.values(), key=id):
            cond = getattr(obj, "_vix_cond", None)
            if cond is None:
                raise ValueError(
                    f"{spec.name}(): the {type(obj).__name__} object was never "
                    "initialised"
                )
            with cond:
                if not obj._vix_thread_safe:
                    while obj._vix_users:
                        cond.wait()
                if obj._vix_handle is None or obj._vix_closing:
                    raise ValueError(
                        f"{spec.name}(): the {type(obj).__name__} object is closed"
                    )
                obj._vix_users += 1
            entered.append(obj)
    except BaseException:
        _leave(entered)
        raise
    return entered


def _leave(entered: list[Handle]) -> None:
    for obj in entered:
        with obj._vix_cond:
            obj._vix_users -= 1
            obj._vix_cond.notify_all()


def _declared_capacity(spec: Spec, args: list[object]) -> int:
    """The manifest's declared size for the one buffer input, else FIRST_CAPACITY."""
    if spec.blocks is None:
        return FIRST_CAPACITY
    # Parameters before the first buffer input take one place each in ``args``, after
    # the receiver if any; the buffer's length follows its pointer.
    offset = len(args) - _c_arg_count(spec)
    for position, (kind, _, _, _, _) in enumerate(spec.params):
        if kind in (BYTES, STR):
            length = args[offset + position + 1]
            assert isinstance(length, int)
            return -(-length // spec.blocks[0]) * spec.blocks[1]
    return FIRST_CAPACITY


def _c_arg_count(spec: Spec) -> int:
    """The C arguments of ``spec``'s parameters (a buffer takes two)."""
    return sum(2 if kind in (BYTES, STR) else 1 for kind, _, _, _, _ in spec.params)


def _run_sized(
    function: Callable[..., int],
    spec: Spec,
    args: list[object],
    status: _native.VixStatus,
) -> Any:
    """Calls until the output fits: the first capacity, then the size the library asks
    for with VIX_STATUS_BUFFER_TOO_SMALL. Each call writes into PyMem_Malloc memory of
    the capacity, and the output is copied out once."""
    capacity = _declared_capacity(spec, args)
    out_len = ctypes.c_size_t()
    for _ in range(_MAX_CALLS):
        address = _malloc(capacity) if capacity else None
        if capacity and not address:
            raise MemoryError(f"{spec.symbol}: cannot allocate {capacity} output bytes")
        try:
            rc = function(
                *args,
                address,
                capacity,
                ctypes.byref(out_len),
                ctypes.byref(status),
            )
            size = out_len.value
            retry = _retry_capacity(rc, status, size, capacity, spec.symbol)
            if retry is None:
                data = ctypes.string_at(address, size) if address and size else b""
                return data.decode("utf-8") if spec.output == RESULT_STR else data
        finally:
            if address:
                _free(address)
        capacity = retry
    raise _too_many_calls(spec.symbol, capacity)


__all__ = [
    "AS_ASCII",
    "AS_BYTES",
    "AS_UTF8",
    "BOOL",
    "BYTES",
    "FLOAT",
    "INT",
    "OBJECT",
    "RESULT_BOOL",
    "RESULT_BYTES",
    "RESULT_FLOAT",
    "RESULT_INT",
    "RESULT_NONE",
    "RESULT_OBJECT",
    "RESULT_STR",
    "SIZE_MAX",
    "STR",
    "Buffer",
    "Handle",
    "Operation",
    "Spec",
    "call",
    "call_method",
    "call_version",
    "construct",
    "operation",
]
