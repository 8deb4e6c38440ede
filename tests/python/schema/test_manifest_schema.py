"""The manifest's JSON Schema (``schema/bindings.schema.json``) against the parser.

The schema is written by hand for editors; ``vix-ffi gen-python`` stays the authority.
These tests keep the two in step:

- the schema is a valid draft 2020-12 schema that describes every property;
- every manifest the repository uses as a valid input passes it (and the parser);
- for every case of the parser's bad-manifest corpus
  (``crates/vix-ffi-gen/tests/manifests/bad``), the schema finds a problem at every
  place where the parser reports one that a schema can express, and at no place where
  the parser reports none. The parser's diagnostics are read from the case's
  ``.expected`` file, which the Rust test ``bad_manifests`` keeps equal to what the
  parser prints. A diagnostic that a schema cannot express must match one of
  ``BEYOND_SCHEMA``, and a case that the schema therefore accepts must be listed in
  ``NOT_CAUGHT``, with the reason: a new case must be classified;
- the keys, required keys, types, kinds, exports, exception bases and value ranges the
  schema spells out are the ones the parser names in its messages (a type may also be
  any class's name, which the parser lists among the result types only), as are the
  names a class's members may not take and the types that may be optional; and its
  defaults (those of a conditional's branch where it applies: ``restype``/``args``
  only for a function declared by its C arguments, ``params``/``returns`` only for a
  typed one, ``keyword_only`` by whether the parameter has a default) change nothing
  the parser makes;
- the parser accepts a manifest carrying ``"$schema"``, and ignores it.
"""

from __future__ import annotations

import ast
import copy
import json
import os
import re
import shutil
import subprocess
import textwrap
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

REPO_ROOT = Path(__file__).resolve().parents[3]
SCHEMA_PATH = REPO_ROOT / "schema" / "bindings.schema.json"
SCHEMA: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA)
BAD_CORPUS = REPO_ROOT / "crates" / "vix-ffi-gen" / "tests" / "manifests" / "bad"
GUIDE = REPO_ROOT / "docs" / "guide" / "src"

RunVixFfi = Callable[..., "subprocess.CompletedProcess[str]"]
GenPython = Callable[[Path, Path], Path]

# Diagnostics of the parser that a JSON Schema cannot express, by their message, and why.
WORD_LISTS = (
    "the word lists (Python keywords and builtins, names the generated modules define, "
    "standard-library modules, C and C++ keywords) live in the parser only, so that no "
    "copy can drift from them"
)
TYPED_CALL = (
    "what an api entry may say (kind, ascii, output_blocks) depends on whether the "
    "function it calls, elsewhere in the document, is declared by its C arguments or by "
    "a typed signature, and on that signature"
)
BEYOND_SCHEMA: dict[str, str] = {
    r"^duplicate key ": "a validator sees the parsed document, in which the last of "
    "the repeated keys has already replaced the others",
    r"is a Python keyword": WORD_LISTS,
    r"is a Python builtin": WORD_LISTS,
    r"define themselves": WORD_LISTS,
    r"standard-library module": WORD_LISTS,
    r"C or C\+\+ keyword": WORD_LISTS,
    r"is already used by": "one field unique among the entries of an array "
    "(uniqueItems compares whole entries), or a defaulted symbol, which joins two values",
    r"^calls .*, but no function has that name": "a reference from python.api to a "
    "name in functions, elsewhere in the document",
    r"does not start with symbol_prefix": "compares two values of the document",
    r"calls it with the (operation|version) shape": "a function's signature must fit "
    "the kind of every api entry that calls it, elsewhere in the document",
    r"is already named by": "one field (an error's code) unique among the entries of "
    "an array",
    r"is already the name of the exception": "a name unique across two arrays "
    "(python.api and errors)",
    r"is already the name of the function": "a name unique across two arrays "
    "(functions and errors)",
    r"is already the name of the API function": "a name unique across two arrays "
    "(classes and python.api)",
    r"the class's symbol .* is already the symbol": "a symbol made from a class's "
    "C name, compared with the functions' symbols and names elsewhere in the document",
    r"has no default but follows": "Python's order of parameters, a rule between "
    "entries of an array",
    r"is made twice": "the C names made from the names of two parameters (a_len from "
    "a bytes parameter a), a rule between entries of an array",
    r"declares its typed signature with": TYPED_CALL,
    r'^missing required key "kind" \(functions\[': TYPED_CALL,
    r'only a function returning "str" has': TYPED_CALL,
    r"declares the size of a bytes or str output": TYPED_CALL,
    r'^unknown (parameter|result) type "[A-Za-z][A-Za-z0-9_]*"': "a type may be the "
    "name of any class, so whether a name-shaped type names one depends on classes, "
    "elsewhere in the document (a type that cannot be a class's name is caught)",
    r"is already the name of a method of the class": "a name unique across two "
    "collections of a class (methods and constants)",
}

