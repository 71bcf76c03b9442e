"""Argument schemas and WordPress's `rest_validate_value_from_schema` / `rest_sanitize_value_from_schema`.

WordPress validates every registered argument of a route before the handler runs, whatever part
of the request it came from, and answers `400 rest_invalid_param` with one message per argument.
Batch items skip this step (WooCommerce calls the handlers directly), so they are only sanitized.
"""

from __future__ import annotations

import re
from typing import Any

from unopim_desktop.sandbox.woocommerce.errors import invalid_params, missing_params
from unopim_desktop.sandbox.woocommerce.wp import parse_rest_date

Schema = dict[str, Any]

STR: Schema = {"type": "string"}
INT: Schema = {"type": "integer"}
BOOL: Schema = {"type": "boolean"}
DATE: Schema = {"type": ["null", "string"]}  # WooCommerce maps its "date-time" type to this on WP 5.5+
MIXED: Schema = {"type": ["null", "object", "string", "number", "boolean", "integer", "array"]}
INT_LIST: Schema = {"type": "array", "items": INT}
STOCK_STATUSES = ["instock", "outofstock", "onbackorder"]
PRODUCT_TYPES = ["simple", "grouped", "external", "variable"]

_DIMENSIONS: Schema = {"type": "object", "properties": {"length": STR, "width": STR, "height": STR}}
_IMAGE: Schema = {"type": "object", "properties": {"id": INT, "src": STR, "name": STR, "alt": STR}}
_META: Schema = {"type": "array", "items": {"type": "object", "properties": {"key": STR, "value": MIXED}}}
_DOWNLOADS: Schema = {"type": "array", "items": {"type": "object", "properties": {"id": STR, "name": STR, "file": STR}}}
_TERM_REFS: Schema = {"type": "array", "items": {"type": "object", "properties": {"id": INT, "name": STR, "slug": STR}}}

_COMMON_SALE_FIELDS: dict[str, Schema] = {
    "sku": STR,
    "regular_price": STR,
    "sale_price": STR,
    "date_on_sale_from": DATE,
    "date_on_sale_from_gmt": DATE,
    "date_on_sale_to": DATE,
    "date_on_sale_to_gmt": DATE,
    "virtual": BOOL,
    "downloadable": BOOL,
    "downloads": _DOWNLOADS,
    "download_limit": INT,
    "download_expiry": INT,
    "tax_status": {"type": "string", "enum": ["taxable", "shipping", "none"]},
    "tax_class": STR,
    "manage_stock": BOOL,
    "stock_quantity": INT,
    "stock_status": {"type": "string", "enum": STOCK_STATUSES},
    "backorders": {"type": "string", "enum": ["no", "notify", "yes"]},
    "low_stock_amount": {"type": ["integer", "null"]},
    "weight": STR,
    "dimensions": _DIMENSIONS,
    "shipping_class": STR,
    "menu_order": INT,
    "meta_data": _META,
    "global_unique_id": STR,
}

PRODUCT_ARGS: dict[str, Schema] = {
    "name": STR,
    "slug": STR,
    "date_created": DATE,
    "date_created_gmt": DATE,
    "type": {"type": "string", "enum": PRODUCT_TYPES},
    "status": {"type": "string", "enum": ["draft", "pending", "private", "publish", "future", "auto-draft", "trash"]},
    "featured": BOOL,
    "catalog_visibility": {"type": "string", "enum": ["visible", "catalog", "search", "hidden"]},
    "description": STR,
    "short_description": STR,
    "external_url": STR,
    "button_text": STR,
    "sold_individually": BOOL,
    "reviews_allowed": BOOL,
    "upsell_ids": INT_LIST,
    "cross_sell_ids": INT_LIST,
    "parent_id": INT,
    "purchase_note": STR,
    "categories": _TERM_REFS,
    "tags": _TERM_REFS,
    "images": {"type": "array", "items": _IMAGE},
    "attributes": {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "id": INT, "name": STR, "position": INT, "visible": BOOL, "variation": BOOL,
                "options": {"type": "array", "items": STR},
            },
        },
    },
    "default_attributes": {
        "type": "array",
        "items": {"type": "object", "properties": {"id": INT, "name": STR, "option": STR}},
    },
    **_COMMON_SALE_FIELDS,
}

