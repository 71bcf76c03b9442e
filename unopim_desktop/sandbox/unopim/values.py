"""Product `values` validation and merging (unopim-api.md §6; ProductValuesValidator and its rules).

Sections are checked in UnoPim's order (sections, common, channel_locale_specific,
channel_specific, locale_specific, categories, associations); the first section with errors
ends validation and its errors are reported with keys relative to `values`. Within an attribute
the first failing rule's message is reported, as `$validator->errors()->first()` does.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from unopim_desktop.sandbox.unopim.http import INTERNAL_ERROR, ApiError, validation_error
from unopim_desktop.sandbox.unopim.state import UnoPimState, key_of

SECTIONS = ("channel_locale_specific", "locale_specific", "channel_specific", "common", "categories", "associations")
ASSOCIATION_SECTIONS = ("up_sells", "cross_sells", "related_products")
IMAGE_EXTENSIONS = ("gif", "jfif", "jif", "jpeg", "jpg", "pdf", "png", "psd", "tif", "tiff", "webp", "bmp")
FILE_EXTENSIONS = ("csv", "doc", "docx", "mp3", "pdf", "ppt", "pptx", "rtf", "svg", "txt", "wav")
GALLERY_MAX_FILES = 50

_SKU = re.compile(r"^[a-zA-Z0-9]+(?:[-_][a-zA-Z0-9]+)*$")
# 1.x validates `sku` with `Core/Rules/Slug.php`: no underscores (2.0 moved to the `Sku` rule above).
_SKU_V1 = re.compile(r"^[a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*$")
_PRICE = re.compile(r"^\d+(\.\d+)?$")
_DECIMAL = re.compile(r"^\d*(\.\d{1,4})?$")
_NUMERIC = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^\s/?#]+[^\s]*$")
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.IGNORECASE | re.DOTALL)
_EVENT_ATTR = re.compile(r"\s+on[a-z]+\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.IGNORECASE)


def display_name(code: str) -> str:
    """Laravel's displayable attribute name: underscores become spaces."""
    return code.replace("_", " ")


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else ""
    return str(value)


