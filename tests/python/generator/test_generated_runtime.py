"""The generated packages imported and called, in child processes, against stand-in
libraries: namespaces, docstrings, literals of free text, every api kind, and the same on
a Python 3.8 interpreter when one is installed."""

from __future__ import annotations

import glob
import inspect
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from vix_test_env import backend_of

from generator_support import STUB_VERSION, Case

CHILD = r"""
import gc, importlib, inspect, json, sys

expect = json.loads(sys.argv[1])
package = expect["package"]
pkg = importlib.import_module(package)
api = importlib.import_module(package + ".api")
native = importlib.import_module(package + "._native")
result = {"python": list(sys.version_info[:2])}

leaks = {}
for module in (package, package + ".api", package + "._native"):
    namespace = {}
    exec("from %s import *" % module, namespace)
    names = set(namespace) - {"__builtins__"}
    all_ = set(importlib.import_module(module).__all__)
    if names != all_:
        leaks[module] = sorted(names ^ all_)
result["leaks"] = leaks

result["docs"] = {name: getattr(api, name).__doc__ for name in expect["kinds"]}
base = importlib.import_module(package + "._vix_base")
result["search_paths"] = list(base._VIX_SEARCH_PATHS)
result["loaded_from"] = native.LOADED_FROM

gc.collect()
gc.disable()
calls = {}
for name, kind in expect["kinds"].items():
    fn = getattr(api, name)
    if kind == "version":
        calls[name] = [fn()]
        continue
    if kind == "typed":
        # Typed signatures other than the operation shape are called against the
        # real typedlib (tests/python/c_typed); the stand-ins only export the symbol.
        calls[name] = [callable(fn) and fn.__name__ == name]
        continue
    out = []
    for value in ("h\u00e9llo", b"", b"abc", bytearray(b"xyz"), memoryview(b"-ab-")[1:3],
                  b"q" * 100000):
        if isinstance(value, str) and kind.startswith("bytes_"):
            try:
                fn(value)
            except TypeError as err:
                out.append("TypeError: " + str(err))
            continue
        got = fn(value)
        if isinstance(got, bytes):
            out.append(["bytes", got.decode("latin-1")[:16], len(got)])
        else:
            out.append([type(got).__name__, got[:16], len(got)])
    try:
        fn(12)
    except TypeError as err:
        out.append("TypeError: " + str(err))
    calls[name] = out
result["garbage"] = gc.collect()
result["calls"] = calls
print(json.dumps(result))
"""


def expected_kinds(case: Case) -> dict[str, str]:
    """The kind of each api entry; "typed" for one calling a typed function."""
    return {
        entry["name"]: entry.get("kind", "typed")
        for entry in case.manifest["python"]["api"]
    }


def expected_doc(case: Case, name: str) -> str | None:
    """The manifest doc the generator should have used for ``name`` (None: generated)."""
    entry = next(e for e in case.manifest["python"]["api"] if e["name"] == name)
    function = next(
        f for f in case.manifest["functions"] if f["name"] == entry["calls"]
    )
    for doc in (entry.get("doc"), function.get("doc")):
        if doc and doc.strip():
            return str(doc)
    return None


def run_child(python: str, case: Case, lib_dir: Path, tmp_path: Path) -> dict[str, Any]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "LD_LIBRARY_PATH", "VIX_LIB_PATH", case.env_var)
    }
    env["PYTHONPATH"] = str(case.python_dir)
    env[case.env_var] = str(lib_dir)
    env["VIX_FFI_BACKEND"] = backend_of(case.package_dir)
    if python != sys.executable:
        # The compiled backend is built for the Python running the tests; any other
        # one falls back to ctypes.
        env.pop("VIX_FFI_BACKEND", None)
    expect = {"package": case.package, "kinds": expected_kinds(case)}
    proc = subprocess.run(
        [python, "-c", CHILD, json.dumps(expect)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout.splitlines()[-1])
    return result


def check_result(case: Case, result: dict[str, Any], lib_dir: Path) -> None:
    assert result["leaks"] == {}, result["leaks"]
    assert Path(result["loaded_from"]).parent == lib_dir
    assert result["garbage"] == 0
    # Free text arrives exactly, whatever it holds.
    assert result["search_paths"] == case.manifest["library"].get("search_paths", [])
    for name, doc in result["docs"].items():
        wanted = expected_doc(case, name)
        assert doc, name
        if wanted is None:
            assert "native" in doc, doc
        else:
            # Equal once both are cleaned as help() does; tabs are kept apart because
            # cleandoc expands them by column, and the generated lines are indented.
            tidy = "\n".join(line.rstrip() for line in wanted.split("\n"))
            tab = "\N{RIGHTWARDS ARROW}"
            assert inspect.cleandoc(doc.replace("\t", tab)) == inspect.cleandoc(
                tidy.replace("\t", tab)
            ), name
    for name, kind in expected_kinds(case).items():
        calls = result["calls"][name]
        if kind == "version":
            assert calls == [STUB_VERSION]
            continue
        if kind == "typed":
            assert calls == [True]
            continue
        text = kind.endswith("_to_str")
        out_type = "str" if text else "bytes"
        rows = iter(calls)
        first = next(rows)
        if kind.startswith("str_"):
            if text:
                assert first == ["str", "h\u00e9llo", 5]
            else:
                assert first == ["bytes", "h\u00c3\u00a9llo", 6]
        else:
            # bytes parameters refuse str: there is no implicit encoding.
            assert first.startswith("TypeError: ") and "'str'" in first, first
        assert next(rows) == [out_type, "", 0]
        assert next(rows) == [out_type, "abc", 3]
        assert next(rows) == [out_type, "xyz", 3]
        assert next(rows) == [out_type, "ab", 2]
        assert next(rows) == [out_type, "q" * 16, 100000]
        error = next(rows)
        param = "text" if kind.startswith("str_") else "data"
        assert error.startswith("TypeError: "), error
        assert f"{name}()" in error and f"'{param}'" in error and "'int'" in error


def test_imports_and_runs(
    case: Case, stub_lib_dirs: dict[str, Path], tmp_path: Path
) -> None:
    lib_dir = stub_lib_dirs[case.name]
    result = run_child(sys.executable, case, lib_dir, tmp_path)
    check_result(case, result, lib_dir)


def python38() -> str | None:
    """A working CPython 3.8 interpreter: ``VIX_TEST_PYTHON38``, one installed by pyenv,
    or ``python3.8`` on PATH."""
    candidates = [os.environ.get("VIX_TEST_PYTHON38", "")]
    candidates += sorted(
        glob.glob(os.path.expanduser("~/.pyenv/versions/3.8*/bin/python3.8"))
    )
    candidates.append(shutil.which("python3.8") or "")
    for python in filter(None, candidates):
        proc = subprocess.run(
            [python, "-c", "import sys; print(sys.version_info[:2] == (3, 8))"],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.stdout.strip() == "True":
            return python
    return None


def test_imports_and_runs_on_python_3_8(
    case: Case, stub_lib_dirs: dict[str, Path], tmp_path: Path
) -> None:
    python = python38()
    if python is None:
        pytest.skip("no Python 3.8 interpreter (set VIX_TEST_PYTHON38 to one)")
    lib_dir = stub_lib_dirs[case.name]
    result = run_child(python, case, lib_dir, tmp_path)
    assert result["python"] == [3, 8]
    check_result(case, result, lib_dir)
