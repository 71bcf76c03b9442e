"""Product records of the UnoPim sandbox: rendering, list filters, request checks, association links.

A record is the sandbox's row: `id` (internal, drives ordering and cursors), `sku` (the column; PUT
renames it from `values.common.sku`), `type`, `status`, `parent_id`, `family`, `additional`,
`values` (stored exactly as written), `super_attributes`, `links` (the product_associations table:
type -> [{related_id, additional_data}]) and the two timestamps.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from unopim_desktop.sandbox.unopim.http import ApiError, validation_error
from unopim_desktop.sandbox.unopim.lists import Condition, condition_matches, mysql_equal, parse_filter_date
from unopim_desktop.sandbox.unopim.state import UnoPimState, key_of
from unopim_desktop.sandbox.unopim.values import ASSOCIATION_SECTIONS

SIMPLE_FILTERS_V1: dict[str, tuple[str, ...]] = {
    "sku": ("=", "IN", "NOT IN"),
    "parent": ("=",),
    "status": ("=",),
    "categories": ("IN", "NOT IN"),
    "family": ("IN", "NOT IN"),
}
CONFIGURABLE_FILTERS_V1: dict[str, tuple[str, ...]] = {"sku": ("=", "IN", "NOT IN"), "categories": ("IN", "NOT IN")}
DATE_FILTERS: dict[str, tuple[str, ...]] = {
    "updated_at": (">", ">=", "<", "<=", "BETWEEN"),
    "created_at": (">", ">=", "<", "<=", "BETWEEN"),
}


def allowed_filters(version: int, configurable: bool) -> dict[str, tuple[str, ...]]:
    base = dict(CONFIGURABLE_FILTERS_V1 if configurable else SIMPLE_FILTERS_V1)
    if version >= 3:
        base.update(DATE_FILTERS)
    return base


def php_json(value: Any) -> str:
    """json_encode with PHP's defaults (compact, `/` escaped), for messages that embed JSON."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True).replace("/", "\\/")


# -- rendering --------------------------------------------------------------------------------------
def parent_sku(state: UnoPimState, record: dict[str, Any]) -> str | None:
    parent = state.products.get(record["parent_id"]) if record.get("parent_id") else None
    return parent["sku"] if parent else None


def variants_of(state: UnoPimState, record: dict[str, Any]) -> list[dict[str, Any]]:
    return state.children_of(record["id"])


def render_product(state: UnoPimState, record: dict[str, Any], *, single: bool = False) -> dict[str, Any]:
    """ProductDataSource::normalizeProduct; the V3 single GET adds the `associations` block."""
    item: dict[str, Any] = {
        "sku": record["sku"],
        "status": bool(record["status"]),
        "parent": parent_sku(state, record),
        "family": record["family"],
        "type": record["type"],
        "additional": record.get("additional"),
        "created_at": record["created_at"],
        "updated_at": record["updated_at"],
        "values": record["values"],
    }
    if record["type"] == "configurable":
        supers = list(record.get("super_attributes") or [])
        item["super_attributes"] = supers
        item["variants"] = [
            {
                "sku": v["sku"],
                "attributes": {a: (v["values"].get("common") or {}).get(a) for a in supers
                               if a in (v["values"].get("common") or {})},
            }
            for v in variants_of(state, record)
        ]  # fmt: skip
    if single and state.version >= 3:
        item["associations"] = render_links(state, record)
    return item


SCOPED_DEPTH = {"locale_specific": 1, "channel_specific": 1, "channel_locale_specific": 2}