# Corpus cases that the schema accepts, because every problem in them is beyond it.
NOT_JSON = "not JSON: an editor's JSON parser reports it; a schema never sees it"
NOT_CAUGHT: dict[str, str] = {
    "builtin_names": "Python builtins as names: word lists",
    "c_keyword_symbol": "C keywords as symbols, given and defaulted: word lists",
    "classes_clashes": "a class named like an exception or an API function, and a "
    "class symbol that a function already has: names unique across arrays",
    "calls_unknown_function": "python.api refers to functions that do not exist: "
    "a reference",
    "classes_references": "types naming no class (references), two classes with one "
    "name or one C name, a defaulted C name that joins two values, two methods with one "
    "name, a constant with a method's name (uniqueness), a c_name without "
    "symbol_prefix (compares two values)",
    "duplicate_api_names": "two api functions with one name: uniqueness of a field",
    "duplicate_arg_names": "two arguments with one name: uniqueness of a field",
    "duplicate_function_names": "two functions with one name: uniqueness of a field",
    "duplicate_json_keys": "repeated keys: gone once the JSON is parsed",
    "duplicate_symbols": "two functions with one symbol, given and defaulted: "
    "uniqueness of a field, and a default that joins two values",
    "empty_document": NOT_JSON,
    "keyword_names": "Python keywords as names: word lists",
    "keyword_package": "a Python keyword as the package name: word lists",
    "operation_arg_types": "argument types that do not fit the operation shape: "
    "a signature rule that depends on the api entries calling the function",
    "operation_wrong_arg_count": "argument counts that do not fit the operation "
    "shape: a signature rule",
    "operation_wrong_restype": "return types that do not fit the operation shape: "
    "a signature rule",
    "original_example": "out_len typed size_t for the operation shape (a signature "
    "rule), and a package named like a standard-library module (word lists)",
    "reserved_names": "names the generated modules define themselves: word lists",
    "stdlib_package_base64": "a standard-library module as the package: word lists",
    "stdlib_package_case": "a standard-library module in other letter case as the "
    "package: word lists",
    "stdlib_package_json": "a standard-library module as the package: word lists",
    "stdlib_package_removed": "a removed standard-library module as the package: "
    "word lists",
    "symbol_without_prefix": "symbols that do not start with symbol_prefix: "
    "compares two values",
    "syntax_comment": NOT_JSON,
    "syntax_trailing_comma": NOT_JSON,
    "syntax_unterminated": NOT_JSON,
    "typed_api_entries": "C names made twice by two parameters (a rule between "
    "entries), api entries whose ascii, output_blocks or missing kind do not fit the "
    "function they call (references), and an api name taken by an exception (names "
    "unique across two arrays)",
    "version_wrong_shape": "signatures that do not fit the version shape (a signature "
    "rule), and a defaulted symbol already taken (a default that joins two values)",
}


# --- paths, in the parser's spelling -------------------------------------------------


def place(parts: Iterable[str | int]) -> str:
    """The parser's path of a value: ``functions[0].args[4].type``, ``(document)``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part and re.fullmatch(r"[A-Za-z0-9_$]+", part):
            text += f".{part}" if text else part
        else:
            text += f"[{json.dumps(part, ensure_ascii=False)}]"
    return text or "(document)"


def schema_problems(instance: Any) -> set[str]:
    """Where the schema finds a problem, as the parser would name the place: at the
    unknown key itself, and at the repeated entry of an array."""
    places: set[str] = set()
    for error in VALIDATOR.iter_errors(instance):
        parts = list(error.absolute_path)
        if error.validator == "additionalProperties":
            declared = error.schema.get("properties", {})
            places.update(
                place([*parts, k]) for k in error.instance if k not in declared
            )
        elif "propertyNames" in error.absolute_schema_path:
            # A refused key of a name: value object (a class's constants).
            places.add(place([*parts, error.instance]))
        elif error.validator == "uniqueItems":
            seen: set[str] = set()
            for i, item in enumerate(error.instance):
                key = json.dumps(item, sort_keys=True)
                if key in seen:
                    places.add(place([*parts, i]))
                seen.add(key)
        else:
            places.add(place(parts))
    return places


DIAGNOSTIC = re.compile(
    r"^(?P<path>.+?) \(line \d+(?:, column \d+)?\): (?P<message>.*)$"
)
SYNTAX_DIAGNOSTIC = re.compile(r"^line \d+(?:, column \d+)?: (?P<message>.*)$")


def parse_diagnostics(lines: list[str]) -> list[tuple[str | None, str]]:
    """``(path, message)`` of each diagnostic line; the path is None for a syntax error."""
    out: list[tuple[str | None, str]] = []
    for line in lines:
        if match := DIAGNOSTIC.match(line):
            out.append((match["path"], match["message"]))
        elif match := SYNTAX_DIAGNOSTIC.match(line):
            out.append((None, match["message"]))
        else:
            raise AssertionError(f"not a diagnostic line: {line!r}")
    return out


def beyond_schema(message: str) -> bool:
    return any(re.search(pattern, message) for pattern in BEYOND_SCHEMA)


# --- the schema's own structure ------------------------------------------------------


def resolved(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/$defs/"), ref
        node = SCHEMA["$defs"][ref[len("#/$defs/") :]]
    return node


def schema_at(parts: tuple[str | int, ...]) -> dict[str, Any]:
    """The schema of the value at ``parts`` (``("python", "api", 0)``)."""
    node = SCHEMA
    for part in parts:
        node = resolved(node)
        node = node["items"] if isinstance(part, int) else node["properties"][part]
    return resolved(node)


def declarations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """``(owner, name, schema)`` of every declared property (not those that the
    conditionals constrain)."""
    owners = {"(root)": SCHEMA, **{f"$defs/{k}": v for k, v in SCHEMA["$defs"].items()}}
    for owner, node in owners.items():
        for name, prop in node.get("properties", {}).items():
            yield owner, name, prop


def subschemas(node: Any) -> Iterator[dict[str, Any]]:
    """Every schema object in ``node``, conditionals' branches included."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from subschemas(value)
    elif isinstance(node, list):
        for item in node:
            yield from subschemas(item)


