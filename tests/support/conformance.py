"""Shape comparison for conformance tests: same keys and value types, recursively.

A sandbox answer conforms to a real example when every key of the example is present with a
value of the same JSON type (numbers are one type; null on either side matches any type, since
null is a state of a field rather than its type). Extra keys are allowed: real servers add
fields over time and clients must ignore them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).parent.parent / "fixtures" / "examples"


def load_example(relpath: str) -> Any:
    return json.loads((EXAMPLES / relpath).read_text(encoding="utf-8"))


def _kind(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "object"
    return type(v).__name__


def shape_mismatches(expected: Any, actual: Any, path: str = "$") -> list[str]:
    """Every place where `actual` differs in shape from `expected`, as readable strings."""
    ek, ak = _kind(expected), _kind(actual)
    if "null" in (ek, ak):
        return []
    if ek != ak:
        return [f"{path}: expected {ek}, got {ak}"]
    out: list[str] = []
    if ek == "object":
        for key, ev in expected.items():
            if key not in actual:
                out.append(f"{path}.{key}: missing")
                continue
            out += shape_mismatches(ev, actual[key], f"{path}.{key}")
    elif ek == "array" and expected and actual:
        for i, av in enumerate(actual):
            out += shape_mismatches(expected[min(i, len(expected) - 1)], av, f"{path}[{i}]")
    return out


def assert_same_shape(expected: Any, actual: Any) -> None:
    problems = shape_mismatches(expected, actual)
    assert not problems, "shape differs from the real example:\n" + "\n".join(problems[:40])