def resolved_values(state: UnoPimState, record: dict[str, Any]) -> dict[str, Any]:
    """What UnoPim 3.x *shows* for a product (`Product::resolvedValues`, `VariantValueResolver::mergeChain`):
    the values of its ancestor chain merged root to leaf, the nearer node winning — `common` key by key,
    the scoped buckets per channel/locale and then per key, `categories` from the nearest node that has
    the key; everything else (associations) is the leaf's own. The REST API never returns this: it is for
    tests that check what a merchant sees in UnoPim's admin."""
    chain: list[dict[str, Any]] = []
    node: dict[str, Any] | None = record
    while node is not None and len(chain) < 10:
        chain.append(node["values"] if isinstance(node.get("values"), dict) else {})
        node = state.products.get(node["parent_id"]) if node.get("parent_id") else None
    chain.reverse()
    common: dict[str, Any] = {}
    scoped: dict[str, dict[str, Any]] = {}
    categories = None
    for values in chain:
        common.update(values.get("common") or {})
        for key, depth in SCOPED_DEPTH.items():
            scoped[key] = _merge_scope(scoped.get(key, {}), values.get(key) or {}, depth)
        if "categories" in values:
            categories = values["categories"]
    leaf = dict(chain[-1]) if chain else {}
    leaf["common"] = common
    leaf.update({k: v for k, v in scoped.items() if v})
    if categories is not None:
        leaf["categories"] = categories
    return leaf


def _merge_scope(carry: dict[str, Any], values: dict[str, Any], depth: int) -> dict[str, Any]:
    out = dict(carry)
    for key, nested in values.items():
        if isinstance(nested, dict):
            out[key] = _merge_scope(out.get(key, {}), nested, depth - 1) if depth > 1 else {**out.get(key, {}), **nested}
    return out


def wants_completeness(raw: str | None) -> bool:
    """PHP's FILTER_VALIDATE_BOOLEAN on `with_completeness`."""
    return raw is not None and raw.strip().lower() in ("1", "true", "on", "yes")


def completeness(state: UnoPimState, record: dict[str, Any]) -> list[dict[str, Any]]:
    """Per channel and channel locale: the share of the family's required attributes that have a
    value (UnoPim stores these scores from a background job; the sandbox computes them on read)."""
    family = state.families.get(key_of(record["family"])) or {}
    required = []
    for group in family.get("attribute_groups") or []:
        for entry in group.get("custom_attributes") or []:
            attr = state.attributes.get(key_of(entry["code"]))
            if attr and attr.get("is_required"):
                required.append(attr)
    values = record["values"] if isinstance(record["values"], dict) else {}
    scores = []
    for channel in state.channels.values():
        for locale in channel.get("locales") or []:
            filled = sum(1 for a in required if _filled(_scoped_value(values, a, channel["code"], locale)))
            score = round(100 * filled / len(required)) if required else 100
            scores.append({"channel": channel["code"], "locale": locale, "score": score})
    return scores


def _scoped_value(values: dict[str, Any], attr: dict[str, Any], channel: str, locale: str) -> Any:
    code = attr["code"]
    if attr.get("value_per_channel") and attr.get("value_per_locale"):
        bucket = ((values.get("channel_locale_specific") or {}).get(channel) or {}).get(locale)
    elif attr.get("value_per_channel"):
        bucket = (values.get("channel_specific") or {}).get(channel)
    elif attr.get("value_per_locale"):
        bucket = (values.get("locale_specific") or {}).get(locale)
    else:
        bucket = values.get("common")
    return bucket.get(code) if isinstance(bucket, dict) else None


def _filled(value: Any) -> bool:
    return value not in (None, "", [], {})


def render_links(state: UnoPimState, record: dict[str, Any]) -> dict[str, Any]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for type_code, links in (record.get("links") or {}).items():
        for link in links:
            related = state.products.get(link["related_id"])
            if related is None:
                continue
            grouped.setdefault(type_code, []).append(
                {"related_sku": related["sku"], "additional_data": link.get("additional_data")}
            )
    return grouped