def defaulted_properties() -> list[dict[str, Any]]:
    """The schema of every property, declared or in a conditional, with a default."""
    return [
        prop
        for node in subschemas(SCHEMA)
        for prop in node.get("properties", {}).values()
        if isinstance(prop, dict) and "default" in prop
    ]


def applicable(node: dict[str, Any], instance: Any) -> Iterator[dict[str, Any]]:
    """``node`` and the parts of it that apply to ``instance``: its ``allOf`` entries
    and the branch of each ``if`` that ``instance`` takes."""
    yield node
    for part in node.get("allOf", []):
        yield from applicable(part, instance)
    if "if" in node:
        taken = VALIDATOR.evolve(schema=node["if"]).is_valid(instance)
        branch = node.get("then" if taken else "else")
        if branch is not None:
            yield from applicable(branch, instance)


def object_schemas() -> list[dict[str, Any]]:
    return [
        node
        for node in [SCHEMA, *SCHEMA["$defs"].values()]
        if node.get("type") == "object"
    ]


def default_rules(param_type: str) -> list[dict[str, Any]]:
    """What the schema asks of the default of a parameter of ``param_type``."""
    param = SCHEMA["$defs"]["param"]
    probe = {"name": "p", "type": param_type, "default": None}
    return [
        part["properties"]["default"]
        for part in applicable(param, probe)
        if part is not param and "default" in part.get("properties", {})
    ]


def conditional(then_key: str) -> dict[str, Any]:
    """The ``if`` of the api entry's conditional that constrains ``then_key``."""
    (found,) = [
        rule["if"]["properties"]["kind"]
        for rule in SCHEMA["$defs"]["api_function"]["allOf"]
        if then_key in rule["then"]["properties"]
    ]
    return found


# --- the manifests the repository uses as valid input --------------------------------


def guide_manifests() -> dict[str, str]:
    """The whole manifests of the guide: its ```json blocks that are a JSON object (the
    others show a part of one, such as a ``"classes"`` entry)."""
    found = {}
    for chapter in sorted(GUIDE.glob("*.md")):
        text = chapter.read_text(encoding="utf-8")
        blocks = re.findall(r"```json\n(.*?)```", text, flags=re.DOTALL)
        for i, block in enumerate(b for b in blocks if b.lstrip().startswith("{")):
            found[f"docs/guide/src/{chapter.name}#manifest-{i}"] = block
    return found


def good_manifests() -> dict[str, str]:
    files = {
        *REPO_ROOT.glob("examples/*/bindings.json"),
        *REPO_ROOT.glob("examples/*/*/bindings.json"),
        *REPO_ROOT.glob("tests/fixtures/*/bindings.json"),
        *REPO_ROOT.glob("tests/python/*/*.json"),
        *(BAD_CORPUS.parent / "good").glob("*.json"),
    }
    found = {
        path.relative_to(REPO_ROOT).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(files)
    }
    found.update(guide_manifests())
    return found


GOOD = good_manifests()


