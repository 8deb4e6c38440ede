"""The CMake side: the quick start, the library it builds, the presets, and the vix_ffi
package used through find_package() after an install and through add_subdirectory()."""

from __future__ import annotations

import ctypes
import json
import re
import subprocess
import textwrap
from pathlib import Path

import pytest

from cpp_support import (
    API_SYMBOLS,
    HOOK_SYMBOLS,
    REPO_ROOT,
    QuickStart,
    exported_symbols,
    run_checked,
)

# The first CMake release that reads each version of the presets schema.
PRESETS_SCHEMA_SINCE = {
    1: (3, 19),
    2: (3, 20),
    3: (3, 21),
    4: (3, 23),
    5: (3, 24),
    6: (3, 25),
    7: (3, 27),
    8: (3, 28),
    9: (3, 30),
    10: (3, 31),
}


def cmake_minimum(cmakelists: Path) -> tuple[int, int]:
    match = re.search(
        r"cmake_minimum_required\(\s*VERSION\s+(\d+)\.(\d+)", cmakelists.read_text()
    )
    assert match, f"no cmake_minimum_required in {cmakelists}"
    return int(match.group(1)), int(match.group(2))


def test_quickstart_builds_without_any_warning(quickstart: QuickStart) -> None:
    for step, log in quickstart.logs.items():
        assert not re.search(r"warning", log, re.IGNORECASE), (
            f"{step} printed a warning:\n{log}"
        )


def test_the_example_is_release_unless_asked(quickstart: QuickStart) -> None:
    cache = (quickstart.example_dir / "CMakeCache.txt").read_text()
    assert "CMAKE_BUILD_TYPE:STRING=Release\n" in cache
    assert "building Release" in quickstart.logs["example-configure"]
    preset_cache = (quickstart.preset_dir / "CMakeCache.txt").read_text()
    assert "CMAKE_BUILD_TYPE:STRING=Debug\n" in preset_cache  # dev-ninja asks for Debug


def test_shipped_library_exports_only_its_api(
    quickstart: QuickStart, build_tools: dict[str, str]
) -> None:
    assert exported_symbols(quickstart.library, build_tools["nm"]) == API_SYMBOLS


def test_test_hooks_live_in_their_own_library(
    quickstart: QuickStart, build_tools: dict[str, str]
) -> None:
    assert exported_symbols(quickstart.hooks_library, build_tools["nm"]) == HOOK_SYMBOLS


def test_root_build_compiles_header_checks_and_the_example(
    quickstart: QuickStart, build_tools: dict[str, str]
) -> None:
    in_tree = (
        quickstart.preset_dir / "examples" / "base64_ffi_cpp" / "libbase64_ffi_cpp.so"
    )
    assert exported_symbols(in_tree, build_tools["nm"]) == API_SYMBOLS
    checks = (
        quickstart.preset_dir
        / "CMakeFiles"
        / "vix_ffi_header_checks.dir"
        / "header_checks"
    )
    objects = sorted(p.name for p in checks.glob("*.o"))
    headers = sorted(p.name for p in (REPO_ROOT / "include" / "vix" / "ffi").iterdir())
    for header in headers:
        stem = header.replace(".", "_")
        assert f"{stem}.cpp.o" in objects, (header, objects)
        if header.endswith(".h"):
            assert f"{stem}.c.o" in objects, (header, objects)


def test_library_gets_the_vix_ffi_flags(
    quickstart: QuickStart, build_tools: dict[str, str]
) -> None:
    commands = run_checked(
        [
            build_tools["ninja"],
            "-C",
            str(quickstart.example_dir),
            "-t",
            "commands",
            "base64_ffi_cpp",
        ]
    ).stdout
    compiles = [c for c in commands.splitlines() if " -c " in c]
    links = [c for c in commands.splitlines() if " -shared " in c]
    assert compiles and len(links) == 1, commands
    for flag in (
        "-fPIC",
        "-fvisibility=hidden",
        "-fvisibility-inlines-hidden",
        "-DVIX_FFI_BUILD_DLL",
        "-Wall",
        "-Wextra",
        "-Wpedantic",
        "-O3",
    ):
        for command in compiles:
            assert f" {flag} " in f" {command} ", (flag, command)
    assert "--no-undefined" in links[0] and "--version-script=" in links[0], links[0]


def test_presets_schema_matches_the_minimum_cmake() -> None:
    presets = json.loads((REPO_ROOT / "CMakePresets.json").read_text())
    minimum = cmake_minimum(REPO_ROOT / "CMakeLists.txt")
    since = PRESETS_SCHEMA_SINCE[presets["version"]]
    newer = PRESETS_SCHEMA_SINCE.get(presets["version"] + 1, (99, 0))
    # Readable by the oldest CMake we claim to support, and the newest schema it reads.
    assert since <= minimum < newer, (presets["version"], minimum)
    declared = presets["cmakeMinimumRequired"]
    assert (declared["major"], declared["minor"]) == minimum
    assert {p["name"] for p in presets["configurePresets"]} >= {
        "dev-ninja",
        "rel-ninja",
    }
    assert (
        cmake_minimum(REPO_ROOT / "examples" / "base64_ffi_cpp" / "CMakeLists.txt")
        == minimum
    )