class ValuesValidator:
    """Validates one product's `values` against the state's attributes, channels and catalog."""

    def __init__(self, state: UnoPimState, *, product_id: int | None = None) -> None:
        self.state = state
        self.product_id = product_id
        self.channels = {ch["code"]: list(ch.get("locales") or []) for ch in state.channels.values()}
        self.locales: list[str] = []
        for locs in self.channels.values():
            self.locales += [loc for loc in locs if loc not in self.locales]

    def validate(self, values: Any) -> None:
        """Raise a 422 ApiError for the first failing section. Only the sections present are checked
        (absent ones are empty), which is also PATCH's rule."""
        if isinstance(values, list):
            values = {str(i): v for i, v in enumerate(values)}
        if not isinstance(values, dict):
            return
        errors = {k: [f"Unexpected key {k}"] for k in values if k not in SECTIONS}
        self._raise(errors)
        self._raise(self._common(values.get("common")))
        self._raise(self._channel_locale(values.get("channel_locale_specific")))
        self._raise(self._scoped(values.get("channel_specific"), "channel_specific", list(self.channels)))
        self._raise(self._scoped(values.get("locale_specific"), "locale_specific", self.locales))
        self._raise(self._categories(values.get("categories") or []))
        self._raise(self._associations(values.get("associations") or {}))

    @staticmethod
    def _raise(errors: dict[str, list[str]]) -> None:
        if errors:
            raise validation_error(errors)

    # -- sections -------------------------------------------------------------------------------
    def _common(self, section: Any) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        for code, value in _items(section):
            self._attribute(errors, f"common.{code}", code, value, channel=None, locale=None)
        return errors

    def _channel_locale(self, section: Any) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        for channel, locales in _items(section):
            key = f"channel_locale_specific.{channel}"
            if channel not in self.channels:
                errors.setdefault(key, []).append(f"Unexpected Channel {channel}")
            elif isinstance(locales, dict):
                unexpected = [loc for loc in locales if loc not in self.channels[channel]]
                if unexpected:
                    errors.setdefault(key, []).append(
                        f"Unexpected locale(s) {''.join(unexpected)} in channel {channel}"
                    )
            elif locales is not None:
                raise ApiError(500, INTERNAL_ERROR)  # array_keys() on a scalar
            for locale, attrs in _items(locales):
                for code, value in _items(attrs):
                    self._attribute(errors, f"{key}.{locale}.{code}", code, value, channel=channel, locale=locale)
        return errors

    def _scoped(self, section: Any, name: str, allowed: list[str]) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        for scope, attrs in _items(section):
            key = f"{name}.{scope}"
            if scope not in allowed:
                errors.setdefault(key, []).append(f"Unexpected key {scope}")
            if not isinstance(attrs, (dict, list)):
                errors.setdefault(key, []).append(f"The {display_name(key)} field must be an array.")
                continue
            for code, value in _items(attrs):
                channel, locale = (scope, None) if name == "channel_specific" else (None, scope)
                self._attribute(errors, f"{key}.{code}", code, value, channel=channel, locale=locale)
        return errors

    def _categories(self, categories: Any) -> dict[str, list[str]]:
        if not isinstance(categories, (list, dict)):
            raise ApiError(500, INTERNAL_ERROR)  # Validator::make() on a scalar
        errors: dict[str, list[str]] = {}
        for index, code in _items(categories):
            cat = self.state.categories.get(key_of(code)) if isinstance(code, str) else None
            if cat is None:
                errors[str(index)] = [f"{_scalar_text(code)} does not exist."]
            elif self.state.version >= 3 and cat["parent"] is None:
                # The translation key path is wrong in ProductCategoriesValidator, so the raw key is sent.
                errors[str(index)] = ["admin::app.catalog.products.categories.root-not-allowed"]
        return errors

    def _associations(self, associations: Any) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        for section, skus in _items(associations):
            if section not in ASSOCIATION_SECTIONS:
                errors[str(section)] = [f"Unexpected key {section}"]
            for index, sku in _items(skus):
                if not isinstance(sku, str) or self.state.find_product(sku) is None:
                    errors[f"{section}.{index}"] = [f"{_scalar_text(sku)} does not exist."]
        return errors

    # -- one attribute value (AttributeValueRule) ----------------------------------------------
    def _attribute(self, errors: dict[str, list[str]], key: str, code: str, value: Any, *,
                   channel: str | None, locale: str | None) -> None:  # fmt: skip
        attr = self.state.attributes.get(key_of(code))
        if attr is None or not _expected(attr, channel, locale):
            errors.setdefault(key, []).append(f"Unexpected Attribute {code}")
            return
        message = self._first_failure(attr, value, channel, locale)
        if message:
            errors.setdefault(key, []).append(message)

    def _first_failure(self, attr: dict[str, Any], value: Any, channel: str | None, locale: str | None) -> str | None:
        code, kind, name = attr["code"], attr["type"], display_name(attr["code"])
        if value is None:
            return f"The {name} field is required." if attr.get("is_required") else None
        if kind == "price":
            return self._price(attr, value)
        message = self._type_rule(attr, value)
        if message:
            return message
        if attr.get("is_unique") and self._taken(attr, value, channel, locale):
            return f"The {name} has already been taken."
        message = _validation_rule(attr, value)
        if message:
            return message
        if code == "sku" and self.state.version < 2 and not _SKU_V1.match(_scalar_text(value)):
            return f"The {name} must be valid slug."
        if code == "sku" and not _SKU.match(_scalar_text(value)):
            return f"The {name} must be a valid SKU (alphanumeric characters, hyphens, and underscores only)."
        return None

    def _type_rule(self, attr: dict[str, Any], value: Any) -> str | None:
        kind, name = attr["type"], display_name(attr["code"])
        if kind == "boolean":
            if not isinstance(value, str) or value.lower() not in ("true", "false"):
                return f'The {name} must be a boolean string represented as "true" or "false"'
        elif kind == "datetime":
            if not _matches_format(value, "%Y-%m-%d %H:%M:%S"):
                return f"The {name} field must match the format Y-m-d H:i:s."
        elif kind == "date":
            if not isinstance(value, str) or _loose_date(value) is None:
                return f"The {name} field must be a valid date."
            if not _matches_format(value, "%Y-%m-%d"):
                return f"The {name} field must match the format Y-m-d."
        elif kind in ("select", "multiselect", "checkbox"):
            if kind != "checkbox" and not isinstance(value, str):
                return f"The {name} field must be a string."
            return self._options(attr, value)
        elif kind in ("image", "file", "gallery"):
            return self._media(attr, value)
        return None

    def _options(self, attr: dict[str, Any], value: Any) -> str | None:
        if isinstance(value, str):
            if not value.strip():
                return None
            codes = [c.strip() for c in value.split(",")]
        elif isinstance(value, list):
            codes = [str(c).strip() for c in value]
        else:
            codes = []
        known = {o["code"] for o in self.state.attribute_options.get(key_of(attr["code"]), [])}
        unknown = [c for c in codes if c not in known]
        if unknown:
            return f"The {display_name(attr['code'])} contains invalid option(s) {','.join(unknown)}."
        return None

    def _media(self, attr: dict[str, Any], value: Any) -> str | None:
        name, kind = display_name(attr["code"]), attr["type"]
        if kind == "gallery" and isinstance(value, str) and "," in value:
            value = [v for v in value.split(",") if v.strip()]
        paths = [v for v in value if v not in (None, "")] if isinstance(value, list) else [value]
        if kind != "gallery" and len(paths) > 1:
            return f"The {name} field must not have more than 1 items."
        if kind == "gallery" and len(paths) > GALLERY_MAX_FILES:
            return f"The {name} field must not have more than {GALLERY_MAX_FILES} items."
        allowed = FILE_EXTENSIONS if kind == "file" else IMAGE_EXTENSIONS
        for path in paths:
            if not isinstance(path, str):
                continue
            if path not in self.state.storage:
                return f"The selected file does not exist {path} for the field {name}."
            extension = path.rsplit(".", 1)[-1].lower() if "." in path else ""
            if extension not in allowed or ".." in path or path.startswith("/") or not self._prefix_ok(attr, path):
                return f"The {name} field must have one of the following extensions: {', '.join(allowed)}."
        return None

    def _prefix_ok(self, attr: dict[str, Any], path: str) -> bool:
        # V3 accepts only files stored for this product and attribute (product/<id>/<attr>/...).
        if self.state.version < 3 or self.product_id is None:
            return True
        return path.startswith(f"product/{self.product_id}/{attr['code']}/")

    def _price(self, attr: dict[str, Any], value: Any) -> str | None:
        # Rules target `price.*`: a non-map price matches no key and passes unchecked, as in UnoPim.
        if not isinstance(value, dict):
            return None
        for amount in value.values():
            if amount is None:
                if attr.get("is_required"):
                    return f"The {display_name(attr['code'])} field is required."
                continue
            if isinstance(amount, bool) or not isinstance(amount, (str, int, float)) or not _PRICE.match(str(amount)):
                return f"The {display_name(attr['code'])} field format is invalid."
            if attr.get("validation") == "decimal" and not _DECIMAL.match(str(amount)):
                return f"The {display_name(attr['code'])} must be valid."
        return None

    def _taken(self, attr: dict[str, Any], value: Any, channel: str | None, locale: str | None) -> bool:
        holders = self.state.unique_holders(attr["code"], channel, locale, value)
        holders.discard(self.product_id)  # type: ignore[arg-type]
        return bool(holders)


