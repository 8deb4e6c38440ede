"""``vix-ffi check`` on functions of typed signatures (ABI v1.1): tests/fixtures/c_typed.

The conformant typedlib passes every rule the checker derives from each signature; each
``-DBUG_<NAME>`` build breaks one rule that typed signatures add, and must be reported
under it, naming the function and the call.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from check_helpers import TYPED_SPEC, expected_rules, run_check


def typed_functions() -> dict[str, dict[str, Any]]:
    """The functions of the typed manifest declared with ``returns``, by name."""
    manifest = json.loads(TYPED_SPEC.read_text())
    return {f["name"]: f for f in manifest["functions"] if "returns" in f}


def test_the_conformant_build_passes_every_rule(typed_libs: dict[str, Path]) -> None:
    run = run_check("--spec", str(TYPED_SPEC), "--lib", str(typed_libs["NONE"]))
    assert run.code == 0, run.describe()
    skipped = {
        (r["function"], r["rule"]) for r in run.results() if r["outcome"] == "skip"
    }
    # reset() takes nothing and cannot fail: no message to read.
    assert skipped == {("reset", "message-utf8"), ("reset", "message-lifetime")}, (
        run.describe()
    )
    assert run.failed() == set(), run.describe()
    for name, function in typed_functions().items():
        rules = [
            r["rule"]
            for r in run.results()
            if r["function"] == name and r["rule"] != "symbol"
        ]
        want = expected_rules(function)
        if name == "hexlify":
            want += ["ascii-output", "output-blocks"]
        assert rules == want, (name, rules)
    # The signatures' own numbers show in what was tested.
    seen = run.outcome("clamp", "extreme-values")["seen"]
    assert "with hi, lo, x at the limits" in seen, seen
    seen = run.outcome("clamp", "status-range")["seen"]
    assert seen.endswith("status codes seen: 0, 1000"), seen
    seen = run.outcome("clamp", "scalar-output")["seen"]
    counts = re.fullmatch(
        r"(\d+) successful calls wrote out_value, (\d+) failed calls left it alone",
        seen,
    )
    assert counts and int(counts[1]) > 0 and int(counts[2]) > 0, seen
    seen = run.outcome("repeat", "null-args")["seen"]
    assert seen.startswith("text_ptr NULL, sep_ptr NULL, out_len NULL"), seen
    assert run.outcome("is_prime", "null-args")["seen"] == "out_value NULL"


# bug: (failures that must be reported, other failures the same bug may cause, a part
# of the first finding's "seen")
EXPECTED: dict[str, tuple[set[tuple[str, str]], set[tuple[str, str]], str]] = {
    "SCALAR_ON_FAILURE": (
        {("clamp", "scalar-output")},
        set(),
        "library status code 1000, and out_value written",
    ),
    "NO_STATUS_SCALAR": (
        {("crc32", "status-written")},
        set(),
        "the status not written",
    ),
    "NULL_OUT_VALUE": (
        {("is_prime", "null-args")},
        set(),
        "SIGSEGV",
    ),
    "NAN_CRASH": (
        {("describe", "extreme-values")},
        set(),
        "SIGABRT",
    ),
    "MULTI_SIZE": (
        {("concat", "size-query")},
        {("concat", "one-short"), ("concat", "exact-capacity")},
        "VIX_STATUS_BUFFER_TOO_SMALL, out_len 0",
    ),
    "STR_NOT_UTF8": (
        {("describe", "str-utf8")},
        set(),
        "not UTF-8",
    ),
    "RESERVED_CODE": (
        {("clamp", "status-range")},
        set(),
        "unknown status code 500 (reserved by the ABI)",
    ),
    "CAP_DEPENDENT": (
        {("concat", "exact-capacity")},
        set(),
        "VIX_STATUS_OK, but the output differs from offset 0",
    ),
    "BOOL_TWO": (
        {("is_prime", "scalar-output")},
        set(),
        "out_value the byte 2 (a bool is 0 or 1)",
    ),
}


@pytest.mark.parametrize("bug", sorted(EXPECTED))
def test_each_broken_rule_is_reported_under_it_naming_the_function(
    bug: str, typed_libs: dict[str, Path]
) -> None:
    must, may, seen = EXPECTED[bug]
    run = run_check("--spec", str(TYPED_SPEC), "--lib", str(typed_libs[bug]))
    assert run.code == 1, run.describe()
    failed = run.failed()
    assert must <= failed, f"missing {must - failed}\n{run.describe()}"
    assert failed <= must | may, f"unexpected {failed - must - may}\n{run.describe()}"
    for function, rule in must:
        result = run.outcome(function, rule)
        call = result["input"].removeprefix("while calling ")
        assert call.startswith(f"{function}("), result
        assert seen in result["seen"], result
        assert result["expected"], result

    text = run_check(
        "--spec", str(TYPED_SPEC), "--lib", str(typed_libs[bug]), json_output=False
    )
    assert text.code == 1, text.describe()
    for function, rule in must:
        line = next(
            line
            for line in text.stdout.splitlines()
            if line.startswith("FAIL") and line.split()[1:3] == [function, rule]
        )
        assert f"{function}(" in line, line


def test_a_crash_on_nan_names_the_parameter_and_the_value(
    typed_libs: dict[str, Path],
) -> None:
    run = run_check("--spec", str(TYPED_SPEC), "--lib", str(typed_libs["NAN_CRASH"]))
    result = run.outcome("describe", "extreme-values")
    assert result["outcome"] == "fail", result
    # The other parameters at ordinary values, NaN alone the extreme.
    assert result["input"].startswith(
        'while calling describe(name=text (12 bytes: b"hello, world"), level=3, '
        "scale=NaN, loud=true"
    ), result
    # The NaN never reaches the ordinary arguments of the other rules.
    assert run.outcome("describe", "threads")["outcome"] == "pass"


def test_a_wrong_size_with_several_inputs_names_both_inputs_and_the_size(
    typed_libs: dict[str, Path],
) -> None:
    run = run_check("--spec", str(TYPED_SPEC), "--lib", str(typed_libs["MULTI_SIZE"]))
    result = run.outcome("concat", "size-query")
    assert result["input"] == (
        'concat(a=empty input (0 bytes), b=one byte 0x00 (1 byte: b"\\x00"), '
        "out_ptr NULL, out_cap 0)"
    ), result
    assert result["expected"].startswith("VIX_STATUS_BUFFER_TOO_SMALL, out_len 1"), (
        result
    )


def test_a_crash_on_null_is_reported_once_and_the_message_rules_say_why_they_skip(
    typed_libs: dict[str, Path],
) -> None:
    run = run_check(
        "--spec", str(TYPED_SPEC), "--lib", str(typed_libs["NULL_OUT_VALUE"])
    )
    assert run.failed() == {("is_prime", "null-args")}, run.describe()
    for rule in ("message-utf8", "message-lifetime"):
        result = run.outcome("is_prime", rule)
        assert result["outcome"] == "skip", result
        assert "crashed under null-args" in result["seen"], result
    # The functions that handle NULL still have their messages read.
    assert run.outcome("crc32", "message-utf8")["outcome"] == "pass"


def test_a_typed_fuzz_argument_list_is_replayed_by_number(
    typed_libs: dict[str, Path],
) -> None:
    """Typed arguments (scalars included) are rebuilt from --seed, --iterations and the
    list's number: `--replay NAME=#N` calls exactly that list. BUG_NAN_CRASH crashes on a
    NaN, which fuzzing reaches through the extremes it mixes in."""
    lib = str(typed_libs["NAN_CRASH"])
    run = run_check("--spec", str(TYPED_SPEC), "--lib", lib, "--fuzz", "2")
    failed = {f for f, rule in run.failed() if rule == "fuzz"}
    assert failed, run.describe()
    function = min(failed)
    result = run.outcome(function, "fuzz")
    line = next(x for x in result["detail"].splitlines() if x.startswith("replay it: "))
    replay = line.split("--replay ", 1)[1]
    assert replay.startswith(f"{function}=#"), line
    assert "--seed 1 --iterations 64" in line, line
    again = run_check("--spec", str(TYPED_SPEC), "--lib", lib, "--replay", replay)
    assert again.failed() == {(function, "fuzz")}, again.describe()
    assert again.outcome(function, "fuzz")["seen"] == result["seen"]
