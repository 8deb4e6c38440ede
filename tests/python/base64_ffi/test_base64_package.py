"""The generated package as a whole: its files, its public names, its neighbours."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

FILES = ("__init__.py", "_native.py", "_vix_runtime.py", "api.py")


def test_generated_files(base64_python_dir: Path) -> None:
    package = base64_python_dir / "base64_ffi"
    for name in FILES + ("py.typed",):
        assert (package / name).is_file(), name


@pytest.mark.parametrize("name", FILES)
def test_file_header_and_trailing_all(base64_python_dir: Path, name: str) -> None:
    source = (base64_python_dir / "base64_ffi" / name).read_text(encoding="utf-8")
    first = source.splitlines()[0].lower()
    assert "generated" in first and "vix-ffi" in first, first
    assert "edit" in first, first
    tree = ast.parse(source)
    last = tree.body[-1]
    targets = []
    if isinstance(last, ast.Assign):
        targets = [t.id for t in last.targets if isinstance(t, ast.Name)]
    elif isinstance(last, ast.AnnAssign) and isinstance(last.target, ast.Name):
        targets = [last.target.id]
    assert targets == ["__all__"], f"{name} does not end with __all__"


@pytest.mark.parametrize(
    "module", ["base64_ffi", "base64_ffi.api", "base64_ffi._native"]
)
def test_star_import_exposes_only_all(pkg: ModuleType, module: str) -> None:
    namespace: dict[str, Any] = {}
    exec(f"from {module} import *", namespace)  # noqa: S102 (the star import is the test)
    names = set(namespace) - {"__builtins__"}
    mod = __import__(module, fromlist=["__all__"])
    assert isinstance(mod.__all__, (list, tuple))
    assert names == set(mod.__all__)
    for leaked in ("ctypes", "annotations", "Optional", "Union", "os", "sys", "Path"):
        assert leaked not in names, f"`from {module} import *` leaks {leaked}"
    for name in mod.__all__:
        assert hasattr(mod, name), f"{module}.__all__ lists missing {name}"


def test_package_all_contents(pkg: ModuleType) -> None:
    assert "api" in pkg.__all__
    for name in (
        "VixError",
        "InvalidArgumentError",
        "BufferTooSmallError",
        "NotSupportedError",
    ):
        assert name in pkg.__all__
    assert len(set(pkg.__all__)) == len(pkg.__all__)


def test_api_all_contents(api: ModuleType) -> None:
    for name in ("version", "encode", "decode"):
        assert name in api.__all__
        assert callable(getattr(api, name))
        assert getattr(api, name).__doc__, f"api.{name} has no docstring"


def test_package_api_is_usable(pkg: ModuleType) -> None:
    assert pkg.api.encode(b"hello") == "aGVsbG8="
    assert pkg.api.decode("aGVsbG8=") == b"hello"


STDLIB_SCRIPT = r"""
import json
import email, email.message, http.client, secrets, base64, urllib.request
import base64_ffi
from base64_ffi import api
msg = email.message.EmailMessage()
msg.set_content("hello")
print(json.dumps({
    "base64_file": base64.__file__,
    "stdlib_encode": base64.b64encode(b"hello").decode(),
    "ours": api.encode(b"hello"),
    "token": len(secrets.token_hex(4)),
    "email": "hello" in msg.as_string(),
}))
"""


def test_package_does_not_shadow_the_standard_library(
    run_py: Callable[..., Any],
    child_json: Callable[[Any], Any],
    base64_python_dir: Path,
    abs_lib_dir: Path,
) -> None:
    """The original's package was named `base64`: on PYTHONPATH it broke email,
    http.client, secrets... and the standard library hid it the other way round."""
    proc = run_py(
        STDLIB_SCRIPT,
        pythonpath=base64_python_dir,
        env={"VIX_LIB_PATH": str(abs_lib_dir)},
    )
    result = child_json(proc)
    assert not result["base64_file"].startswith(str(base64_python_dir.resolve())), (
        result
    )
    assert result["stdlib_encode"] == result["ours"] == "aGVsbG8="
    assert result["token"] == 8 and result["email"]
    names = {p.name for p in base64_python_dir.iterdir()}
    import sys

    stdlib: set[str] = set(getattr(sys, "stdlib_module_names", ()))
    assert not (names & stdlib), names & stdlib
