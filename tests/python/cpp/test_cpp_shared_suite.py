"""The Rust example's Python suite (tests/python/base64_ffi), run unchanged against the
C++ library.

That suite imports the package ``base64_ffi`` generated from examples/base64_ffi/
bindings.json and loads ``libbase64_ffi.so`` from ``VIX_TEST_LIB_DIR``. The C++ library
exports the same three symbols with the same contract, so a copy of it under that file
name is a drop-in replacement: the suite runs in a child pytest with ``VIX_TEST_LIB_DIR``
pointing at a folder that holds only that copy, and its own work folder.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cpp_support import REPO_ROOT, QuickStart

SUITE = REPO_ROOT / "tests" / "python" / "base64_ffi"


def test_base64_ffi_suite_passes_against_the_cpp_library(
    quickstart: QuickStart, cpp_root: Path
) -> None:
    if not SUITE.is_dir() or not list(SUITE.glob("test_*.py")):
        pytest.fail(f"{SUITE} holds no tests to run", pytrace=False)
    lib_dir = cpp_root / "as-libbase64_ffi"
    shutil.rmtree(lib_dir, ignore_errors=True)
    lib_dir.mkdir()
    shutil.copy2(quickstart.library, lib_dir / "libbase64_ffi.so")
    env = dict(os.environ)
    env.pop("VIX_LIB_PATH", None)
    env["VIX_TEST_LIB_DIR"] = str(lib_dir)
    env["VIX_TEST_WORK"] = str(cpp_root / "shared-suite-work")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-rfE",
            "--rootdir",
            str(REPO_ROOT / "tests" / "python"),
            str(SUITE),
        ],
        cwd=str(REPO_ROOT),
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    assert proc.returncode == 0, (
        f"tests/python/base64_ffi against the C++ library: {summary}\n"
        f"--- stdout\n{proc.stdout[-20000:]}\n--- stderr\n{proc.stderr[-5000:]}"
    )
    passed = re.search(r"(\d+) passed", summary)
    assert passed and int(passed.group(1)) > 0, summary
