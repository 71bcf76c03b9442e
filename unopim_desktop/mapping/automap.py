"""Auto-map ("Apply defaults"): exact code, then case-insensitive code, then label. Fills empty rows only."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from unopim_desktop.domain import AttributeDef
from unopim_desktop.mapping.fields import CORE_FIELDS


def _norm_label(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


@dataclass(frozen=True)
class Filled:
    row: str
    attribute_code: str
    rule: str  # exact | case-insensitive | label | default


def _match(name: str, attributes: Mapping[str, AttributeDef], taken: set[str]) -> tuple[str, str] | None:
    if name in attributes and name not in taken:
        return name, "exact"
    lower = name.lower()
    for code in attributes:
        if code.lower() == lower and code not in taken:
            return code, "case-insensitive"
    wanted = _norm_label(name)
    for code, attr in attributes.items():
        if code in taken:
            continue
        labels = {_norm_label(v) for v in attr.labels.values()} | {_norm_label(code)}
        if wanted and wanted in labels:
            return code, "label"
    return None


def automap_core(
    current: Mapping[str, str], attributes: Mapping[str, AttributeDef], *, check=None,
    fields: Collection[str] | None = None,
) -> tuple[dict[str, str], list[Filled]]:
    """Fill empty core rows (only those in `fields` when given: the rows of one store kind, which apply
    together, so an attribute is used once among them). Each field tries its default codes in order with the
    three rules, then its label. `check(field, attr) -> reason|None` skips a candidate refused on save."""
    result = dict(current)
    taken = {code for key, code in current.items() if code and (fields is None or key in fields)}
    filled: list[Filled] = []
    for field in CORE_FIELDS:
        if result.get(field.key) or (fields is not None and field.key not in fields):
            continue
        for candidate in (*field.default_codes, field.label):
            hit = _match(candidate, attributes, taken)
            if hit is None:
                continue
            code, rule = hit
            if check is not None and check(field.key, attributes[code]) is not None:
                continue
            result[field.key] = code
            taken.add(code)
            filled.append(Filled(field.key, code, rule))
            break
    return result, filled


def automap_attributes(
    rows: Iterable[str], current: Mapping[str, str], attributes: Mapping[str, AttributeDef], *,
    exclude: Iterable[str] = (), check=None,
) -> tuple[dict[str, str], list[Filled]]:
    """Fill empty attribute rows (store attribute names) by the same three rules."""
    result = {row: current.get(row, "") for row in rows}
    taken = {code for code in current.values() if code} | set(exclude)
    filled: list[Filled] = []
    for row in result:
        if result[row]:
            continue
        hit = _match(row, attributes, taken)
        if hit is None:
            continue
        code, rule = hit
        if check is not None and check(row, attributes[code]) is not None:
            continue
        result[row] = code
        taken.add(code)
        filled.append(Filled(row, code, rule))
    return result, filled
