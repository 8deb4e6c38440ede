"""Fixtures of the C and C++ suite: the CMake flow of the quick start, the C++ example
built by it, and the Python packages ``vix-ffi gen-python`` makes for it.

The build runs on a fresh copy of the CMake side of the repository (the root
``CMakeLists.txt`` and ``CMakePresets.json``, ``cmake/``, ``include/`` and
``examples/base64_ffi_cpp/``) under the pytest work folder, with the exact commands of the
quick start, so the checkout's own ``build-*`` folders are neither used nor touched.

``cmake`` and ``ninja`` come from Debian's packages, installed with ``apt-get`` when they
are missing. When that is impossible the fixtures fail with the reason: nothing here is
skipped.

There is deliberately no ``__init__.py`` in this folder (see ``../base64_ffi``).
"""

from __future__ import annotations

import importlib
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

from cpp_support import (
    CPP_EXAMPLE,
    MIN_CMAKE,
    QuickStart,
    apt_install,
    copy_cmake_tree,
    gen_python,
    import_with_lib_path,
    run_checked,
    version_of,
)
from vix_test_env import fresh_dir


@pytest.fixture(scope="session")
def build_tools() -> dict[str, str]:
    """Paths of ``cmake`` and ``ninja``, installed from Debian's packages when missing."""
    missing = [
        pkg
        for tool, pkg in (("cmake", "cmake"), ("ninja", "ninja-build"))
        if not shutil.which(tool)
    ]
    if missing:
        apt_install(missing)
    tools = {}
    for tool in ("cmake", "ninja", "nm"):
        path = shutil.which(tool)
        if path is None:
            pytest.fail(f"{tool} is still not on PATH", pytrace=False)
        tools[tool] = path
    version = version_of("cmake")
    if version is None or version[:2] < MIN_CMAKE:
        pytest.fail(f"cmake {version} is older than {MIN_CMAKE}", pytrace=False)
    return tools


@pytest.fixture(scope="session")
def cpp_root(work_dir: Path) -> Path:
    return fresh_dir(work_dir / "cpp")


@pytest.fixture(scope="session")
def quickstart(cpp_root: Path, build_tools: dict[str, str]) -> QuickStart:
    """The quick start's four commands, then a reconfigure that adds the test hooks."""
    if not sys.platform.startswith("linux"):
        pytest.fail(
            "the C++ suite is written for Linux (ELF, nm, lib*.so)", pytrace=False
        )
    src = cpp_root / "src"
    copy_cmake_tree(src)
    cmake = build_tools["cmake"]
    logs: dict[str, str] = {}
    steps = [
        ("preset-configure", [cmake, "--preset", "dev-ninja"]),
        ("preset-build", [cmake, "--build", "build-ninja"]),
        (
            "example-configure",
            [
                cmake,
                "-S",
                "examples/base64_ffi_cpp",
                "-B",
                "build-base64-ffi-cpp",
                "-G",
                "Ninja",
            ],
        ),
        ("example-build", [cmake, "--build", "build-base64-ffi-cpp"]),
    ]
    for name, cmd in steps:
        proc = run_checked(cmd, cwd=src)
        logs[name] = proc.stdout + proc.stderr
    # The shipped library is built; the test-only one is added to the same build tree.
    run_checked(
        [
            cmake,
            "-S",
            "examples/base64_ffi_cpp",
            "-B",
            "build-base64-ffi-cpp",
            "-DBASE64_FFI_CPP_TEST_HOOKS=ON",
        ],
        cwd=src,
    )
    proc = run_checked([cmake, "--build", "build-base64-ffi-cpp"], cwd=src)
    logs["hooks-build"] = proc.stdout + proc.stderr
    return QuickStart(src, logs)


@pytest.fixture(scope="session")
def cpp_pkg(quickstart: QuickStart, cpp_root: Path) -> ModuleType:
    """``base64_ffi_cpp``, generated from the example's manifest, over the C++ library."""
    python_dir = gen_python(CPP_EXAMPLE / "bindings.json", cpp_root / "gen-base64")
    pkg = import_with_lib_path(python_dir, "base64_ffi_cpp", quickstart.example_dir)
    native = importlib.import_module("base64_ffi_cpp._native")
    assert Path(native.LOADED_FROM).resolve() == quickstart.library.resolve(), (
        native.LOADED_FROM
    )
    return pkg


@pytest.fixture(scope="session")
def cpp_api(cpp_pkg: ModuleType) -> ModuleType:
    return importlib.import_module("base64_ffi_cpp.api")


@pytest.fixture(scope="session")
def cpp_native(cpp_pkg: ModuleType) -> ModuleType:
    return importlib.import_module("base64_ffi_cpp._native")


@pytest.fixture(scope="session")
def hooks_pkg(quickstart: QuickStart, cpp_root: Path) -> ModuleType:
    """``base64_ffi_cpp_test_hooks``: the test-only library that throws on demand."""
    python_dir = gen_python(
        CPP_EXAMPLE / "test_hooks" / "bindings.json", cpp_root / "gen-hooks"
    )
    pkg = import_with_lib_path(
        python_dir, "base64_ffi_cpp_test_hooks", quickstart.example_dir
    )
    native = importlib.import_module("base64_ffi_cpp_test_hooks._native")
    assert Path(native.LOADED_FROM).resolve() == quickstart.hooks_library.resolve(), (
        native.LOADED_FROM
    )
    return pkg


@pytest.fixture(scope="session")
def hooks_api(hooks_pkg: ModuleType) -> ModuleType:
    return importlib.import_module("base64_ffi_cpp_test_hooks.api")


@pytest.fixture(scope="session")
def hooks_native(hooks_pkg: ModuleType) -> ModuleType:
    return importlib.import_module("base64_ffi_cpp_test_hooks._native")


@pytest.fixture(scope="session")
def rust_api(base64_pkg: ModuleType) -> ModuleType:
    """The Rust example's api (root conftest), to compare behaviour with."""
    return importlib.import_module("base64_ffi.api")
