"""Shared fixtures for the Python test suites.

`cargo xtask test` builds the release binaries first and sets:

- ``VIX_FFI_BIN``: the ``vix-ffi`` executable;
- ``VIX_TEST_LIB_DIR``: the folder holding the release-built example libraries
  (``libbase64_ffi.so``);
- ``VIX_TEST_WORK``: a scratch folder under ``target/`` for generated packages.

Run by hand, the defaults point at ``target/release`` of this checkout.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

from vix_test_env import compile_args, vix_ffi_bin

REPO_ROOT = Path(__file__).resolve().parents[2]


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return (Path(value) if value else default).resolve()


VIX_FFI_BIN = vix_ffi_bin()
LIB_DIR = _env_path("VIX_TEST_LIB_DIR", REPO_ROOT / "target" / "release")
WORK_DIR = _env_path("VIX_TEST_WORK", REPO_ROOT / "target" / "pytest-work")


def run_vix_ffi(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Runs the ``vix-ffi`` binary and returns its completed process (text mode)."""
    proc = subprocess.run(
        [str(VIX_FFI_BIN), *args], capture_output=True, text=True, check=False
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"vix-ffi {' '.join(args)} failed with {proc.returncode}:\n"
            f"{proc.stdout}\n{proc.stderr}"
        )
    return proc


def generate(spec: Path, out: Path) -> Path:
    """Runs ``vix-ffi gen-python`` and returns the folder to put on ``sys.path``."""
    run_vix_ffi("gen-python", "--spec", str(spec), "--out", str(out), *compile_args())
    return out / "python"


def import_generated(python_dir: Path, package: str) -> ModuleType:
    """Imports a freshly generated package from ``python_dir``."""
    if str(python_dir) not in sys.path:
        sys.path.insert(0, str(python_dir))
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[name]
    return importlib.import_module(package)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def lib_dir() -> Path:
    return LIB_DIR


@pytest.fixture(scope="session")
def work_dir() -> Iterator[Path]:
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    yield WORK_DIR


@pytest.fixture(scope="session")
def vix_ffi() -> Callable[..., subprocess.CompletedProcess[str]]:
    """``run_vix_ffi`` as a fixture, for sub-suites that cannot import this module."""
    return run_vix_ffi


@pytest.fixture(scope="session")
def gen_python() -> Callable[[Path, Path], Path]:
    """``generate`` as a fixture: runs ``vix-ffi gen-python``, returns the python dir."""
    return generate


@pytest.fixture(scope="session")
def base64_python_dir(work_dir: Path) -> Path:
    """The example's generated package folder (generated once per session)."""
    spec = REPO_ROOT / "examples" / "base64_ffi" / "bindings.json"
    return generate(spec, work_dir / "base64_ffi")


@pytest.fixture(scope="session")
def base64_pkg(base64_python_dir: Path, lib_dir: Path) -> Iterator[ModuleType]:
    """The example's generated package, imported with ``VIX_LIB_PATH`` set.

    The variable is only needed while the package loads its library; it is restored
    afterwards so that child processes of other tests see the caller's environment.
    """
    saved = os.environ.get("VIX_LIB_PATH")
    os.environ["VIX_LIB_PATH"] = str(lib_dir)
    try:
        package = import_generated(base64_python_dir, "base64_ffi")
        # The ctypes loader and raw bindings too, which the compiled backend does not
        # import itself.
        importlib.import_module("base64_ffi._native")
    finally:
        if saved is None:
            del os.environ["VIX_LIB_PATH"]
        else:
            os.environ["VIX_LIB_PATH"] = saved
    yield package