def _items(section: Any) -> list[tuple[str, Any]]:
    if isinstance(section, dict):
        return [(str(k), v) for k, v in section.items()]
    if isinstance(section, list):
        return [(str(i), v) for i, v in enumerate(section)]
    return []


def _expected(attr: dict[str, Any], channel: str | None, locale: str | None) -> bool:
    per_locale, per_channel = bool(attr.get("value_per_locale")), bool(attr.get("value_per_channel"))
    return (channel not in (None, "", "0")) == per_channel and (locale not in (None, "", "0")) == per_locale


def _validation_rule(attr: dict[str, Any], value: Any) -> str | None:
    rule, name = attr.get("validation"), display_name(attr["code"])
    text = _scalar_text(value)
    if rule == "number" and not (isinstance(value, (int, float, str)) and _NUMERIC.match(text)):
        return f"The {name} field must be a number."
    if rule == "decimal" and not _DECIMAL.match(text):
        return f"The {name} must be valid."
    if rule == "email" and not _EMAIL.match(text):
        return f"The {name} field must be a valid email address."
    if rule == "url" and not _URL.match(text):
        return f"The {name} field must be a valid URL."
    if rule == "regex" and attr.get("regex_pattern"):
        try:
            ok = re.search(str(attr["regex_pattern"]), text) is not None
        except re.error:
            ok = True
        if not ok:
            return f"The {name} field format is invalid."
    return None


def _matches_format(value: Any, fmt: str) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return datetime.strptime(value, fmt).strftime(fmt) == value
    except ValueError:
        return False


def _loose_date(value: str) -> datetime | None:
    for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y/%m/%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(value.strip(), fmt)
        except ValueError:
            continue
    return None


# -- writing ----------------------------------------------------------------------------------------
def merge_values(existing: Any, new: Any) -> Any:
    """ProductController::mergeValues: a recursive array merge where lists merge by index."""
    if not isinstance(new, (dict, list)) or not isinstance(existing, (dict, list)):
        return new
    if isinstance(existing, list) and isinstance(new, list):
        merged = list(existing)
        for i, value in enumerate(new):
            if i < len(merged):
                merged[i] = merge_values(merged[i], value) if isinstance(value, (dict, list)) else value
            else:
                merged.append(value)
        return merged
    base = dict(existing) if isinstance(existing, dict) else {str(i): v for i, v in enumerate(existing)}
    incoming = new if isinstance(new, dict) else {str(i): v for i, v in enumerate(new)}
    for key, value in incoming.items():
        if isinstance(value, (dict, list)) and isinstance(base.get(key), (dict, list)):
            base[key] = merge_values(base[key], value)
        else:
            base[key] = value
    return base


def purify_wysiwyg(state: UnoPimState, values: Any) -> Any:
    """Strip scripts and event handlers from WYSIWYG textareas, as UnoPim's purifier does."""
    if not isinstance(values, dict):
        return values
    wysiwyg = {a["code"] for a in state.attributes.values() if a["type"] == "textarea" and a.get("enable_wysiwyg")}

    def clean(attrs: Any) -> None:
        if isinstance(attrs, dict):
            for code, value in attrs.items():
                if code in wysiwyg and isinstance(value, str):
                    cleaned = _EVENT_ATTR.sub("", _SCRIPT.sub("", value))
                    if cleaned != value:
                        attrs[code] = cleaned

    clean(values.get("common"))
    for section in ("locale_specific", "channel_specific"):
        for _, attrs in _items(values.get(section)):
            clean(attrs)
    for _, locales in _items(values.get("channel_locale_specific")):
        for _, attrs in _items(locales):
            clean(attrs)
    return values