# Defaults WooCommerce fills in when a product is created (also for batch "create" items).
PRODUCT_DEFAULTS: dict[str, Any] = {
    "type": "simple", "status": "publish", "featured": False, "catalog_visibility": "visible",
    "virtual": False, "downloadable": False, "download_limit": -1, "download_expiry": -1,
    "tax_status": "taxable", "manage_stock": False, "stock_status": "instock", "backorders": "no",
    "sold_individually": False, "reviews_allowed": True,
}

VARIATION_ARGS: dict[str, Schema] = {
    "description": STR,
    "status": {"type": "string", "enum": ["publish", "future", "draft", "pending", "private"]},
    "image": _IMAGE,
    "attributes": {
        "type": "array",
        "items": {"type": "object", "properties": {"id": INT, "name": STR, "option": STR}},
    },
    **_COMMON_SALE_FIELDS,
}

VARIATION_DEFAULTS: dict[str, Any] = {
    "status": "publish", "virtual": False, "downloadable": False, "download_limit": -1,
    "download_expiry": -1, "tax_status": "taxable", "manage_stock": False, "stock_status": "instock",
    "backorders": "no",
}

CATEGORY_ARGS: dict[str, Schema] = {
    "name": STR, "slug": STR, "parent": INT, "description": STR,
    "display": {"type": "string", "enum": ["default", "products", "subcategories", "both"]},
    "image": {"type": ["null", "object"], "properties": _IMAGE["properties"]},
    "menu_order": INT,
}
TAG_ARGS: dict[str, Schema] = {"name": STR, "slug": STR, "description": STR}
TERM_ARGS: dict[str, Schema] = {"name": STR, "slug": STR, "description": STR, "menu_order": INT}
ATTRIBUTE_ARGS: dict[str, Schema] = {
    "name": STR, "slug": STR,
    "type": {"type": "string", "enum": ["select"]},
    "order_by": {"type": "string", "enum": ["menu_order", "name", "name_num", "id"]},
    "has_archives": BOOL,
}

_CONTEXT: Schema = {"type": "string", "enum": ["view", "embed", "edit"]}
_PAGING: dict[str, Schema] = {
    "context": _CONTEXT,
    "page": {"type": "integer", "minimum": 1},
    "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
    "search": STR,
    "exclude": INT_LIST,
    "include": INT_LIST,
    "offset": INT,
}

POST_COLLECTION_ARGS: dict[str, Schema] = {
    **_PAGING,
    "after": {"type": "string", "format": "date-time"},
    "before": {"type": "string", "format": "date-time"},
    "modified_after": {"type": "string", "format": "date-time"},
    "modified_before": {"type": "string", "format": "date-time"},
    "dates_are_gmt": BOOL,
    "order": {"type": "string", "enum": ["asc", "desc"]},
    "orderby": {
        "type": "string",
        "enum": ["date", "id", "include", "title", "slug", "modified", "price", "popularity", "rating"],
    },
    "parent": INT_LIST,
    "parent_exclude": INT_LIST,
    "slug": STR,
    "status": {"type": "string", "enum": ["any", "future", "trash", "draft", "pending", "private", "publish"]},
    "type": {"type": "string", "enum": PRODUCT_TYPES},
    "sku": STR,
    "search_sku": STR,
    "featured": BOOL,
    "category": STR,
    "tag": STR,
    "on_sale": BOOL,
    "min_price": STR,
    "max_price": STR,
    "stock_status": {"type": "string", "enum": STOCK_STATUSES},
}

TERM_COLLECTION_ARGS: dict[str, Schema] = {
    **_PAGING,
    "order": {"type": "string", "enum": ["asc", "desc"]},
    "orderby": {"type": "string", "enum": ["id", "include", "name", "slug", "term_group", "description", "count"]},
    "hide_empty": BOOL,
    "parent": INT,
    "product": INT,
    "slug": STR,
}

CONTEXT_ARGS: dict[str, Schema] = {"context": _CONTEXT}
DELETE_ARGS: dict[str, Schema] = {"force": BOOL}


# --- validation -----------------------------------------------------------------------------------


def _php_list(items: list[str]) -> str:
    """`wp_sprintf_l` in English: "a and b", "a, b, and c"."""
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return f"{items[0]} and {items[1]}"
    return ", ".join(items[:-1]) + ", and " + items[-1]


