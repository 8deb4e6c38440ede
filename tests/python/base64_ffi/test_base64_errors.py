"""Typed exceptions: where they live, their hierarchy, and what they carry."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest

EXCEPTIONS = (
    "VixError",
    "InvalidArgumentError",
    "BufferTooSmallError",
    "NotSupportedError",
    "LibraryNotFoundError",
    "MissingSymbolError",
)


def test_exceptions_importable_from_the_package(pkg: ModuleType) -> None:
    from base64_ffi import (  # type: ignore[import-not-found,unused-ignore]  # noqa: F401
        BufferTooSmallError,
        InvalidArgumentError,
        NotSupportedError,
        VixError,
    )

    assert VixError is pkg.VixError


@pytest.mark.parametrize("name", EXCEPTIONS)
def test_one_class_reexported_everywhere(
    pkg: ModuleType, api: ModuleType, native: ModuleType, name: str
) -> None:
    cls = getattr(native, name)
    assert isinstance(cls, type) and issubclass(cls, BaseException)
    assert getattr(pkg, name) is cls, f"base64_ffi.{name} is not _native.{name}"
    if name not in ("LibraryNotFoundError", "MissingSymbolError"):
        assert getattr(api, name) is cls, f"base64_ffi.api.{name} is not _native.{name}"
    assert name in pkg.__all__


def test_hierarchy(pkg: ModuleType) -> None:
    assert issubclass(pkg.VixError, Exception)
    assert issubclass(pkg.InvalidArgumentError, pkg.VixError)
    assert issubclass(pkg.InvalidArgumentError, ValueError)
    assert issubclass(pkg.BufferTooSmallError, pkg.VixError)
    assert issubclass(pkg.NotSupportedError, pkg.VixError)
    assert issubclass(pkg.NotSupportedError, NotImplementedError)
    assert issubclass(pkg.LibraryNotFoundError, ImportError)
    assert issubclass(pkg.MissingSymbolError, ImportError)
    # No accidental cross-links.
    assert not issubclass(pkg.InvalidArgumentError, NotImplementedError)
    assert not issubclass(pkg.NotSupportedError, ValueError)
    assert not issubclass(pkg.BufferTooSmallError, (ValueError, NotImplementedError))
    assert not issubclass(pkg.VixError, (ValueError, RuntimeError))


def test_status_codes(native: ModuleType) -> None:
    assert native.VIX_STATUS_OK == 0
    assert native.VIX_STATUS_ERROR == 1
    assert native.VIX_STATUS_INVALID_ARG == 2
    assert native.VIX_STATUS_BUFFER_TOO_SMALL == 3
    assert native.VIX_STATUS_NOT_SUPPORTED == 4


def test_error_carries_code_and_message(
    api: ModuleType, pkg: ModuleType, offset_in: Callable[[str], int | None]
) -> None:
    with pytest.raises(pkg.VixError) as info:
        api.decode("AAA!")
    err = info.value
    assert type(err) is pkg.InvalidArgumentError
    assert err.code == 2 and isinstance(err.code, int)
    assert isinstance(err.message, str)
    assert offset_in(err.message) == 3, err.message
    text = str(err)
    assert err.message in text
    # The contract: the message followed by the code's name.
    assert text.startswith(err.message), text
    assert "VIX_STATUS_INVALID_ARG" in text[len(err.message) :], text


def test_value_error_handlers_catch_decode_errors(api: ModuleType) -> None:
    """Code written for the stdlib (`except ValueError`) keeps working."""
    with pytest.raises(ValueError):
        api.decode("not base64!")


def test_errors_in_sequence_do_not_mix_messages(
    api: ModuleType, pkg: ModuleType, offset_in: Callable[[str], int | None]
) -> None:
    """Each error carries its own message even though the library reuses its storage."""
    errors = []
    for text in ("AAA!", "!AAA", "AA=A"):
        try:
            api.decode(text)
        except pkg.InvalidArgumentError as e:
            errors.append(e)
    assert len(errors) == 3
    assert [offset_in(e.message) for e in errors] == [3, 0, 2], [
        e.message for e in errors
    ]
