"""Fixtures of the base64_ffi suite: the generated package, its modules, and a helper that
runs Python code in a child process with a controlled environment.

There is deliberately no ``__init__.py`` in this folder: it would turn the folder into a
package named ``base64_ffi`` and shadow the generated package under test.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import vix_test_env

LIBRARY_FILENAME = "libbase64_ffi.so" if sys.platform.startswith("linux") else None

# Environment variables that could make a child process find the library or the package
# by accident.
_SCRUBBED = (
    "VIX_LIB_PATH",
    "LD_LIBRARY_PATH",
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONSTARTUP",
)


@pytest.fixture(scope="session")
def pkg(base64_pkg: ModuleType) -> ModuleType:
    return base64_pkg


@pytest.fixture(scope="session")
def api(base64_pkg: ModuleType) -> ModuleType:
    return importlib.import_module("base64_ffi.api")


@pytest.fixture(scope="session")
def native(base64_pkg: ModuleType) -> ModuleType:
    return importlib.import_module("base64_ffi._native")


@pytest.fixture(scope="session")
def abs_lib_dir(lib_dir: Path) -> Path:
    """``lib_dir`` made absolute: child processes run from other folders."""
    return lib_dir.resolve()


@pytest.fixture(scope="session")
def lib_file(abs_lib_dir: Path) -> Path:
    if LIBRARY_FILENAME is None:
        pytest.skip("the loader cases are written for Linux file names")
    path = abs_lib_dir / LIBRARY_FILENAME
    assert path.is_file(), (
        f"{path} is missing: run `cargo build --release -p base64_ffi`"
    )
    return path


RunPy = Callable[..., "subprocess.CompletedProcess[str]"]


@pytest.fixture
def run_py(tmp_path: Path) -> RunPy:
    """Runs ``python -c code`` with a scrubbed environment.

    ``pythonpath``: the folder to put on ``PYTHONPATH``; ``env``: variables to add (a value
    of ``None`` leaves the variable unset); ``cwd``: defaults to a fresh empty folder.
    """

    def run(
        code: str,
        *,
        pythonpath: Path | None = None,
        env: Mapping[str, str | None] | None = None,
        cwd: Path | None = None,
        timeout: float = 60,
    ) -> subprocess.CompletedProcess[str]:
        child_env: dict[str, str] = {
            k: v for k, v in os.environ.items() if k not in _SCRUBBED
        }
        if pythonpath is not None:
            child_env["PYTHONPATH"] = str(pythonpath.resolve())
        for key, value in (env or {}).items():
            if value is None:
                child_env.pop(key, None)
            else:
                child_env[key] = value
        if cwd is None:
            cwd = tmp_path / "cwd"
            cwd.mkdir(exist_ok=True)
        return subprocess.run(
            [sys.executable, "-c", code],
            cwd=str(cwd),
            env=child_env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    return run


def last_json_line(proc: subprocess.CompletedProcess[str]) -> Any:
    """The JSON object printed last by a child process; fails with its output otherwise."""
    assert proc.returncode == 0, (
        f"child exited with {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    )
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    assert lines, f"child printed nothing\nstderr:\n{proc.stderr}"
    return json.loads(lines[-1])


@pytest.fixture(scope="session")
def child_json() -> Callable[[subprocess.CompletedProcess[str]], Any]:
    return last_json_line


_OFFSET = re.compile(r"\boffset\b\D{0,12}?(\d+)", re.IGNORECASE)


def first_offset(message: str) -> int | None:
    """The number that follows the first word "offset" in ``message``, if any."""
    match = _OFFSET.search(message)
    return int(match.group(1)) if match else None


@pytest.fixture(scope="session")
def offset_in() -> Callable[[str], int | None]:
    return first_offset


PatchRaw = Callable[[str, Any], None]


@pytest.fixture
def patch_raw(
    monkeypatch: pytest.MonkeyPatch, api: ModuleType, request: pytest.FixtureRequest
) -> PatchRaw:
    """Replaces the raw binding ``native.<name>`` for the duration of a test, wherever
    ``api`` can reach it (the module attribute, and any alias ``api`` holds). A test that
    depends on the replacement being called must check that it was, and skip otherwise:
    an ``api`` that binds the function in a closure cannot be redirected."""
    if vix_test_env.backend() == "compiled":
        pytest.skip(
            "the compiled backend calls the library's symbols directly, never a "
            "replaced _native binding"
        )
    native: ModuleType = request.getfixturevalue("native")

    def patch(name: str, replacement: Any) -> None:
        real = getattr(native, name)
        monkeypatch.setattr(native, name, replacement)
        for attr, value in list(vars(api).items()):
            if value is real:
                monkeypatch.setattr(api, attr, replacement)

    return patch


@pytest.fixture(scope="session")
def vix_ffi_bin() -> Path:
    """The ``vix-ffi`` executable, found as ``tests/python/conftest.py`` finds it."""
    return vix_test_env.vix_ffi_bin()


@pytest.fixture(scope="session")
def example_spec() -> Path:
    return (
        Path(__file__).resolve().parents[3]
        / "examples"
        / "base64_ffi"
        / "bindings.json"
    )
