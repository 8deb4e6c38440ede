"""The compiled backend as generated code: its C compiles cleanly with gcc and clang under
``-Wall -Wextra -Werror``, the package says which backend it runs on, VIX_FFI_BACKEND
chooses it, a package without its extension runs on ctypes, and both backends show the
same functions (signatures, docstrings, type hints) for every case.

The behaviour of the calls themselves is checked by the other suites, which
``cargo xtask test`` runs on both backends."""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest
from vix_test_env import gen_python_compiled

from generator_support import Case

pytestmark = pytest.mark.skipif(
    os.name == "nt", reason="the extension is built with GCC-style flags here"
)

DESCRIBE = r"""
import importlib, inspect, json, sys, typing
pkg = importlib.import_module(sys.argv[1])
api = importlib.import_module(sys.argv[1] + ".api")
out = {"backend": pkg.BACKEND, "functions": {}, "classes": {}, "twins": []}

def shown(f):
    return {
        "signature": str(inspect.signature(f)),
        "doc": f.__doc__,
        "hints": {k: repr(v) for k, v in typing.get_type_hints(f).items()},
        "name": f.__name__,
        "qualname": f.__qualname__,
        "module": f.__module__,
    }

def twin(name, f):
    # A compiled twin: the extension's Function type, standing in for the Python
    # function it wraps.
    if type(f).__module__ + "." + type(f).__name__ == sys.argv[1] + "._vix_ext.Function":
        assert inspect.isfunction(f.__wrapped__)
        out["twins"].append(name)

for name in api.__all__:
    f = getattr(api, name)
    if isinstance(f, type) and issubclass(f, BaseException):
        continue
    if isinstance(f, type):
        members = {
            m: shown(v)
            for m, v in vars(f).items()
            if callable(v) and m != "__enter__" and not m.startswith("_vix")
        }
        for m, v in vars(f).items():
            twin(name + "." + m, v)
        out["classes"][name] = {
            "signature": str(inspect.signature(f)),
            "doc": f.__doc__,
            "members": members,
            "constants": {
                k: repr(v) for k, v in vars(f).items() if not k.startswith("_")
                and not callable(v)
            },
            "base": [c.__name__ for c in f.__mro__],
        }
        continue
    out["functions"][name] = shown(f)
    twin(name, f)
print(json.dumps(out))
"""


