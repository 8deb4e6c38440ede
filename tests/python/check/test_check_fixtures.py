"""``vix-ffi check`` on fixture libraries each breaking one rule (tests/fixtures/check).

Each broken build must be reported under the rule it breaks, with exit code 1, and only
under rules that the same bug breaks too (a wrong size query also makes the one-short
and exact-capacity calls disagree with it).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from check_helpers import FIXTURE_SPEC, run_check

OPS = ("hex_encode", "hex_decode")
SIZING = ("size-query", "one-short", "exact-capacity")

# bug: (failures that must be reported, other failures the same bug may cause)
EXPECTED: dict[str, tuple[set[tuple[str, str]], set[tuple[str, str]]]] = {
    "OVERFLOW": ({("hex_encode", "no-overflow")}, set()),
    "QUERY_SIZE": (
        {("hex_encode", "size-query"), ("hex_decode", "size-query")},
        {(f, r) for f in OPS for r in SIZING},
    ),
    "RC": ({("hex_decode", "rc-status")}, set()),
    "NO_STATUS": ({("hex_decode", "status-written")}, set()),
    "NULL_OUT_LEN": ({("hex_encode", "null-args"), ("hex_decode", "null-args")}, set()),
    "NONDETERMINISTIC": (
        {("hex_encode", "deterministic")},
        {("hex_encode", "threads")},
    ),
    "BAD_UTF8": ({("hex_decode", "message-utf8")}, set()),
    "DANGLING_MESSAGE": (
        {("hex_decode", "message-lifetime")},
        {("hex_decode", "message-utf8"), ("hex_decode", "threads")},
    ),
    "SHARED_BUFFER": ({("hex_encode", "threads")}, set()),
    "MISSING_SYMBOL": ({("hex_decode", "symbol")}, set()),
    "VERSION_EMPTY": ({("version", "version-nonempty")}, set()),
    "VERSION_UTF8": ({("version", "version-utf8")}, set()),
}


@pytest.mark.parametrize("bug", sorted(EXPECTED))
def test_each_broken_rule_is_reported_by_name(
    bug: str, fixture_libs: dict[str, Path]
) -> None:
    must, may = EXPECTED[bug]
    run = run_check("--spec", str(FIXTURE_SPEC), "--lib", str(fixture_libs[bug]))
    assert run.code == 1, run.describe()
    failed = run.failed()
    assert must <= failed, f"missing {must - failed}\n{run.describe()}"
    assert failed <= must | may, f"unexpected {failed - must - may}\n{run.describe()}"
    for function, rule in must:
        result = run.outcome(function, rule)
        assert result["seen"] and result["expected"], result
    assert run.report is not None and run.report["exit_code"] == 1


def test_the_correct_build_passes_every_rule(fixture_libs: dict[str, Path]) -> None:
    run = run_check("--spec", str(FIXTURE_SPEC), "--lib", str(fixture_libs["NONE"]))
    assert run.code == 0, run.describe()
    assert {r["outcome"] for r in run.results()} == {"pass"}, run.describe()


def test_a_crash_on_the_size_query_is_reported_not_fatal(
    fixture_libs: dict[str, Path],
) -> None:
    run = run_check(
        "--spec", str(FIXTURE_SPEC), "--lib", str(fixture_libs["SEGV_QUERY"])
    )
    assert run.code == 1, run.describe()
    for function in OPS:
        result = run.outcome(function, "size-query")
        assert result["outcome"] == "fail"
        assert "SIGSEGV" in result["seen"], result
        assert result["input"].startswith(f"while calling {function}("), result
        assert "out_ptr NULL, out_cap 0" in result["input"], result
    # The checker lived on: the version function was checked as usual.
    assert run.outcome("version", "version-stable")["outcome"] == "pass"


def test_a_hang_is_cut_by_the_timeout(fixture_libs: dict[str, Path]) -> None:
    run = run_check(
        "--spec",
        str(FIXTURE_SPEC),
        "--lib",
        str(fixture_libs["HANG"]),
        "--timeout",
        "2",
    )
    assert run.code == 1, run.describe()
    assert run.failed() == {("hex_encode", "robustness")}, run.describe()
    result = run.outcome("hex_encode", "robustness")
    assert "no return within 2 s" in result["seen"], result
    assert "large input" in result["input"], result


def test_a_write_past_out_cap_names_the_byte(fixture_libs: dict[str, Path]) -> None:
    run = run_check(
        "--spec",
        str(FIXTURE_SPEC),
        "--lib",
        str(fixture_libs["OVERFLOW"]),
        json_output=False,
    )
    assert run.code == 1, run.describe()
    line = next(
        line for line in run.stdout.splitlines() if line.startswith("FAIL  hex_encode")
    )
    assert line.split()[2] == "no-overflow", line
    assert "wrote past out_cap" in line, line


def test_a_missing_symbol_skips_the_rest_of_its_rules(
    fixture_libs: dict[str, Path],
) -> None:
    run = run_check(
        "--spec", str(FIXTURE_SPEC), "--lib", str(fixture_libs["MISSING_SYMBOL"])
    )
    assert run.code == 1, run.describe()
    assert "fix_hex_decode" in run.outcome("hex_decode", "symbol")["seen"]
    others = [r for r in run.results() if r["function"] == "hex_decode"]
    assert {r["outcome"] for r in others if r["rule"] != "symbol"} == {"skip"}
    assert run.outcome("hex_encode", "size-query")["outcome"] == "pass"
