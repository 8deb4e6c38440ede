"""What the generator suite's fixtures and tests share: the cases and the stand-in
libraries' C source. (A module of its own: several folders of this tree have a
``conftest.py``, so ``from conftest import ...`` could find another one.)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[2]
RUFF_CONFIG = HERE / "ruff.toml"
MYPY_CONFIG = HERE / "mypy.ini"
STUB_VERSION = "9.9.9-stub"

SPECS = {
    "base64_ffi": REPO_ROOT / "examples" / "base64_ffi" / "bindings.json",
    "textlib": REPO_ROOT / "tests" / "fixtures" / "c_textlib" / "bindings.json",
    "typedlib": REPO_ROOT / "tests" / "fixtures" / "c_typed" / "bindings.json",
    "objlib": REPO_ROOT / "tests" / "fixtures" / "c_objects" / "bindings.json",
    "hostile": HERE / "hostile.json",
}


@dataclass(frozen=True)
class Case:
    """One generated package."""

    name: str
    manifest: dict[str, Any]
    python_dir: Path

    @property
    def package(self) -> str:
        return str(self.manifest["python"]["package"])

    @property
    def package_dir(self) -> Path:
        return self.python_dir / self.package

    @property
    def env_var(self) -> str:
        return str(self.manifest["library"].get("env_var", "VIX_LIB_PATH"))

    @property
    def library(self) -> str:
        return str(self.manifest["library"]["name"])

    @property
    def has_extension(self) -> bool:
        """Whether the generator writes a compiled backend (_vix_ext.c) for this package:
        for every one with an api function or a class."""
        return bool(self.manifest["python"].get("api") or self.manifest.get("classes"))

    def files(self) -> list[Path]:
        return sorted(self.package_dir.glob("*.py"))


def _is_operation(function: dict[str, Any]) -> bool:
    types = [arg["type"] for arg in function.get("args", [])]
    return function.get("restype", "int") == "int" and types == [
        "u8_ptr",
        "size_t",
        "u8_ptr",
        "size_t",
        "size_t_ptr",
        "vix_status_ptr",
    ]


def _is_version(function: dict[str, Any]) -> bool:
    types = [arg["type"] for arg in function.get("args", [])]
    return function.get("restype") == "vix_str" and types == ["vix_status_ptr"]


def stub_source(manifest: dict[str, Any]) -> str:
    """C source of a stand-in library for ``manifest``."""
    prefix = manifest.get("symbol_prefix", "")
    lines = [
        "#include <string.h>",
        "#include <vix/ffi/vix_ffi.h>",
        "#define STUB VIX_FFI_EXTERN_C VIX_FFI_API",
        "static void ok(vix_status *st) {",
        "    if (st) { st->code = VIX_STATUS_OK; st->message.ptr = 0; st->message.len = 0; }",
        "}",
    ]
    for function in manifest["functions"]:
        symbol = function.get("symbol", prefix + function["name"])
        if _is_version(function):
            lines += [
                f"STUB vix_str VIX_FFI_CALL {symbol}(vix_status *st) {{",
                f'    vix_str s = {{"{STUB_VERSION}", {len(STUB_VERSION)}}};',
                "    ok(st);",
                "    return s;",
                "}",
            ]
        elif _is_operation(function):
            lines += [
                f"STUB int VIX_FFI_CALL {symbol}(const uint8_t *in, size_t n,",
                "        uint8_t *out, size_t cap, size_t *out_len, vix_status *st) {",
                "    *out_len = n;",
                "    if (cap < n) {",
                "        if (st) {",
                '            static const char m[] = "stub: output buffer too small";',
                "            st->code = VIX_STATUS_BUFFER_TOO_SMALL;",
                "            st->message.ptr = m;",
                "            st->message.len = sizeof m - 1;",
                "        }",
                "        return VIX_STATUS_BUFFER_TOO_SMALL;",
                "    }",
                "    if (n) memcpy(out, in, n);",
                "    ok(st);",
                "    return 0;",
                "}",
            ]
        else:
            lines.append(f"STUB void VIX_FFI_CALL {symbol}(void) {{}}")
    # Classes: every symbol exists; the stand-ins are never called.
    for cls in manifest.get("classes", []):
        stem = cls.get("c_name") or prefix + snake_case(cls["name"])
        members = [m["name"] for m in cls.get("methods", [])] + ["free"]
        if "init" in cls:
            members.append("new")
        lines += [f"STUB void VIX_FFI_CALL {stem}_{m}(void) {{}}" for m in members]
    return "\n".join(lines) + "\n"


def snake_case(name: str) -> str:
    """The generator's default C name of a class: ``HashState`` → ``hash_state``."""
    out = ""
    previous_lower = False
    for c in name:
        if c.isupper():
            out += ("_" if previous_lower else "") + c.lower()
            previous_lower = False
        else:
            out += c
            previous_lower = c.islower() or c.isdigit()
    return out
