"""Fixtures of the BLAKE3 example's suite: the package generated the way a user would,
and the ``blake3`` package from PyPI, the oracle it must stand in for.

``examples/blake3_ffi`` is built by ``cargo xtask test`` (``build_release``) into
``VIX_TEST_LIB_DIR``. The suite describes the crate with ``vix-ffi from-rust`` (into the
work folder, so the committed manifest is only compared, never written), generates the
package with ``vix-ffi gen-python`` (the compiled backend where the generator makes one;
a package with classes runs on ctypes until then) and imports it with
``BLAKE3_FFI``'s library found through ``VIX_LIB_PATH``.

The oracle is installed for the tests only (``tests/python/requirements.txt``) and used
as a black box: every expected digest of the suite is the oracle's answer.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from vix_test_env import backend_for, compile_args, fresh_dir

REPO_ROOT = Path(__file__).resolve().parents[3]
CRATE = REPO_ROOT / "examples" / "blake3_ffi"
#: The root conftest's ``vix_ffi`` fixture: runs ``vix-ffi``, fails on a non-zero exit.
VixFfi = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def blake3_root(work_dir: Path) -> Path:
    return fresh_dir(work_dir / "blake3_ffi")


@pytest.fixture(scope="session")
def blake3_manifest(blake3_root: Path, vix_ffi: VixFfi) -> Path:
    """The crate's manifest, written by ``vix-ffi from-rust`` into the work folder."""
    manifest = blake3_root / "bindings.json"
    vix_ffi(
        "from-rust",
        "--crate",
        str(CRATE),
        "--out-manifest",
        str(manifest),
        "--out-header",
        str(blake3_root / "blake3_ffi.h"),
    )
    return manifest


@pytest.fixture(scope="session")
def blake3_python_dir(
    blake3_root: Path, blake3_manifest: Path, vix_ffi: VixFfi
) -> Path:
    out = blake3_root / "gen"
    vix_ffi(
        "gen-python", "--spec", str(blake3_manifest), "--out", str(out), *compile_args()
    )
    return out / "python"


@pytest.fixture(scope="session")
def blake3_ffi(blake3_python_dir: Path, lib_dir: Path) -> ModuleType:
    """The generated package, imported anew with ``VIX_LIB_PATH`` naming the library."""
    if not (lib_dir / "libblake3_ffi.so").exists():
        pytest.fail(
            f"{lib_dir / 'libblake3_ffi.so'} does not exist: run "
            "`cargo build --release -p blake3_ffi`",
            pytrace=False,
        )
    saved = os.environ.get("VIX_LIB_PATH")
    os.environ["VIX_LIB_PATH"] = str(lib_dir)
    if str(blake3_python_dir) not in sys.path:
        sys.path.insert(0, str(blake3_python_dir))
    for name in [m for m in sys.modules if m.split(".")[0] == "blake3_ffi"]:
        del sys.modules[name]
    try:
        with backend_for(blake3_python_dir / "blake3_ffi"):
            return importlib.import_module("blake3_ffi")
    finally:
        if saved is None:
            del os.environ["VIX_LIB_PATH"]
        else:
            os.environ["VIX_LIB_PATH"] = saved


@pytest.fixture(scope="session")
def ours(blake3_ffi: ModuleType) -> type:
    """``from blake3_ffi import blake3``."""
    cls: type = blake3_ffi.blake3
    return cls


@pytest.fixture(scope="session")
def oracle() -> type:
    """``from blake3 import blake3``, the package on PyPI."""
    try:
        module = importlib.import_module("blake3")
    except ImportError:
        pytest.fail(
            "the oracle, the blake3 package, is missing: `cargo xtask test` installs it "
            "from tests/python/requirements.txt",
            pytrace=False,
        )
    cls: type = module.blake3
    return cls