def test_the_good_manifests_are_found() -> None:
    for expected in [
        "examples/base64_ffi/bindings.json",
        "examples/base64_ffi_cpp/bindings.json",
        "examples/base64_ffi_cpp/test_hooks/bindings.json",
        "tests/fixtures/c_textlib/bindings.json",
        "tests/fixtures/c_typed/bindings.json",
        "tests/fixtures/c_objects/bindings.json",
        "tests/fixtures/check/bindings.json",
        "tests/python/generator/hostile.json",
        "tests/python/schema/typed_defaults.json",
        "tests/python/schema/class_defaults.json",
        "crates/vix-ffi-gen/tests/manifests/good/all_kinds.json",
        "crates/vix-ffi-gen/tests/manifests/good/minimal.json",
        "docs/guide/src/manifest.md#manifest-0",
        "docs/guide/src/typed-signatures.md#manifest-0",
    ]:
        assert expected in GOOD


def write_spec(folder: Path, manifest: str | dict[str, Any]) -> Path:
    """``folder/bindings.json`` (a fresh folder), so that generated headers match."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    spec = folder / "bindings.json"
    text = manifest if isinstance(manifest, str) else json.dumps(manifest, indent=2)
    spec.write_text(text, encoding="utf-8")
    return spec


def generated_files(python_dir: Path) -> dict[str, bytes]:
    return {
        path.relative_to(python_dir).as_posix(): path.read_bytes()
        for path in sorted(python_dir.rglob("*"))
        if path.is_file()
        and "__pycache__" not in path.parts
        # The compiled backend's build (from the same _vix_ext.c, compared above).
        and not path.name.endswith(".so")
    }


# --- the schema itself ---------------------------------------------------------------


def test_schema_is_a_valid_2020_12_schema() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(SCHEMA)


def test_every_property_is_described() -> None:
    missing = [
        f"{owner}: {name}"
        for owner, name, prop in declarations()
        if not str(prop.get("description", "")).strip()
    ]
    assert not missing


def test_patterns_do_not_take_a_final_newline() -> None:
    # Python's `$` also matches before a final newline; ECMA-262's does not. The
    # patterns are written to mean the same in both, and so refuse these.
    manifest = json.loads(GOOD["examples/base64_ffi/bindings.json"])
    manifest["library"]["name"] += "\n"
    manifest["symbol_prefix"] += "\n"
    manifest["functions"][0]["name"] += "\n"
    manifest["python"]["package"] += "\n"
    assert schema_problems(manifest) == {
        "library.name",
        "symbol_prefix",
        "functions[0].name",
        "python.package",
    }


# --- valid manifests -----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(GOOD))
def test_good_manifest_passes_schema_and_parser(
    name: str, work_dir: Path, gen_python: GenPython
) -> None:
    manifest = json.loads(GOOD[name])
    errors = [
        f"{place(e.absolute_path)}: {e.message}"
        for e in VALIDATOR.iter_errors(manifest)
    ]
    assert not errors
    folder = work_dir / "schema" / "good" / re.sub(r"[^A-Za-z0-9_.-]", "_", name)
    gen_python(write_spec(folder, GOOD[name]), folder / "out")


# --- the bad-manifest corpus ---------------------------------------------------------

BAD_CASES = sorted(path.stem for path in BAD_CORPUS.glob("*.json"))


def test_the_corpus_is_found_and_every_listed_case_exists() -> None:
    assert len(BAD_CASES) >= 25
    assert not set(NOT_CAUGHT) - set(BAD_CASES)


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_manifest(case: str) -> None:
    text = (BAD_CORPUS / f"{case}.json").read_text(encoding="utf-8")
    expected = (BAD_CORPUS / f"{case}.expected").read_text(encoding="utf-8")
    diagnostics = parse_diagnostics(expected.splitlines())
    try:
        manifest = json.loads(text)
    except ValueError:
        assert all(path is None for path, _ in diagnostics), diagnostics
        assert case in NOT_CAUGHT, (
            f"{case}: not JSON, so it must be listed in NOT_CAUGHT"
        )
        return

    found = schema_problems(manifest)
    reported = {path for path, _ in diagnostics}
    expressible = {path for path, message in diagnostics if not beyond_schema(message)}
    assert not found - reported, (
        f"the schema refuses what the parser does not complain about: "
        f"{sorted(found - reported)}"
    )
    assert not expressible - found, (
        f"the parser reports problems that the schema misses (make the schema catch "
        f"them, or add the message to BEYOND_SCHEMA with the reason): "
        f"{[d for d in diagnostics if d[0] in expressible - found]}"
    )
    if case in NOT_CAUGHT:
        assert not found, f"{case} is listed in NOT_CAUGHT, but the schema refuses it"
    else:
        assert found, (
            f"the schema accepts {case}: list it in NOT_CAUGHT with the reason, or make "
            f"the schema catch it"
        )


def test_every_beyond_schema_message_occurs_in_the_corpus() -> None:
    messages = [
        message
        for case in BAD_CASES
        for _, message in parse_diagnostics(
            (BAD_CORPUS / f"{case}.expected").read_text(encoding="utf-8").splitlines()
        )
    ]
    unused = [p for p in BEYOND_SCHEMA if not any(re.search(p, m) for m in messages)]
    assert not unused


# --- the schema's lists are the parser's ---------------------------------------------

# Every object of a manifest, by the path of one in the probes below.
OBJECTS: list[tuple[str | int, ...]] = [
    (),
    ("library",),
    ("functions", 0),
    ("functions", 0, "args", 0),
    ("functions", 1, "params", 0),
    ("errors", 0),
    ("classes", 0),
    ("classes", 0, "init"),
    ("classes", 0, "methods", 0),
    ("python",),
    ("python", "api", 0),
    ("python", "api", 0, "output_blocks"),
]

# A manifest with an unknown key in every object and an unknown value in every list.
UNKNOWN_CLASS = "C"
UNKNOWN_EVERYWHERE = {
    "zz": 1,
    "library": {"name": "demo", "zz": 1},
    "functions": [
        {
            "name": "f",
            "zz": 1,
            "restype": "zz",
            "args": [{"name": "a", "type": "zz", "zz": 1}],
        },
        {
            "name": "t",
            "zz": 1,
            "params": [{"name": "p", "type": "zz", "zz": 1}],
            "returns": "zz",
        },
    ],
    "errors": [{"code": "zz", "name": "E", "base": "zz", "zz": 1}],
    "classes": [
        {
            "name": UNKNOWN_CLASS,
            "zz": 1,
            "init": {"zz": 1},
            "methods": [
                {
                    "name": "m",
                    "zz": 1,
                    "params": [{"name": "p", "type": "zz"}],
                    "returns": "zz",
                }
            ],
        }
    ],
    "python": {
        "package": "demo_ffi",
        "zz": 1,
        "exports": ["zz"],
        "api": [
            {
                "name": "g",
                "calls": "f",
                "kind": "zz",
                "zz": 1,
                "output_blocks": {"in": 1, "out": 1, "zz": 1},
            },
            {
                "name": "h",
                "calls": "f",
                "kind": "version",
                "ascii": True,
                "output_blocks": {"in": 1, "out": 1},
            },
        ],
    },
}

# Every object left empty (the top level in a document of its own). A class without
# a name is not read further, so the init and the method are another class's.
EMPTY_OBJECTS = {
    "library": {},
    "functions": [{"args": [{}]}, {"params": [{}]}],
    "errors": [{}],
    "classes": [
        {"init": {}, "methods": [{}]},
        {"name": "C", "init": {}, "methods": [{}]},
    ],
    "python": {"api": [{"output_blocks": {}}]},
}
# EMPTY_OBJECTS' paths of the objects of OBJECTS that it has elsewhere.
EMPTY_AT = {
    ("classes", 0, "init"): ("classes", 1, "init"),
    ("classes", 0, "methods", 0): ("classes", 1, "methods", 0),
}


def parser_messages(
    manifest: dict[str, Any], folder: Path, vix_ffi: RunVixFfi
) -> dict[str, list[str]]:
    """The parser's messages for a manifest it must refuse, by path."""
    spec = write_spec(folder, manifest)
    proc = vix_ffi(
        "gen-python", "--spec", str(spec), "--out", str(folder / "out"), check=False
    )
    assert proc.returncode != 0, proc.stdout
    prefix = f"{spec}: "
    lines = [
        line[len(prefix) :]
        for line in proc.stderr.splitlines()
        if line.startswith(prefix)
    ]
    messages: dict[str, list[str]] = {}
    for path, message in parse_diagnostics(lines):
        messages.setdefault(str(path), []).append(message)
    return messages