def parse_list(value: Any) -> list[Any]:
    """`wp_parse_list`: a scalar is split on commas and whitespace."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return list(value.values())
    return [part for part in re.split(r"[\s,]+", str(value)) if part]


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    try:
        as_float = float(value)
    except (TypeError, ValueError):
        return False
    return as_float.is_integer() and not (isinstance(value, str) and not value.strip())


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    try:
        float(str(value))
    except ValueError:
        return False
    return True


def _is_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, str):
        return value.lower() in ("true", "false", "0", "1")
    return isinstance(value, int) and value in (0, 1)


def _matches_type(value: Any, kind: str) -> bool:
    checks = {
        "null": lambda v: v is None,
        "string": lambda v: isinstance(v, str),
        "integer": _is_integer,
        "number": _is_number,
        "boolean": _is_boolean,
        "array": lambda v: v is not None and not isinstance(v, dict),
        "object": lambda v: isinstance(v, (dict, list)) or v == "",
    }
    return checks[kind](value)


def validate_value(value: Any, schema: Schema, param: str) -> tuple[str, str] | None:
    """One argument against its schema; returns (code, message) of the first problem, as WordPress does."""
    types = schema.get("type")
    if isinstance(types, list):
        matching = [t for t in types if _matches_type(value, t)]
        if not matching:
            return "rest_invalid_type", f"{param} is not of type {','.join(types)}."
        kind = matching[0]
        if kind == "null":
            return None
        schema = {**schema, "type": kind}
    kind = schema.get("type")
    if kind and not _matches_type(value, kind):
        return "rest_invalid_type", f"{param} is not of type {kind}."
    if kind == "array":
        for index, item in enumerate(parse_list(value)):
            problem = validate_value(item, schema.get("items", {}), f"{param}[{index}]")
            if problem:
                return problem
    if kind == "object" and isinstance(value, dict):
        for prop, sub in schema.get("properties", {}).items():
            if prop in value:
                problem = validate_value(value[prop], sub, f"{param}[{prop}]")
                if problem:
                    return problem
    if "enum" in schema and value not in schema["enum"]:
        return "rest_not_in_enum", f"{param} is not one of {_php_list(schema['enum'])}."
    if kind in ("integer", "number"):
        number = float(value)
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is not None and high is not None and not low <= number <= high:
            return "rest_out_of_bounds", f"{param} must be between {low} (inclusive) and {high} (inclusive)"
        if low is not None and high is None and number < low:
            return "rest_out_of_bounds", f"{param} must be greater than or equal to {low}"
    if schema.get("format") == "date-time" and isinstance(value, str) and parse_rest_date(value) is None:
        return "rest_invalid_date", "Invalid date."
    return None


def php_strval(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.14g}"
    return str(value)


def sanitize_value(value: Any, schema: Schema) -> Any:
    """`rest_sanitize_value_from_schema`: PHP-style casts to the declared type."""
    types = schema.get("type")
    if isinstance(types, list):
        matching = [t for t in types if _matches_type(value, t)]
        if not matching or matching[0] == "null":
            return value
        schema = {**schema, "type": matching[0]}
    kind = schema.get("type")
    if kind == "integer":
        try:
            return int(float(value))
        except (TypeError, ValueError):
            return 0
    if kind == "number":
        try:
            return float(value)
        except (TypeError, ValueError):
            return 0.0
    if kind == "boolean":
        if isinstance(value, str):
            return value.lower() not in ("false", "0", "")
        return bool(value)
    if kind == "string":
        return value if isinstance(value, str) else php_strval(value)
    if kind == "array":
        return [sanitize_value(item, schema.get("items", {})) for item in parse_list(value)]
    if kind == "object" and isinstance(value, dict):
        props = schema.get("properties", {})
        return {k: sanitize_value(v, props[k]) if k in props else v for k, v in value.items()}
    return value


def check_args(params: dict[str, Any], args: dict[str, Schema], *, required: tuple[str, ...] = ()) -> dict[str, Any]:
    """Validate then sanitize the registered args in `params`; other keys pass through untouched."""
    missing = [name for name in required if name not in params]
    if missing:
        raise missing_params(missing)
    problems: dict[str, tuple[str, str]] = {}
    for name, schema in args.items():
        if name in params:
            problem = validate_value(params[name], schema, name)
            if problem:
                problems[name] = problem
    if problems:
        raise invalid_params(problems)
    return sanitize_args(params, args)


def sanitize_args(params: dict[str, Any], args: dict[str, Schema]) -> dict[str, Any]:
    return {k: sanitize_value(v, args[k]) if k in args else v for k, v in params.items()}
