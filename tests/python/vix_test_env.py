"""Where every test suite finds the tools it runs: one place instead of one per suite.

Importable from any suite: pytest puts ``tests/python`` (the folder of the root
``conftest.py``) on ``sys.path`` before it loads the suites.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def vix_ffi_bin() -> Path:
    """The ``vix-ffi`` executable: ``$VIX_FFI_BIN``, else ``target/release/vix-ffi``."""
    value = os.environ.get("VIX_FFI_BIN")
    return (
        Path(value) if value else REPO_ROOT / "target" / "release" / "vix-ffi"
    ).resolve()


def fresh_dir(path: Path) -> Path:
    """``path`` as an empty folder (what an earlier run left there is removed)."""
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def gen_python_compiled(
    spec: Path, out: Path, python: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Runs ``vix-ffi gen-python`` for ``spec`` into ``out`` with the compiled backend
    built for the interpreter ``python`` (``env``: the environment, e.g. with ``CC``);
    returns the completed process for the caller to check."""
    return subprocess.run(
        [
            str(vix_ffi_bin()),
            "gen-python",
            "--spec",
            str(spec),
            "--out",
            str(out),
            "--compile",
            python,
        ],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def c_compiler() -> str:
    """The C compiler: ``$VIX_TEST_CC`` (GCC-style flags), else ``gcc``."""
    return os.environ.get("VIX_TEST_CC") or "gcc"


def backend() -> str:
    """The backend the suites run generated packages on: ``$VIX_FFI_BACKEND``
    (``compiled`` or ``ctypes``; ``cargo xtask test`` runs the suites once with each),
    else ``compiled``. With ``compiled``, a generated package that cannot load its
    extension raises ImportError, so no test passes on ctypes by accident."""
    return os.environ.get("VIX_FFI_BACKEND") or "compiled"


@contextlib.contextmanager
def backend_for(package_dir: Path) -> Iterator[None]:
    """Sets ``VIX_FFI_BACKEND`` to ``backend_of(package_dir)`` for an import of the
    package (the backend is chosen then), and restores it afterwards."""
    saved = os.environ.get("VIX_FFI_BACKEND")
    os.environ["VIX_FFI_BACKEND"] = backend_of(package_dir)
    try:
        yield
    finally:
        if saved is None:
            del os.environ["VIX_FFI_BACKEND"]
        else:
            os.environ["VIX_FFI_BACKEND"] = saved


def backend_of(package_dir: Path) -> str:
    """The backend a generated package runs on in the suites: ``backend()``, except
    for a package generated without ``_vix_ext.c`` (one with neither an api function
    nor a class: nothing to compile), which runs on ctypes, as
    ``VIX_FFI_BACKEND=compiled`` would refuse. A package with classes has the source, so
    with ``compiled`` one whose extension does not build or load fails its import."""
    return backend() if (package_dir / "_vix_ext.c").exists() else "ctypes"


def compile_args() -> list[str]:
    """What ``vix-ffi gen-python`` takes to build the compiled backend for the Python
    running the tests (nothing when the suites run on ctypes)."""
    if backend() == "ctypes":
        return []
    import sys

    return ["--compile", sys.executable]