def fixed_names(node: dict[str, Any]) -> set[str]:
    """The names a type or a result schema spells out: its enum, or those of its
    ``anyOf`` branches (``enum`` and ``const``; the class-name branch spells none)."""
    node = resolved(node)
    names = set(node.get("enum", []))
    if "const" in node:
        names.add(node["const"])
    for branch in node.get("anyOf", []):
        branch = resolved(branch)
        if branch is not SCHEMA["$defs"]["class_name"]:
            names |= fixed_names(branch)
    return names


def class_branch(node: dict[str, Any]) -> bool:
    """Whether a type or result schema also takes a class's name."""
    return any(
        resolved(branch) is SCHEMA["$defs"]["class_name"]
        for branch in resolved(node).get("anyOf", [])
    )


def listed(message: str, pattern: str) -> set[str]:
    """The comma-separated names the parser lists in ``message`` where ``pattern``'s
    group matched."""
    match = re.search(pattern, message)
    assert match, f"{pattern!r} not in {message!r}"
    return {name.strip() for name in match[1].split(",")}


def test_keys_types_kinds_and_exports_are_the_parsers(
    work_dir: Path, vix_ffi: RunVixFfi
) -> None:
    messages = parser_messages(
        UNKNOWN_EVERYWHERE, work_dir / "schema" / "unknown", vix_ffi
    )
    for parts in OBJECTS:
        (message,) = messages[place([*parts, "zz"])]
        allowed = listed(message, r"\(allowed keys: ([^)]*)\)")
        assert allowed == set(schema_at(parts)["properties"]), place(parts)
    covered = [id(schema_at(parts)) for parts in OBJECTS]
    assert sorted(covered) == sorted(id(node) for node in object_schemas())

    (restype,) = messages["functions[0].restype"]
    types = listed(restype, r"expected one of: ([^)]*)\)")
    assert set(schema_at(("functions", 0, "restype"))["enum"]) == types
    (arg_type,) = messages["functions[0].args[0].type"]
    assert listed(arg_type, r"expected one of: ([^)]*)\)") == types
    # "void" is a return type only; the corpus case void_arg shows the parser refusing it.
    arg_types = set(schema_at(("functions", 0, "args", 0, "type"))["enum"])
    assert arg_types == types - {"void"}

    # A typed parameter's type: the fixed ones, or a class's name (the parser lists
    # the classes' names after the fixed ones).
    class_names = {UNKNOWN_CLASS}
    (param_type,) = messages["functions[1].params[0].type"]
    param_types = listed(param_type, r"expected one of: ([^)]*)\)") - class_names
    for parts in [
        ("functions", 1, "params", 0),
        ("classes", 0, "methods", 0, "params", 0),
    ]:
        type_schema = schema_at((*parts, "type"))
        assert fixed_names(type_schema) == param_types, place(parts)
        assert class_branch(type_schema), place(parts)
    (method_param_type,) = messages["classes[0].methods[0].params[0].type"]
    assert (
        listed(method_param_type, r"expected one of: ([^)]*)\)") - class_names
        == param_types
    )

    # Results: the fixed ones, "self" for a method only, and the classes' names (the
    # parser lists them after the fixed ones).
    (returns,) = messages["functions[1].returns"]
    function_results = listed(returns, r"expected one of: ([^)]*)\)") - class_names
    (method_returns,) = messages["classes[0].methods[0].returns"]
    results = listed(method_returns, r"expected one of: ([^)]*)\)") - class_names
    assert results == function_results | {"self"}
    function_returns = schema_at(("functions", 1, "returns"))
    assert fixed_names(function_returns) == function_results
    assert class_branch(function_returns)
    method_result = schema_at(("classes", 0, "methods", 0, "returns"))
    assert fixed_names(method_result) == results
    assert class_branch(method_result)
    # "none" is a result only (the parser refuses it as a parameter type, saying so).
    assert param_types == results - {"none", "self"}
    # A class may not be named like a type (the parser refuses each of these names,
    # test_class_names_and_members_are_the_parsers).
    assert set(SCHEMA["$defs"]["class_name"]["not"]["enum"]) == results | param_types

    (base,) = messages["errors[0].base"]
    bases = listed(base, r"standard exceptions: ([^)]*)\)")
    assert set(schema_at(("errors", 0, "base"))["enum"]) == bases
    (code,) = messages["errors[0].code"]
    low, high = re.findall(r"from (\d+) to (\d+)", code)[0]
    code_schema = schema_at(("errors", 0, "code"))
    assert code_schema["type"] == "integer"
    assert (code_schema["minimum"], code_schema["maximum"]) == (int(low), int(high))

    (kind,) = messages["python.api[0].kind"]
    kinds = listed(kind, r"expected one of: ([^)]*)\)")
    assert set(schema_at(("python", "api", 0, "kind"))["enum"]) == kinds
    (export,) = messages["python.exports[0]"]
    exports = set(re.findall(r'"([^"]+)"', re.sub(r"^unknown export \S+ ", "", export)))
    assert set(schema_at(("python", "exports", 0))["enum"]) == exports

    (ascii_message,) = messages["python.api[1].ascii"]
    ascii_kinds = listed(ascii_message, r"have \(([^)]*)\)")
    assert kinds - set(conditional("ascii")["enum"]) == ascii_kinds
    (blocks_message,) = messages["python.api[1].output_blocks"]
    blocks_kinds = listed(blocks_message, r"only (.*) do$")
    assert kinds - {conditional("output_blocks")["const"]} == blocks_kinds


