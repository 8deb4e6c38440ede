"""The loader's search order, each case in a child process with a controlled environment.

Each case gets its own copy of the generated package (without any library in it unless
the case puts one there), runs from an empty working folder, and has `LD_LIBRARY_PATH`
unset so that the system loader cannot find the library unless the case allows it.
Which file was really loaded is proven twice: `_native.LOADED_FROM`, and the file mapped
into the child's memory (/proc/self/maps).
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import vix_test_env

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"),
    reason="written for Linux file names and /proc",
)

FILENAME = "libbase64_ffi.so"

SCRIPT = r"""
import json
try:
    from base64_ffi import _native, api
except ImportError as e:
    print(json.dumps({"ok": False, "type": type(e).__name__,
                      "mro": [c.__name__ for c in type(e).__mro__], "msg": str(e)}))
else:
    with open("/proc/self/maps") as f:
        mapped = sorted({l.split()[-1] for l in f if "libbase64_ffi" in l and "/" in l})
    print(json.dumps({"ok": True, "loaded_from": _native.LOADED_FROM, "mapped": mapped,
                      "encoded": api.encode(b"hi"), "decoded": api.decode("aGk=").decode()}))
"""


class Layout:
    """A private copy of the generated package plus folders to put libraries in."""

    def __init__(self, root: Path, generated: Path, lib_file: Path) -> None:
        self.root = root.resolve()
        self.python = self.root / "python"
        self.package = self.python / "base64_ffi"
        shutil.copytree(
            generated / "base64_ffi",
            self.package,
            # The library, not the compiled backend (_vix_ext.*.so).
            ignore=shutil.ignore_patterns("__pycache__", "lib*", "*.dylib", "*.dll"),
        )
        self.cwd = self.root / "cwd"
        self.cwd.mkdir()
        self.lib_file = lib_file

    def put_lib(self, folder: Path, *, content: bytes | None = None) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / FILENAME
        if content is None:
            shutil.copyfile(self.lib_file, target)
        else:
            target.write_bytes(content)
        return target


@pytest.fixture
def layout(tmp_path: Path, base64_python_dir: Path, lib_file: Path) -> Layout:
    return Layout(tmp_path, base64_python_dir, lib_file)


@pytest.fixture
def load(
    layout: Layout, run_py: Callable[..., Any], child_json: Callable[[Any], Any]
) -> Callable[..., dict[str, Any]]:
    def run(env: dict[str, str | None]) -> dict[str, Any]:
        proc = run_py(SCRIPT, pythonpath=layout.python, env=env, cwd=layout.cwd)
        result: dict[str, Any] = child_json(proc)
        return result

    return run


def _assert_loaded(result: dict[str, Any], expected: Path) -> None:
    assert result["ok"], result
    assert Path(result["loaded_from"]).resolve() == expected.resolve(), result
    assert result["mapped"] == [str(expected.resolve())], result
    assert result["encoded"] == "aGk=" and result["decoded"] == "hi", result


# --- the environment variable ----------------------------------------------------------------


def test_env_var_with_empty_entries(
    load: Callable[..., dict[str, Any]], lib_file: Path
) -> None:
    value = os.pathsep.join(["", "/nonexistent", str(lib_file.parent), ""])
    _assert_loaded(load({"VIX_LIB_PATH": value}), lib_file.parent / FILENAME)


def test_env_var_wins_over_package_folder(
    load: Callable[..., dict[str, Any]], layout: Layout
) -> None:
    layout.put_lib(layout.package)
    from_env = layout.put_lib(layout.root / "envlib")
    _assert_loaded(load({"VIX_LIB_PATH": str(from_env.parent)}), from_env)


def test_first_env_entry_wins(
    load: Callable[..., dict[str, Any]], layout: Layout
) -> None:
    first = layout.put_lib(layout.root / "first")
    layout.put_lib(layout.root / "second")
    value = os.pathsep.join(
        [str(layout.root / "empty"), str(first.parent), str(layout.root / "second")]
    )
    _assert_loaded(load({"VIX_LIB_PATH": value}), first)


def test_unusable_entry_is_skipped_for_a_later_one(
    load: Callable[..., dict[str, Any]], layout: Layout
) -> None:
    layout.put_lib(layout.root / "bogus", content=b"this is not a shared library\n" * 8)
    good = layout.put_lib(layout.root / "good")
    value = os.pathsep.join([str(layout.root / "bogus"), str(good.parent)])
    _assert_loaded(load({"VIX_LIB_PATH": value}), good)


# --- the package folder and the system loader ----------------------------------------------


def test_package_folder_when_env_var_unset(
    load: Callable[..., dict[str, Any]], layout: Layout
) -> None:
    in_package = layout.put_lib(layout.package)
    _assert_loaded(load({"VIX_LIB_PATH": None}), in_package)


def test_package_folder_after_env_entries_without_the_library(
    load: Callable[..., dict[str, Any]], layout: Layout
) -> None:
    in_package = layout.put_lib(layout.package)
    value = os.pathsep.join(["/nonexistent", str(layout.root / "empty")])
    _assert_loaded(load({"VIX_LIB_PATH": value}), in_package)


def test_package_folder_found_from_any_working_directory(
    layout: Layout, run_py: Callable[..., Any], child_json: Callable[[Any], Any]
) -> None:
    in_package = layout.put_lib(layout.package)
    elsewhere = layout.root / "somewhere" / "else"
    elsewhere.mkdir(parents=True)
    result = child_json(
        run_py(
            SCRIPT, pythonpath=layout.python, env={"VIX_LIB_PATH": None}, cwd=elsewhere
        )
    )
    _assert_loaded(result, in_package)


def test_system_loader_last(
    load: Callable[..., dict[str, Any]], lib_file: Path
) -> None:
    result = load({"VIX_LIB_PATH": None, "LD_LIBRARY_PATH": str(lib_file.parent)})
    assert result["ok"], result
    assert result["loaded_from"] == FILENAME, result
    assert result["mapped"] == [str(lib_file.resolve())], result


# --- nothing found ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["", ":", "::", ":/nonexistent:"], ids=repr)
def test_empty_entries_do_not_mean_the_working_directory(
    load: Callable[..., dict[str, Any]], layout: Layout, value: str
) -> None:
    layout.put_lib(
        layout.cwd
    )  # a library lying around in the CWD must not be picked up
    result = load({"VIX_LIB_PATH": value.replace(":", os.pathsep)})
    assert not result["ok"], (
        f"loaded {result.get('loaded_from')} from VIX_LIB_PATH={value!r}"
    )
    assert result["type"] == "LibraryNotFoundError", result


def test_not_found_message(load: Callable[..., dict[str, Any]], layout: Layout) -> None:
    value = os.pathsep.join(["/nonexistent-a", "/nonexistent-b"])
    result = load({"VIX_LIB_PATH": value})
    assert not result["ok"], result
    assert result["type"] == "LibraryNotFoundError"
    assert "ImportError" in result["mro"]
    msg = result["msg"]
    assert FILENAME in msg
    assert "/nonexistent-a" in msg and "/nonexistent-b" in msg
    assert str(layout.package) in msg, msg  # the package folder was tried too
    assert "VIX_LIB_PATH" in msg
    # Tried in order.
    assert (
        msg.index("/nonexistent-a")
        < msg.index("/nonexistent-b")
        < msg.index(str(layout.package))
    )


def test_not_found_message_without_env_var(
    load: Callable[..., dict[str, Any]], layout: Layout
) -> None:
    result = load({"VIX_LIB_PATH": None})
    assert not result["ok"] and result["type"] == "LibraryNotFoundError", result
    assert FILENAME in result["msg"] and "VIX_LIB_PATH" in result["msg"]
    assert str(layout.package) in result["msg"]


def test_not_found_message_names_the_os_error(
    load: Callable[..., dict[str, Any]], layout: Layout
) -> None:
    bogus = layout.put_lib(
        layout.root / "bogus", content=b"this is not a shared library\n" * 8
    )
    result = load({"VIX_LIB_PATH": str(bogus.parent)})
    assert not result["ok"] and result["type"] == "LibraryNotFoundError", result
    assert str(bogus.parent) in result["msg"]
    assert "ELF" in result["msg"] or "too short" in result["msg"], result["msg"]


def test_library_without_the_symbols(
    load: Callable[..., dict[str, Any]], layout: Layout
) -> None:
    """A loadable library that lacks the manifest symbols: MissingSymbolError."""
    donor = None
    for name in ("_json", "_struct", "_ctypes", "math", "_decimal", "_csv"):
        path = getattr(importlib.import_module(name), "__file__", None)
        if path and path.endswith(".so"):
            donor = Path(path)
            break
    if donor is None:
        pytest.skip("no extension module file to stand in for a foreign library")
    layout.put_lib(layout.root / "foreign", content=donor.read_bytes())
    result = load({"VIX_LIB_PATH": str(layout.root / "foreign")})
    assert not result["ok"], result
    assert result["type"] == "MissingSymbolError", result
    assert "ImportError" in result["mro"]
    assert any(
        s in result["msg"]
        for s in ("base64_ffi_version", "base64_encode", "base64_decode")
    ), result


# --- manifest search paths -------------------------------------------------------------------


@pytest.fixture
def search_path_layout(
    tmp_path: Path, vix_ffi_bin: Path, example_spec: Path, lib_file: Path
) -> Layout:
    """The example generated from a manifest with two search paths: ``../rel_libs``
    (relative: against the package folder) and an absolute folder."""
    root = tmp_path.resolve()
    spec = json.loads(example_spec.read_text(encoding="utf-8"))
    spec["library"]["search_paths"] = ["../rel_libs", str(root / "abs_libs")]
    spec_path = root / "bindings.json"
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    proc = subprocess.run(
        [
            str(vix_ffi_bin),
            "gen-python",
            "--spec",
            str(spec_path),
            "--out",
            str(root / "gen"),
            *vix_test_env.compile_args(),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return Layout(root / "layout", root / "gen" / "python", lib_file)


def test_search_paths_in_order_after_env_and_before_package(
    search_path_layout: Layout,
    run_py: Callable[..., Any],
    child_json: Callable[[Any], Any],
) -> None:
    lay = search_path_layout
    relative = lay.python / "rel_libs"  # ../rel_libs from the package folder
    absolute = lay.root.parent / "abs_libs"

    def load(env: dict[str, str | None]) -> dict[str, Any]:
        result: dict[str, Any] = child_json(
            run_py(SCRIPT, pythonpath=lay.python, env=env, cwd=lay.cwd)
        )
        return result

    in_package = lay.put_lib(lay.package)
    _assert_loaded(load({"VIX_LIB_PATH": None}), in_package)
    in_absolute = lay.put_lib(absolute)
    _assert_loaded(load({"VIX_LIB_PATH": None}), in_absolute)
    in_relative = lay.put_lib(relative)
    _assert_loaded(load({"VIX_LIB_PATH": None}), in_relative)
    from_env = lay.put_lib(lay.root / "envlib")
    _assert_loaded(load({"VIX_LIB_PATH": str(from_env.parent)}), from_env)


def test_search_paths_are_named_when_nothing_is_found(
    search_path_layout: Layout,
    run_py: Callable[..., Any],
    child_json: Callable[[Any], Any],
) -> None:
    lay = search_path_layout
    result = child_json(
        run_py(SCRIPT, pythonpath=lay.python, env={"VIX_LIB_PATH": None}, cwd=lay.cwd)
    )
    assert not result["ok"] and result["type"] == "LibraryNotFoundError", result
    assert (
        "rel_libs" in result["msg"]
        and str(lay.root.parent / "abs_libs") in result["msg"]
    )