def describe(
    case: Case, python_dir: Path, lib_dir: Path, backend: str | None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "VIX_FFI_BACKEND"}
    env["PYTHONPATH"] = str(python_dir)
    env[case.env_var] = str(lib_dir)
    if backend is not None:
        env["VIX_FFI_BACKEND"] = backend
    return subprocess.run(
        [sys.executable, "-c", DESCRIBE, case.package],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def described(proc: subprocess.CompletedProcess[str]) -> Any:
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


def extension(case: Case) -> Path:
    built = sorted(case.package_dir.glob("_vix_ext.*.so"))
    if not built:
        pytest.skip(f"{case.name} was generated without its compiled backend")
    return built[0]


@pytest.mark.parametrize("compiler", ["gcc", "clang"])
def test_the_extension_is_clean_under_wall_wextra_werror(
    case: Case, compiler: str, tmp_path: Path
) -> None:
    if shutil.which(compiler) is None:
        pytest.skip(f"{compiler} is not installed")
    source = case.package_dir / "_vix_ext.c"
    assert case.has_extension, f"{case.name}: a case without a compiled backend"
    assert source.is_file(), f"{case.name}: no _vix_ext.c"
    proc = subprocess.run(
        [
            compiler,
            "-std=c11",
            "-O2",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-fPIC",
            f"-I{sysconfig.get_paths()['include']}",
            "-c",
            str(source),
            "-o",
            str(tmp_path / "ext.o"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr


def test_both_backends_show_the_same_functions(
    case: Case, stub_lib_dirs: dict[str, Path]
) -> None:
    extension(case)
    lib_dir = stub_lib_dirs[case.name]
    compiled = described(describe(case, case.python_dir, lib_dir, "compiled"))
    ctypes_ = described(describe(case, case.python_dir, lib_dir, "ctypes"))
    assert compiled["backend"] == "compiled"
    assert ctypes_["backend"] == "ctypes"
    assert compiled["functions"] == ctypes_["functions"]
    assert compiled["functions"] or compiled["classes"], "nothing compared"
    assert compiled["classes"] == ctypes_["classes"]
    # Compiled: every function and method (constructors too) is a compiled twin;
    # ctypes: none is.
    expected = list(compiled["functions"])
    for name, cls in compiled["classes"].items():
        expected.extend(f"{name}.{m}" for m in cls["members"])
    assert sorted(compiled["twins"]) == sorted(expected)
    assert ctypes_["twins"] == []
    # Unset, the compiled backend is used where it loads.
    assert described(describe(case, case.python_dir, lib_dir, None))["backend"] == (
        "compiled"
    )


IMPORTS = r"""
import sys
before = set(sys.modules)
__import__(sys.argv[1] + ".api")
new = sorted(set(sys.modules) - before)
package = sys.modules[sys.argv[1]]
import json
print(json.dumps({"backend": package.BACKEND, "all": package.__all__, "new": new}))
"""


def test_the_compiled_backend_imports_nothing_but_the_package(
    case: Case, stub_lib_dirs: dict[str, Path]
) -> None:
    """What keeps its import cheap: no module of the standard library is imported
    (__future__, importlib, ctypes, typing, collections, ...), only the package's own."""
    extension(case)
    env = {k: v for k, v in os.environ.items() if k != "VIX_FFI_BACKEND"}
    env["PYTHONPATH"] = str(case.python_dir)
    env[case.env_var] = str(stub_lib_dirs[case.name])
    proc = subprocess.run(
        [sys.executable, "-c", IMPORTS, case.package],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    got = described(proc)
    assert got["backend"] == "compiled"
    if "_native" in got["all"]:
        pytest.skip(
            f"{case.name} exports _native, the ctypes bindings, as its manifest asks"
        )
    package = case.package
    assert got["new"] == sorted(
        [package, f"{package}.api", f"{package}._vix_base", f"{package}._vix_ext"]
    )


def test_a_package_without_its_extension_runs_on_ctypes(
    case: Case, stub_lib_dirs: dict[str, Path], tmp_path: Path
) -> None:
    ext = extension(case)
    copy = tmp_path / "python"
    shutil.copytree(case.python_dir, copy)
    (copy / case.package / ext.name).unlink()
    lib_dir = stub_lib_dirs[case.name]
    assert described(describe(case, copy, lib_dir, None))["backend"] == "ctypes"
    required = describe(case, copy, lib_dir, "compiled")
    assert required.returncode != 0
    assert "VIX_FFI_BACKEND is 'compiled' but the extension module does not load" in (
        required.stderr
    )


def test_an_unknown_backend_is_refused(
    case: Case, stub_lib_dirs: dict[str, Path]
) -> None:
    proc = describe(case, case.python_dir, stub_lib_dirs[case.name], "cffi")
    assert proc.returncode != 0
    assert "VIX_FFI_BACKEND is 'cffi': set it to 'ctypes' or 'compiled'" in proc.stderr


def other_pythons() -> list[str]:
    """CPython interpreters other than this one to build the extension for:
    ``VIX_TEST_PYTHONS`` (paths separated by ``os.pathsep``), else those pyenv installed
    (3.8 and later)."""
    listed = os.environ.get("VIX_TEST_PYTHONS")
    if listed is not None:
        return [p for p in listed.split(os.pathsep) if p]
    found = glob.glob(os.path.expanduser("~/.pyenv/versions/3.*/bin/python3.*"))
    ours = sys.version_info[:2]
    pythons = []
    for path in sorted(found):
        name = Path(path).name  # python3.N, not python3.N-config
        if not name.replace("python3.", "", 1).isdigit():
            continue
        minor = int(name.replace("python3.", "", 1))
        if minor >= 8 and (3, minor) != ours:
            pythons.append(path)
    return pythons


def test_the_extension_builds_and_loads_on_other_pythons(
    case: Case, stub_lib_dirs: dict[str, Path], tmp_path: Path
) -> None:
    """The C runtime compiles for every supported CPython (3.8's vectorcall names
    included) and the package runs on its compiled backend there."""
    extension(case)
    pythons = other_pythons()
    if not pythons:
        pytest.skip("no other CPython found (set VIX_TEST_PYTHONS)")
    spec = case.python_dir.parent.parent / "bindings.json"
    env = {k: v for k, v in os.environ.items() if k != "VIX_FFI_BACKEND"}
    env[case.env_var] = str(stub_lib_dirs[case.name])
    for python in pythons:
        out = tmp_path / Path(python).name
        proc = gen_python_compiled(spec, out, python)
        assert proc.returncode == 0, f"{python}: {proc.stderr}"
        env["PYTHONPATH"] = str(out / "python")
        run = subprocess.run(
            [python, "-c", f"import {case.package} as p; print(p.BACKEND)"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert run.returncode == 0, f"{python}: {run.stderr}"
        assert run.stdout.split() == ["compiled"], python
