"""Helpers of the ``vix-ffi check`` suite: paths, fixture builds, running the binary.

(A module of its own rather than ``conftest``, which every suite has: ``from conftest
import`` would pick whichever suite's conftest came first.)
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from vix_test_env import vix_ffi_bin

REPO_ROOT = Path(__file__).resolve().parents[3]
FIXTURE_DIR = REPO_ROOT / "tests" / "fixtures" / "check"
FIXTURE_SPEC = FIXTURE_DIR / "bindings.json"
EXAMPLE_SPEC = REPO_ROOT / "examples" / "base64_ffi" / "bindings.json"

# Every build of fixlib.c: NONE is the correct library, the others break one rule each.
BUGS = [
    "NONE",
    "OVERFLOW",
    "QUERY_SIZE",
    "RC",
    "NO_STATUS",
    "NULL_OUT_LEN",
    "NONDETERMINISTIC",
    "BAD_UTF8",
    "DANGLING_MESSAGE",
    "SEGV_QUERY",
    "HANG",
    "SHARED_BUFFER",
    "MISSING_SYMBOL",
    "VERSION_EMPTY",
    "VERSION_UTF8",
    "NON_ASCII",
    "ASTRAL",
    "BLOCKS",
    "READ_PAST",
    "READ_BEFORE",
    "ABORT_ON_NULL",
    "LEAK",
    "FUZZ",
]

CPP_DIR = REPO_ROOT / "tests" / "fixtures" / "check_cpp"
CPP_SPEC = CPP_DIR / "bindings.json"

# Every build of check_cpp/rawlib.cpp: NONE is written like the seed's original C++
# example (std::string outputs, no try/catch), the others add one mistake each.
CPP_BUGS = ["NONE", "THROW", "NO_EXTERN_C"]

CXX_FLAGS = [
    "-std=c++17",
    "-Wall",
    "-Wextra",
    "-Wpedantic",
    "-Werror",
    "-O2",
    "-shared",
    "-fPIC",
    "-fvisibility=hidden",
    "-DVIX_FFI_BUILD_DLL",
]

TYPED_DIR = REPO_ROOT / "tests" / "fixtures" / "c_typed"
TYPED_SPEC = TYPED_DIR / "bindings.json"

# Every build of typedlib.c: NONE is the conformant library, the others break one rule
# that typed signatures add each.
TYPED_BUGS = [
    "NONE",
    "SCALAR_ON_FAILURE",
    "NO_STATUS_SCALAR",
    "NULL_OUT_VALUE",
    "NAN_CRASH",
    "MULTI_SIZE",
    "STR_NOT_UTF8",
    "RESERVED_CODE",
    "BOOL_TWO",
    "CAP_DEPENDENT",
    "FUZZ_NEWLINE",
]

OBJECTS_DIR = REPO_ROOT / "tests" / "fixtures" / "c_objects"
OBJECTS_SPEC = OBJECTS_DIR / "bindings.json"

# Every build of c_objects/objlib.c: NONE is the conformant library, the others break one
# rule of objects each.
OBJECTS_BUGS = [
    "NONE",
    "FREE_NULL",
    "NULL_SELF_OK",
    "NULL_SELF_CRASH",
    "NEW_LEAK",
    "HANDLE_ON_ERROR",
]

CPP_OBJECTS_DIR = REPO_ROOT / "tests" / "fixtures" / "cpp_objects"
CPP_OBJECTS_SPEC = CPP_OBJECTS_DIR / "bindings.json"

C_FLAGS = [
    "-std=c11",
    "-Wall",
    "-Wextra",
    "-Wpedantic",
    "-Werror",
    "-Wconversion",
    "-Wsign-conversion",
    "-O2",
    "-shared",
    "-fPIC",
    "-fvisibility=hidden",
    "-DVIX_FFI_BUILD_DLL",
]


SCALARS = {"int32", "uint32", "int64", "uint64", "size_t", "double", "bool"}
SIZING = ["size-query", "one-short", "exact-capacity", "no-overflow"]
# The rules of a class as a whole, in report order.
CLASS_RULES = ["free-null", "leaks", "threads"]


def expected_rules(
    function: dict[str, Any], *, method: bool = False, returns: str | None = None
) -> list[str]:
    """The rules the checker applies to a typed function, in report order, worked out
    here from the manifest entry independently of the checker's code. ``method``: a
    method of a class (its first C parameter is ``self``); ``returns``: the output when
    the entry does not say it (a constructor returns its class). A parameter or output
    type that is neither bytes, str nor a scalar names a class."""
    params = function.get("params", [])
    output = returns or function.get("returns", "none")
    buffers = any(p["type"] in ("bytes", "str") for p in params)
    scalars = any(p["type"] in SCALARS for p in params)
    objects = any(
        p["type"] not in SCALARS | {"bytes", "str"} and not p.get("optional", False)
        for p in params
    )
    if output in ("bytes", "str") and len(params) == 1 and buffers and not method:
        # The v1.0 operation shape keeps its own rules, plus the typed ones that apply.
        rules = [
            *SIZING,
            "input-bounds",
            "rc-status",
            "status-written",
            "null-args",
            "null-status",
            "deterministic",
            "message-utf8",
            "message-lifetime",
            "robustness",
            "threads",
            "leaks",
            "allocation-failure",
            "status-range",
        ]
        return rules + (["str-utf8"] if output == "str" else [])
    rules = SIZING[:] if output in ("bytes", "str") else []
    if buffers:
        rules.append("input-bounds")
    rules += ["rc-status", "status-written", "status-range"]
    if buffers or objects or output not in ("none", "self"):
        rules.append("null-args")
    if method:
        rules.append("null-self")
    rules += ["null-status", "deterministic", "message-utf8", "message-lifetime"]
    if buffers:
        rules.append("robustness")
    if scalars:
        rules.append("extreme-values")
    rules += ["threads", "leaks", "allocation-failure"]
    if output in SCALARS:
        rules.append("scalar-output")
    if output == "str":
        rules.append("str-utf8")
    if output not in SCALARS | {"bytes", "str", "none", "self"}:
        rules.append("handle-output")
    return rules


def ascii_promised(spec: Path) -> set[str]:
    """The functions of ``spec`` that a ``python.api`` entry calls with ``"ascii": true``:
    the ones ``vix-ffi check`` applies ``ascii-output`` to."""
    manifest = json.loads(spec.read_text())
    return {
        api["calls"]
        for api in manifest["python"]["api"]
        if api.get("ascii") is True and api["kind"] in ("bytes_to_str", "str_to_str")
    }


def blocks_declared(spec: Path) -> dict[str, set[tuple[int, int]]]:
    """The functions of ``spec`` that a ``python.api`` entry calls with ``output_blocks``,
    each with its declarations ``(in, out)``: the ones ``vix-ffi check`` applies
    ``output-blocks`` to."""
    manifest = json.loads(spec.read_text())
    declared: dict[str, set[tuple[int, int]]] = {}
    for api in manifest["python"]["api"]:
        blocks = api.get("output_blocks")
        if blocks is not None and api["kind"] != "version":
            declared.setdefault(api["calls"], set()).add((blocks["in"], blocks["out"]))
    return declared


@dataclass
class CheckRun:
    """One ``vix-ffi check`` run: exit code, output, and the JSON report if any."""

    code: int
    stdout: str
    stderr: str
    report: dict[str, Any] | None

    def results(self) -> list[dict[str, Any]]:
        assert self.report is not None, self.describe()
        results: list[dict[str, Any]] = self.report["results"]
        return results

    def outcome(self, function: str, rule: str) -> dict[str, Any]:
        """The verdict of ``rule`` on ``function`` (fails the test when absent)."""
        for r in self.results():
            if r["function"] == function and r["rule"] == rule:
                return r
        raise AssertionError(f"no result for {function} {rule}:\n{self.describe()}")

    def failed(self) -> set[tuple[str, str]]:
        return {
            (r["function"], r["rule"]) for r in self.results() if r["outcome"] == "fail"
        }

    def describe(self) -> str:
        return f"exit {self.code}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


def run_check(
    *args: str, env: dict[str, str] | None = None, json_output: bool = True
) -> CheckRun:
    """Runs ``vix-ffi check ARGS`` (with ``--json`` unless told otherwise)."""
    binary = vix_ffi_bin()
    if not binary.exists():
        pytest.fail(f"{binary} does not exist: build it with `cargo build --release`")
    cmd = [str(binary), "check", *args]
    if json_output:
        cmd.append("--json")
    proc = subprocess.run(
        cmd, capture_output=True, text=True, check=False, env=env, timeout=300
    )
    report = None
    if json_output and proc.stdout.strip():
        report = json.loads(proc.stdout)
    return CheckRun(proc.returncode, proc.stdout, proc.stderr, report)