# What the parser asks of a default, as a schema says it.
DEFAULT_KINDS: dict[str, dict[str, Any]] = {
    "a string": {"type": "string"},
    "a number": {"type": "number"},
    "true or false": {"type": "boolean"},
}

# A class for the probes whose parameters have a class's type.
PROBE_CLASS = "Thing"


def test_parameter_defaults_are_the_parsers(work_dir: Path, vix_ffi: RunVixFfi) -> None:
    # A typed function with a parameter of every type (and of a class's), each
    # defaulting to a value that fits none.
    types = [*fixed_names(schema_at(("functions", 0, "params", 0, "type")))]
    types = sorted(types) + [PROBE_CLASS]
    params = [{"name": f"p{i}", "type": t, "default": {}} for i, t in enumerate(types)]
    manifest = {
        "library": {"name": "demo"},
        "functions": [{"name": "f", "params": params}],
        "classes": [{"name": PROBE_CLASS}],
        "python": {"package": "demo_ffi"},
    }
    messages = parser_messages(manifest, work_dir / "schema" / "default-types", vix_ffi)
    assert set(messages) == schema_problems(manifest)
    for i, param_type in enumerate(types):
        (message,) = messages[f"functions[0].params[{i}].default"]
        found = re.search(r" must be (.*), found ", message)
        assert found, message
        wanted = re.sub(r" \(.*\)$", "", found[1])
        if whole := re.fullmatch(r"a whole number from (-?\d+) to (\d+)", wanted):
            low, high = int(whole[1]), int(whole[2])
            expected = {"type": "integer", "minimum": low, "maximum": high}
        elif wanted == "null":
            # An object's only default; the parser reads null as its None.
            assert param_type == PROBE_CLASS
            assert default_rules(param_type) == [{"type": "null"}]
            continue
        else:
            expected = dict(DEFAULT_KINDS[wanted])
        # The parser reads null as None for every type, and refuses it by
        # test_optional_is_the_parsers' rules, not as a value of the wrong type.
        expected["type"] = [expected["type"], "null"]
        assert default_rules(param_type) == [expected], param_type