CONSUMER_CPP = r"""
#include <vix/ffi/vix_ffi.hpp>

#include <cctype>
#include <vector>

int hidden_helper(int x); // neither VIX_FFI_API nor prefixed: must stay local
int hidden_helper(int x) { std::vector<int> v(3, x); return v[1]; }

extern "C" VIX_FFI_API vix_str VIX_FFI_CALL consumer_ffi_version(vix_status *st) noexcept
{
    return vix::ffi::version(st, "9.9.9");
}

extern "C" VIX_FFI_API int VIX_FFI_CALL consumer_upper(const uint8_t *in_ptr, size_t in_len, uint8_t *out_ptr,
                                                       size_t out_cap, size_t *out_len, vix_status *out_status) noexcept
{
    return vix::ffi::sized({in_ptr, in_len, out_ptr, out_cap, out_len, out_status},
        [](vix::ffi::byte_view in) { return in.size() + static_cast<size_t>(hidden_helper(0)); },
        [](vix::ffi::byte_view in, vix::ffi::byte_span out) {
            for (size_t i = 0; i < in.size(); ++i) {
                out[i] = static_cast<uint8_t>(std::toupper(in[i]));
            }
        });
}
"""

CONSUMER_C = r"""
#include <vix/ffi/vix_ffi.h>

int c_helper(void);
int c_helper(void) { return 1; }

VIX_FFI_EXTERN_C VIX_FFI_API int VIX_FFI_CALL consumer_c_answer(vix_status *out_status)
{
    if (out_status != NULL) {
        *out_status = vix_status_ok();
    }
    return 41 + c_helper();
}
"""

CONSUMER_SYMBOLS = {"consumer_ffi_version", "consumer_upper", "consumer_c_answer"}


def write_consumer(folder: Path, how_to_get_vix_ffi: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "consumer.cpp").write_text(CONSUMER_CPP)
    (folder / "consumer_c.c").write_text(CONSUMER_C)
    (folder / "CMakeLists.txt").write_text(
        textwrap.dedent(
            """\
            cmake_minimum_required(VERSION 3.20)
            project(consumer LANGUAGES C CXX)
            {how}
            vix_ffi_add_library(consumer SOURCES consumer.cpp consumer_c.c SYMBOL_PREFIX consumer_)
            """
        ).format(how=how_to_get_vix_ffi)
    )


def check_consumer_library(library: Path, nm: str) -> None:
    assert exported_symbols(library, nm) == CONSUMER_SYMBOLS
    lib = ctypes.CDLL(str(library))
    lib.consumer_c_answer.restype = ctypes.c_int
    lib.consumer_c_answer.argtypes = [ctypes.c_void_p]
    assert lib.consumer_c_answer(None) == 42
    fn = lib.consumer_upper
    fn.restype = ctypes.c_int
    fn.argtypes = [
        ctypes.c_char_p,
        ctypes.c_size_t,
        ctypes.c_char_p,
        ctypes.c_size_t,
        ctypes.POINTER(ctypes.c_size_t),
        ctypes.c_void_p,
    ]
    out = ctypes.create_string_buffer(8)
    n = ctypes.c_size_t(0)
    assert fn(b"vix", 3, out, 8, ctypes.byref(n), None) == 0
    assert out.raw[: n.value] == b"VIX"
    assert fn(b"vix", 3, None, 0, ctypes.byref(n), None) == 3 and n.value == 3


@pytest.fixture(scope="session")
def install_prefix(
    quickstart: QuickStart, build_tools: dict[str, str], cpp_root: Path
) -> Path:
    prefix = cpp_root / "prefix"
    run_checked(
        [
            build_tools["cmake"],
            "--install",
            str(quickstart.preset_dir),
            "--prefix",
            str(prefix),
        ]
    )
    return prefix


def test_install_tree_holds_headers_and_package_files_only(
    install_prefix: Path,
) -> None:
    files = sorted(
        str(p.relative_to(install_prefix))
        for p in install_prefix.rglob("*")
        if p.is_file()
    )
    headers = sorted(
        f"include/vix/ffi/{p.name}"
        for p in (REPO_ROOT / "include" / "vix" / "ffi").iterdir()
    )
    package = [
        f"share/cmake/vix_ffi/{name}"
        for name in (
            "VixFfi.cmake",
            "vix_ffi-config-version.cmake",
            "vix_ffi-config.cmake",
            "vix_ffi-targets.cmake",
        )
    ]
    assert files == sorted(headers + package)


