"""The example's wheel as `cargo xtask wheel` builds it: tag, contents, auditwheel's
verdict, and a call from a fresh venv with nothing set."""

from __future__ import annotations

import platform
import re
import shutil
import sys
import sysconfig
from pathlib import Path

from vixpkg_helpers import LIBRARY_FILE, PACKAGE, Venv, run, wheel_names, wheel_text

ARCH = platform.machine()
WHEEL_RE = re.compile(
    rf"^vix_base64_ffi-(?P<version>[^-]+)-py3-none-"
    rf"(?P<platforms>manylinux_(?P<major>\d+)_(?P<minor>\d+)_{ARCH}(\.manylinux\w+_{ARCH})?)\.whl$"
)


def test_the_wheel_is_manylinux_tagged(example_wheel: Path) -> None:
    match = WHEEL_RE.match(example_wheel.name)
    assert match, example_wheel.name
    wheel = wheel_text(example_wheel, ".dist-info/WHEEL")
    assert "Root-Is-Purelib: false" in wheel
    tags = [
        line.split(": ", 1)[1]
        for line in wheel.splitlines()
        if line.startswith("Tag: ")
    ]
    assert sorted(tags) == sorted(
        f"py3-none-{p}" for p in match["platforms"].split(".")
    )


def test_the_wheel_holds_the_package_the_library_and_nothing_else(
    example_wheel: Path,
) -> None:
    version = WHEEL_RE.match(example_wheel.name)["version"]  # type: ignore[index]
    info = f"vix_base64_ffi-{version}.dist-info"
    assert wheel_names(example_wheel) == sorted(
        [
            f"{PACKAGE}/__init__.py",
            f"{PACKAGE}/_native.py",
            f"{PACKAGE}/_vix_base.py",
            f"{PACKAGE}/_vix_ext.c",
            f"{PACKAGE}/_vix_ext{sysconfig.get_config_var('EXT_SUFFIX')}",
            f"{PACKAGE}/_vix_runtime.py",
            f"{PACKAGE}/api.py",
            f"{PACKAGE}/py.typed",
            f"{PACKAGE}/{LIBRARY_FILE}",
            f"{info}/METADATA",
            f"{info}/WHEEL",
            f"{info}/RECORD",
        ]
    )


def test_the_metadata(example_wheel: Path) -> None:
    metadata = wheel_text(example_wheel, ".dist-info/METADATA")
    assert "\nName: vix-base64-ffi\n" in metadata
    assert "\nRequires-Python: >=3.8\n" in metadata
    assert "Classifier: Typing :: Typed" in metadata
    assert "Classifier: Operating System :: POSIX :: Linux" in metadata
    # No licence is declared, so none is referenced (the original referenced a LICENSE it
    # never wrote).
    assert "License" not in metadata
    # The README is the long description, with the loader order.
    assert "## Where the native library is loaded from" in metadata


def test_auditwheel_show_agrees_with_the_tag(example_wheel: Path) -> None:
    auditwheel = Path(sys.executable).parent / "auditwheel"
    proc = run([auditwheel, "show", example_wheel])
    verdict = re.search(r'platform tag:\s*"([^"]+)"', proc.stdout)
    assert verdict, proc.stdout
    platforms = WHEEL_RE.match(example_wheel.name)["platforms"]  # type: ignore[index]
    assert platforms.split(".")[0] == verdict[1], proc.stdout


def test_the_installed_wheel_works_from_anywhere_with_nothing_set(
    installed: Venv, outside: Path
) -> None:
    code = (
        "import base64_ffi, base64_ffi._native as n\n"
        "from base64_ffi import api\n"
        "print(api.decode(api.encode(b'hello')))\n"
        "print(api.encode(b'hello'))\n"
        "print(n.LOADED_FROM)\n"
        "print(base64_ffi.__file__)\n"
    )
    for cwd in (outside, Path(outside.anchor)):
        out = installed.run_code(code, cwd=cwd).stdout.splitlines()
        assert out[0] == "b'hello'"
        assert out[1] == "aGVsbG8="
        loaded, package_file = Path(out[2]), Path(out[3])
        assert loaded == package_file.parent / LIBRARY_FILE
        assert installed.path in loaded.parents, "the bundled copy is the one loaded"


def test_the_installed_wheel_runs_compiled_with_nothing_set(
    installed: Venv, outside: Path
) -> None:
    code = "import base64_ffi; print(base64_ffi.BACKEND)"
    assert installed.run_code(code, cwd=outside).stdout.strip() == "compiled"
    forced = installed.run_code(code, cwd=outside, VIX_FFI_BACKEND="ctypes")
    assert forced.stdout.strip() == "ctypes"


def test_the_installed_wheel_is_typed(installed: Venv, outside: Path) -> None:
    code = "import importlib.resources as r; print(r.files('base64_ffi').joinpath('py.typed').is_file())"
    assert installed.run_code(code, cwd=outside).stdout.strip() == "True"


def test_the_environment_variable_comes_before_the_bundled_copy(
    installed: Venv, outside: Path, lib_dir: Path
) -> None:
    """Step 1 of the README's order before step 3, as the installed package does it."""
    other = outside / "other-build"
    other.mkdir()
    shutil.copy(lib_dir / LIBRARY_FILE, other / LIBRARY_FILE)
    code = "import base64_ffi._native as n; print(n.LOADED_FROM)"
    out = installed.run_code(code, cwd=outside, VIX_LIB_PATH=str(other)).stdout.strip()
    assert Path(out) == other / LIBRARY_FILE