def test_optional_is_the_parsers(work_dir: Path, vix_ffi: RunVixFfi) -> None:
    # A parameter of every type that is optional with the default None, and one that
    # has the default None without being optional.
    types = sorted(fixed_names(schema_at(("functions", 0, "params", 0, "type"))))
    types.append(PROBE_CLASS)
    params: list[dict[str, Any]] = []
    for i, param_type in enumerate(types):
        params.append(
            {"name": f"o{i}", "type": param_type, "optional": True, "default": None}
        )
        params.append({"name": f"n{i}", "type": param_type, "default": None})
    manifest = {
        "library": {"name": "demo"},
        "functions": [{"name": "f", "params": params}],
        "classes": [{"name": PROBE_CLASS}],
        "python": {"package": "demo_ffi"},
    }
    messages = parser_messages(manifest, work_dir / "schema" / "optional", vix_ffi)
    assert set(messages) == schema_problems(manifest)
    cannot = {
        param_type
        for i, param_type in enumerate(types)
        if any(
            "cannot be optional" in text
            for text in messages.get(f"functions[0].params[{2 * i}]", [])
        )
    }
    (rule,) = [
        part["if"]["properties"]["type"]["enum"]
        for part in SCHEMA["$defs"]["param"]["allOf"]
        if "optional" in part["if"].get("properties", {})
    ]
    assert cannot == set(rule)
    (optional_kinds,) = {
        found[1]
        for texts in messages.values()
        for text in texts
        if (found := re.search(r"only (.*) can \(", text))
    }
    # "objects": the parameters of a class's type.
    assert set(types) - cannot == {
        PROBE_CLASS if kind == "objects" else kind
        for kind in re.split(r", | and ", optional_kinds)
    }
    for i in range(len(types)):
        (not_optional,) = messages[f"functions[0].params[{2 * i + 1}]"]
        assert "is None, but the parameter is not optional" in not_optional


TEMPLATES = REPO_ROOT / "crates" / "vix-ffi-gen" / "src" / "python" / "templates"


def handle_public_names() -> set[str]:
    """The public names of the run-time base class of every generated class: the Python
    ``Handle`` of ``_vix_base.py`` (the ctypes backend's; the compiled one's C type has
    the same), read from the lines of its template that define it."""
    lines = (TEMPLATES / "_vix_base.py.j2").read_text(encoding="utf-8").splitlines()
    (start,) = [i for i, line in enumerate(lines) if line.strip() == "class Handle:"]
    indent = len(lines[start]) - len(lines[start].lstrip())
    block = [lines[start]]
    for line in lines[start + 1 :]:
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        block.append(line)
    tree = ast.parse(textwrap.dedent("\n".join(block)))
    (handle,) = [
        node
        for node in tree.body
        if isinstance(node, ast.ClassDef) and node.name == "Handle"
    ]
    names: set[str] = set()
    for node in handle.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return {name for name in names if not name.startswith("_")}