def test_find_package_after_install(
    install_prefix: Path, build_tools: dict[str, str], cpp_root: Path
) -> None:
    src = cpp_root / "consumer-installed"
    write_consumer(src, "find_package(vix_ffi 1.0 CONFIG REQUIRED)")
    build = src / "build"
    cmake = build_tools["cmake"]
    run_checked(
        [
            cmake,
            "-S",
            str(src),
            "-B",
            str(build),
            "-G",
            "Ninja",
            f"-DCMAKE_PREFIX_PATH={install_prefix}",
            "-DCMAKE_COMPILE_WARNING_AS_ERROR=ON",
        ]
    )
    cache = (build / "CMakeCache.txt").read_text()
    assert f"vix_ffi_DIR:PATH={install_prefix}/share/cmake/vix_ffi\n" in cache
    assert "CMAKE_BUILD_TYPE:STRING=Release\n" in cache
    run_checked([cmake, "--build", str(build)])
    commands = run_checked(
        [build_tools["ninja"], "-C", str(build), "-t", "commands"]
    ).stdout
    assert (
        f"-isystem {install_prefix}/include" in commands
    )  # the installed headers, not the sources
    check_consumer_library(build / "libconsumer.so", build_tools["nm"])


def test_find_package_refuses_another_major_version(
    install_prefix: Path, build_tools: dict[str, str], cpp_root: Path
) -> None:
    src = cpp_root / "consumer-v2"
    write_consumer(src, "find_package(vix_ffi 2.0 CONFIG REQUIRED)")
    proc = subprocess.run(
        [
            build_tools["cmake"],
            "-S",
            str(src),
            "-B",
            str(src / "build"),
            "-G",
            "Ninja",
            f"-DCMAKE_PREFIX_PATH={install_prefix}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0
    # The installed package's version is the headers' ABI version.
    assert "1.1.0" in proc.stderr and "vix_ffi" in proc.stderr, proc.stderr


def test_add_subdirectory(
    quickstart: QuickStart, build_tools: dict[str, str], cpp_root: Path
) -> None:
    src = cpp_root / "consumer-subdir"
    write_consumer(src, f'add_subdirectory("{quickstart.root}" vix_ffi)')
    build = src / "build"
    cmake = build_tools["cmake"]
    run_checked(
        [
            cmake,
            "-S",
            str(src),
            "-B",
            str(build),
            "-G",
            "Ninja",
            "-DCMAKE_COMPILE_WARNING_AS_ERROR=ON",
        ]
    )
    run_checked([cmake, "--build", str(build)])
    check_consumer_library(build / "libconsumer.so", build_tools["nm"])
    # As a subproject, vix_ffi adds no targets of its own and no install rules.
    targets = run_checked(
        [build_tools["ninja"], "-C", str(build), "-t", "targets", "all"]
    ).stdout
    assert "header_checks" not in targets and "base64_ffi_cpp" not in targets, targets
    prefix = src / "prefix"
    run_checked([cmake, "--install", str(build), "--prefix", str(prefix)])
    assert not prefix.exists() or not any(prefix.rglob("*")), list(prefix.rglob("*"))


def test_example_builds_from_the_source_tree_without_a_package(
    quickstart: QuickStart, build_tools: dict[str, str], cpp_root: Path
) -> None:
    """With no vix_ffi package to find, the example adds the repository root itself."""
    build = cpp_root / "example-from-source-tree"
    cmake = build_tools["cmake"]
    proc = run_checked(
        [
            cmake,
            "-S",
            str(quickstart.root / "examples" / "base64_ffi_cpp"),
            "-B",
            str(build),
            "-G",
            "Ninja",
            "-DCMAKE_DISABLE_FIND_PACKAGE_vix_ffi=ON",
        ]
    )
    assert f"vix_ffi from the source tree {quickstart.root}\n" in proc.stdout, (
        proc.stdout
    )
    run_checked([cmake, "--build", str(build)])
    assert (
        exported_symbols(build / "libbase64_ffi_cpp.so", build_tools["nm"])
        == API_SYMBOLS
    )


def test_install_without_building_and_outside_the_checkout(
    build_tools: dict[str, str], cpp_root: Path
) -> None:
    """The install of the guide's C and C++ chapter: configure into a folder outside
    the checkout with the header checks and the example off, then install; nothing is
    compiled, nothing is written into the source tree."""
    before = sorted(p.name for p in REPO_ROOT.iterdir())
    build = cpp_root / "install-only-build"
    prefix = cpp_root / "install-only-prefix"
    cmake = build_tools["cmake"]
    configure = subprocess.run(
        [
            cmake,
            "-S",
            str(REPO_ROOT),
            "-B",
            str(build),
            "-DVIX_FFI_BUILD_TESTS=OFF",
            "-DVIX_FFI_BUILD_EXAMPLES=OFF",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert configure.returncode == 0, configure.stdout + configure.stderr
    install = subprocess.run(
        [cmake, "--install", str(build), "--prefix", str(prefix)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    assert (prefix / "include" / "vix" / "ffi" / "vix_ffi.hpp").is_file()
    assert (prefix / "share" / "cmake" / "vix_ffi" / "vix_ffi-config.cmake").is_file()
    # Nothing was compiled: no object file or library in the build folder.
    built = [p for p in build.rglob("*") if p.suffix in (".o", ".so", ".a")]
    assert built == []
    assert sorted(p.name for p in REPO_ROOT.iterdir()) == before