# -- list filters -----------------------------------------------------------------------------------
def product_matches(state: UnoPimState, record: dict[str, Any], cond: Condition) -> bool:
    """AND-ed product filters (ProductDataSource::operatorByFilter). `sku IN` uses the intended
    semantics, not UnoPim's first-element-only binding."""
    if cond.field == "sku":
        if state.emulate_sku_in_bug and cond.operator in ("IN", "NOT IN"):
            # UnoPim's default branch binds only the first element: IN -> `= first`, NOT IN too.
            return bool(cond.value) and mysql_equal(record["sku"], cond.value[0])
        return condition_matches(cond, record["sku"])
    if cond.field == "status":
        return mysql_equal(int(bool(record["status"])), cond.value)
    if cond.field == "family":
        return condition_matches(cond, record["family"])
    if cond.field == "parent":
        return record.get("parent_id") is not None and record["parent_id"] == _parent_filter_id(state, cond.value)
    if cond.field == "categories":
        stored = record["values"].get("categories") if isinstance(record["values"], dict) else None
        if not isinstance(stored, list):
            return False  # JSON_CONTAINS(NULL, ...) is NULL: excluded either way
        contains_all = all(v in stored for v in cond.value)
        return contains_all if cond.operator == "IN" else not contains_all
    if cond.field in ("updated_at", "created_at"):
        return _date_matches(state, record[cond.field], cond)
    return True


def _parent_filter_id(state: UnoPimState, sku: Any) -> int | None:
    """The parent id for `parent =`; V1's buggy lookup takes the first row that has this SKU *or*
    is any configurable product."""
    if state.version >= 3:
        parent = state.find_product(str(sku))
        return parent["id"] if parent and parent["type"] == "configurable" else None
    for record in state.products.values():
        if mysql_equal(record["sku"], sku) or record["type"] == "configurable":
            return record["id"]
    return None


def check_parent_filter(state: UnoPimState, conditions: list[Condition]) -> None:
    for cond in conditions:
        if cond.field == "parent" and state.version >= 3 and _parent_filter_id(state, cond.value) is None:
            raise ApiError(
                422,
                {"success": False,
                 "message": f'Parent filter value "{cond.value}" is not a valid configurable product SKU.'},
            )  # fmt: skip


def _date_matches(state: UnoPimState, stamp: str, cond: Condition) -> bool:
    """`where('products.updated_at', '>', value)` against the column as MySQL holds it: the wall-clock time
    of the server's `APP_TIMEZONE` (unopim-api §13.3), while answers show the same instant in UTC. The
    value is compared as sent; one with an explicit offset is moved into that zone first."""
    stored = datetime.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC).astimezone(state.zone)
    stored = stored.replace(tzinfo=None)
    if cond.operator == "BETWEEN":
        low, high = (_bound(state, v) for v in cond.value)
        return low is not None and high is not None and low <= stored <= high
    bound = _bound(state, cond.value)
    if bound is None:
        return False
    return {
        ">": stored > bound,
        ">=": stored >= bound,
        "<": stored < bound,
        "<=": stored <= bound,
    }[cond.operator]


def _bound(state: UnoPimState, value: Any) -> datetime | None:
    text = value.strip() if isinstance(value, str) else ""
    try:
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        return parse_filter_date(value)
    if parsed.tzinfo is None:
        return parsed
    return parsed.astimezone(state.zone).replace(tzinfo=None)


# -- request checks ---------------------------------------------------------------------------------
def _is_laravel_bool(value: Any) -> bool:
    return value in (True, False, 0, 1, "0", "1") and not isinstance(value, float)