def test_class_names_and_members_are_the_parsers(
    work_dir: Path, vix_ffi: RunVixFfi
) -> None:
    # Classes named like each type, and a method and a constant named like each public
    # name of the run-time base class (in classes of their own: the parser reads no
    # further into a class whose name or methods it refuses).
    type_names = sorted(SCHEMA["$defs"]["class_name"]["not"]["enum"])
    reserved = sorted(handle_public_names())
    manifest = {
        "library": {"name": "demo"},
        "functions": [{"name": "f", "returns": "none"}],
        "classes": [
            *({"name": name} for name in type_names),
            {"name": "M", "methods": [{"name": name} for name in reserved]},
            {"name": "K", "constants": dict.fromkeys(reserved, 1)},
        ],
        "python": {"package": "demo_ffi"},
    }
    messages = parser_messages(manifest, work_dir / "schema" / "class-names", vix_ffi)
    n = len(type_names)
    expected = {
        *(f"classes[{i}].name" for i in range(n)),
        *(f"classes[{n}].methods[{i}].name" for i in range(len(reserved))),
        *(f"classes[{n + 1}].constants.{name}" for name in reserved),
    }
    assert set(messages) == expected
    assert schema_problems(manifest) == expected
    assert set(SCHEMA["$defs"]["member_name"]["not"]["enum"]) == set(reserved)


def test_required_keys_are_the_parsers(work_dir: Path, vix_ffi: RunVixFfi) -> None:
    messages = {
        **parser_messages(EMPTY_OBJECTS, work_dir / "schema" / "empty", vix_ffi),
        **parser_messages({}, work_dir / "schema" / "empty-document", vix_ffi),
    }
    for parts in OBJECTS:
        missing = {
            match[1]
            for message in messages.get(place(EMPTY_AT.get(parts, parts)), [])
            if (match := re.fullmatch(r'missing required key "([^"]+)"', message))
        }
        assert missing == set(schema_at(parts).get("required", [])), place(parts)


def with_defaults(instance: Any, node: dict[str, Any], filled: set[int]) -> Any:
    """``instance`` with every absent key that has a ``default`` where it applies (in
    the declaration, or in the branch of a conditional that ``instance`` takes) set to
    it; the ids of the property schemas used go to ``filled``."""
    node = resolved(node)
    if isinstance(instance, dict):
        declared = node.get("properties", {})
        out = {
            key: with_defaults(value, declared[key], filled)
            if key in declared
            else value
            for key, value in instance.items()
        }
        for part in applicable(node, instance):
            for key, prop in part.get("properties", {}).items():
                if key not in instance and "default" in prop:
                    assert key not in out, f"two defaults apply to {key}"
                    out[key] = copy.deepcopy(prop["default"])
                    filled.add(id(prop))
        return out
    if isinstance(instance, list) and "items" in node:
        return [with_defaults(item, node["items"], filled) for item in instance]
    return instance


def test_defaults_are_the_parsers(work_dir: Path, gen_python: GenPython) -> None:
    filled: set[int] = set()
    root = work_dir / "schema" / "defaults"
    for i, (name, text) in enumerate(sorted(GOOD.items())):
        manifest = json.loads(text)
        explicit = with_defaults(manifest, SCHEMA, filled)
        assert not schema_problems(explicit), name
        implicit_dir = gen_python(
            write_spec(root / f"{i}a", text), root / f"{i}a" / "out"
        )
        explicit_dir = gen_python(
            write_spec(root / f"{i}b", explicit), root / f"{i}b" / "out"
        )
        assert generated_files(explicit_dir) == generated_files(implicit_dir), name
    with_default = {id(prop) for prop in defaulted_properties()}
    assert filled == with_default, "some default is never absent from a good manifest"


# --- "$schema" -----------------------------------------------------------------------


def test_parser_accepts_and_ignores_schema_key(
    work_dir: Path, gen_python: GenPython
) -> None:
    text = GOOD["examples/base64_ffi/bindings.json"]
    root = work_dir / "schema" / "dollar-schema"
    plain_dir = gen_python(write_spec(root / "plain", text), root / "plain" / "out")

    folder = root / "pointing"
    pointer = Path(os.path.relpath(SCHEMA_PATH, folder)).as_posix()
    manifest = {"$schema": pointer, **json.loads(text)}
    assert not schema_problems(manifest)
    pointing_dir = gen_python(write_spec(folder, manifest), folder / "out")

    assert generated_files(pointing_dir) == generated_files(plain_dir)