def check_product_request(state: UnoPimState, body: dict[str, Any], *, create: bool, configurable: bool,
                          sku_unique: bool) -> None:  # fmt: skip
    """The FormRequest rules of product POST/PUT: all failing fields reported together."""
    errors: dict[str, list[str]] = {}
    family = body.get("family")
    if family is None:
        errors["family"] = ["The family field is required."]
    elif not isinstance(family, str):
        errors["family"] = ["The family field must be a string."]
    values = body.get("values")
    if values is None or values == [] or values == {}:
        errors["values"] = ["The values field is required."]
    elif not isinstance(values, (dict, list)):
        errors["values"] = ["The values field must be an array."]
    common = values.get("common") if isinstance(values, dict) else None
    sku = common.get("sku") if isinstance(common, dict) else None
    if sku is None:
        errors["values.common.sku"] = ["The values.common.sku field is required."]
    elif sku_unique and state.find_product(str(sku)) is not None:
        errors["values.common.sku"] = ["The values.common.sku has already been taken."]
    if "status" in body and body["status"] is not None and not _is_laravel_bool(body["status"]):
        errors["status"] = ["The status field must be true or false."]
    if body.get("additional") is not None and not isinstance(body["additional"], (dict, list)):
        errors["additional"] = ["The additional field must be an array."]
    if body.get("parent") is not None and not isinstance(body["parent"], str):
        errors["parent"] = ["The parent field must be a string."]
    if create and not configurable and body.get("variant") is not None and not isinstance(body["variant"], dict):
        errors["variant"] = ["The variant field must be an array."]
    if create and configurable:
        supers = body.get("super_attributes")
        if supers is None or supers == []:
            errors["super_attributes"] = ["The super attributes field is required."]
        elif not isinstance(supers, list):
            errors["super_attributes"] = ["The super attributes field must be an array."]
    if errors:
        raise validation_error(errors)


def find_family_or_404(state: UnoPimState, code: str) -> dict[str, Any]:
    family = state.families.get(key_of(code))
    if family is None:
        # ProductController::findFamilyOr404 passes `family`, so `:code` is never replaced.
        raise ApiError(404, {"success": False, "message": 'Attribute family with code ":code" could not be found'})
    return family


def not_found_for_write(sku: str) -> ApiError:
    return ApiError(404, {"success": False, "message": f'Product with sku "{sku}" could not be found'})


# -- association links ------------------------------------------------------------------------------
def check_rich_associations(state: UnoPimState, associations: Any) -> dict[str, list[dict[str, Any]]]:
    """V3's top-level `associations` map, validated before anything is written."""
    if associations is None:
        return {}
    if not isinstance(associations, dict):
        raise validation_error({"associations": ["The associations field must be an array."]})
    errors: dict[str, list[str]] = {}
    parsed: dict[str, list[dict[str, Any]]] = {}
    for type_code, links in associations.items():
        if type_code not in state.association_types:
            errors[f"associations.{type_code}"] = [f'Association type "{type_code}" does not exist.']
            continue
        if not isinstance(links, list):
            errors[f"associations.{type_code}"] = ["The associations field must be an array."]
            continue
        parsed[type_code] = []
        for i, link in enumerate(links):
            sku = link.get("sku") if isinstance(link, dict) else None
            related = state.find_product(sku) if isinstance(sku, str) else None
            if related is None:
                errors[f"associations.{type_code}.{i}.sku"] = [f"{sku} does not exist."]
                continue
            extra = link.get("additional_data")
            if extra is not None and not isinstance(extra, (dict, list)):
                errors[f"associations.{type_code}.{i}.additional_data"] = [
                    "The additional data field must be an array."
                ]
                continue
            parsed[type_code].append({"related_id": related["id"], "additional_data": extra})
    if errors:
        raise validation_error(errors)
    return parsed


def sync_links(state: UnoPimState, record: dict[str, Any], values: Any,
               rich: dict[str, list[dict[str, Any]]], *, sections: list[str] | None = None) -> None:  # fmt: skip
    """Write the association rows: legacy `values.associations` sections present in the request,
    then the rich map. Types the request does not mention keep their rows."""
    links: dict[str, list[dict[str, Any]]] = record.setdefault("links", {})
    legacy = values.get("associations") if isinstance(values, dict) else None
    if isinstance(legacy, dict):
        for section, skus in legacy.items():
            if section not in ASSOCIATION_SECTIONS or (sections is not None and section not in sections):
                continue
            previous = {link["related_id"]: link.get("additional_data") for link in links.get(section, [])}
            rows = []
            for sku in skus if isinstance(skus, list) else []:
                related = state.find_product(sku) if isinstance(sku, str) else None
                if related is not None:
                    rows.append({"related_id": related["id"], "additional_data": previous.get(related["id"])})
            links[section] = rows
    for type_code, rows in rich.items():
        links[type_code] = rows
