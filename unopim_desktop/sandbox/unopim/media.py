"""Media uploads and the public disk (unopim-api.md §7.11).

`POST /media-files/product` stores the file under `product/<id>/<attribute>/<name>`; V2.1+ also
writes the path into the product's values (V1 does not). V3 adds GET/DELETE. Files live in
`state.storage` and are served at `/storage/<path>`. Multipart bodies are parsed with the stdlib
email parser (no python-multipart dependency).
"""

from __future__ import annotations

import copy
import re
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from unopim_desktop.sandbox.unopim.context import Ctx
from unopim_desktop.sandbox.unopim.http import ApiError, json_response, validation_error
from unopim_desktop.sandbox.unopim.product_store import not_found_for_write
from unopim_desktop.sandbox.unopim.state import UnoPimState, key_of

MAX_UPLOAD_KB = 2048
IMAGE_UPLOAD_TYPES = ("bmp", "jpeg", "jpg", "png", "webp")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class Upload:
    def __init__(self, filename: str, data: bytes) -> None:
        self.filename = filename
        self.data = data


async def read_multipart(request: Request) -> dict[str, Any]:
    """Form fields (str) and files (Upload, or a list for `name[]`)."""
    ctype = request.headers.get("content-type", "")
    fields: dict[str, Any] = {}
    if "multipart/form-data" not in ctype.lower():
        return fields
    raw = await request.body()
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {ctype}\r\n\r\n".encode() + raw)
    if not message.is_multipart():
        return fields
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        value: Any = Upload(filename, payload) if filename is not None else payload.decode("utf-8", "replace").strip()
        if name.endswith("[]"):
            fields.setdefault(name[:-2], []).append(value)
        else:
            fields[name] = value
    return fields


def laravel_validation_failure(errors: dict[str, list[str]]) -> ApiError:
    """`request()->validate()` outside UnoPim's envelope: Laravel's own 422 JSON."""
    messages = [m for msgs in errors.values() for m in msgs]
    extra = len(messages) - 1
    message = messages[0] + (f" (and {extra} more error{'s' if extra > 1 else ''})" if extra else "")
    return ApiError(422, {"message": message, "errors": errors})


def _require(fields: dict[str, Any], names: tuple[str, ...]) -> None:
    missing = {n: [f"The {n.replace('_', ' ')} field is required."] for n in names if fields.get(n) in (None, "", [])}
    if missing:
        raise laravel_validation_failure(missing)


def _store(state: UnoPimState, directory: str, upload: Upload) -> str:
    name = _UNSAFE.sub("_", upload.filename.rsplit("/", 1)[-1]) or "file"
    path = f"{directory}/{name}"
    state.storage[path] = upload.data
    return path


def _check_files(uploads: list[Any], *, image: bool) -> None:
    for upload in uploads:
        if not isinstance(upload, Upload):
            raise validation_error({"file": ["The file field must be a file."]})
        if len(upload.data) > MAX_UPLOAD_KB * 1024:
            raise validation_error({"file": [f"The file field must not be greater than {MAX_UPLOAD_KB} kilobytes."]})
        extension = upload.filename.rsplit(".", 1)[-1].lower() if "." in upload.filename else ""
        if image and extension not in IMAGE_UPLOAD_TYPES:
            raise validation_error({"file": [f"The file field must be a file of type: {', '.join(IMAGE_UPLOAD_TYPES)}."]})


def _scope(state: UnoPimState, attr: dict[str, Any], channel: str | None, locale: str | None) -> tuple[str | None, str | None]:
    """Defaults for scoped attributes: the default channel and its first locale."""
    default_channel = next(iter(state.channels.values()), {})
    channel = channel or default_channel.get("code")
    if locale is None:
        ch = state.channels.get(key_of(channel or ""), default_channel)
        locale = (ch.get("locales") or ["en_US"])[0]
    return (channel if attr.get("value_per_channel") else None, locale if attr.get("value_per_locale") else None)


def _bucket(values: dict[str, Any], channel: str | None, locale: str | None, *, create: bool) -> dict[str, Any] | None:
    if channel and locale:
        path = ["channel_locale_specific", channel, locale]
    elif channel:
        path = ["channel_specific", channel]
    elif locale:
        path = ["locale_specific", locale]
    else:
        path = ["common"]
    node: Any = values
    for key in path:
        if not isinstance(node, dict):
            return None
        if key not in node:
            if not create:
                return None
            node[key] = {}
        node = node[key]
    return node if isinstance(node, dict) else None


def _product_media_target(ctx: Ctx, fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], str | None, str | None]:
    state = ctx.state
    sku = str(fields.get("sku"))
    record = state.find_product(sku)
    if record is None:
        raise not_found_for_write(sku)
    code = str(fields.get("attribute"))
    attr = state.attributes.get(key_of(code))
    if attr is None or attr["type"] not in ("image", "file", "gallery"):
        raise validation_error({"attribute": [f'Attribute with code "{code}" could not be found']})
    channel, locale = _scope(state, attr, fields.get("channel") or None, fields.get("locale") or None)
    return record, attr, channel, locale


async def upload_product_media(ctx: Ctx) -> Response:
    fields = await read_multipart(ctx.request)
    _require(fields, ("file", "sku", "attribute"))
    state = ctx.state
    with state.lock:
        record, attr, channel, locale = _product_media_target(ctx, fields)
        uploads = fields["file"] if isinstance(fields["file"], list) else [fields["file"]]
        if attr["type"] != "gallery" and len(uploads) > 1:
            raise validation_error({"file": ["The file field must not have more than 1 items."]})
        _check_files(uploads, image=attr["type"] != "file")
        paths = [_store(state, f"product/{record['id']}/{attr['code']}", u) for u in uploads]
        file_path = ",".join(paths)
        if state.version >= 3:
            values = copy.deepcopy(record["values"]) if isinstance(record["values"], dict) else {}
            bucket = _bucket(values, channel, locale, create=True)
            if bucket is not None:
                bucket[attr["code"]] = file_path
            state.set_values(record, values)
            record["updated_at"] = state.now()
    return json_response({
        "success": True,
        "message": "Product file uploaded successfully.",
        "data": {"attribute": attr["code"], "sku": fields["sku"], "filePath": file_path},
    })  # fmt: skip


def _stored_paths(value: Any) -> list[str]:
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str) and v]
    if isinstance(value, str) and value:
        return [v for v in value.split(",") if v]
    return []


async def get_product_media(ctx: Ctx) -> Response:
    fields = dict(ctx.request.query_params)
    _require(fields, ("sku", "attribute"))
    with ctx.state.lock:
        record, attr, channel, locale = _product_media_target(ctx, fields)
        bucket = _bucket(copy.deepcopy(record["values"]) if isinstance(record["values"], dict) else {},
                         channel, locale, create=False)  # fmt: skip
        paths = _stored_paths(bucket.get(attr["code"]) if bucket else None)
        if not paths:
            raise ApiError(404, {"success": False, "message": "Media could not be found."})
    return json_response({"data": paths})


async def delete_product_media(ctx: Ctx) -> Response:
    fields = dict(ctx.request.query_params)
    _require(fields, ("sku", "attribute"))
    state = ctx.state
    with state.lock:
        record, attr, channel, locale = _product_media_target(ctx, fields)
        values = copy.deepcopy(record["values"]) if isinstance(record["values"], dict) else {}
        bucket = _bucket(values, channel, locale, create=False)
        paths = _stored_paths(bucket.get(attr["code"]) if bucket else None)
        if not paths or bucket is None:
            raise ApiError(404, {"success": False, "message": "Media could not be found."})
        for path in paths:
            state.storage.pop(path, None)
        bucket.pop(attr["code"], None)
        state.set_values(record, values)
        record["updated_at"] = state.now()
    return json_response({"success": True, "message": "Media deleted successfully."})


# -- categories -------------------------------------------------------------------------------------
def _category_target(state: UnoPimState, fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    code = str(fields.get("code"))
    category = state.categories.get(key_of(code))
    if category is None:
        raise ApiError(404, {"success": False, "message": f'Category with code "{code}" could not be found'})
    field_code = str(fields.get("category_field"))
    field = state.category_fields.get(key_of(field_code))
    if field is None or field["type"] not in ("image", "file"):
        raise validation_error({"category_field": [f'Category field with code "{field_code}" could not be found']})
    return category, field


async def upload_category_media(ctx: Ctx) -> Response:
    fields = await read_multipart(ctx.request)
    _require(fields, ("file", "code", "category_field"))
    state = ctx.state
    with state.lock:
        category, field = _category_target(state, fields)
        upload = fields["file"][0] if isinstance(fields["file"], list) else fields["file"]
        _check_files([upload], image=field["type"] == "image")
        # The path is not written into the category: PUT or PATCH `additional_data` afterwards.
        path = _store(state, f"category/{category['id']}/{field['code']}", upload)
    return json_response({
        "success": True,
        "message": "Category file uploaded successfully.",
        "data": {"field": field["code"], "code": fields["code"], "filePath": path},
    })  # fmt: skip


def _category_value(category: dict[str, Any], field: dict[str, Any], locale: str | None) -> tuple[dict[str, Any] | None, list[str]]:
    data = category.get("additional_data") or {}
    if field.get("value_per_locale"):
        bucket = (data.get("locale_specific") or {}).get(locale or "en_US")
    else:
        bucket = data.get("common")
    if not isinstance(bucket, dict):
        return None, []
    return bucket, _stored_paths(bucket.get(field["code"]))


async def get_category_media(ctx: Ctx) -> Response:
    fields = dict(ctx.request.query_params)
    _require(fields, ("code", "category_field"))
    with ctx.state.lock:
        category, field = _category_target(ctx.state, fields)
        _, paths = _category_value(category, field, fields.get("locale"))
        if not paths:
            raise ApiError(404, {"success": False, "message": "Media could not be found."})
    return json_response({"data": paths})


async def delete_category_media(ctx: Ctx) -> Response:
    fields = dict(ctx.request.query_params)
    _require(fields, ("code", "category_field"))
    state = ctx.state
    with state.lock:
        category, field = _category_target(state, fields)
        bucket, paths = _category_value(category, field, fields.get("locale"))
        if not paths or bucket is None:
            raise ApiError(404, {"success": False, "message": "Media could not be found."})
        for path in paths:
            state.storage.pop(path, None)
        bucket.pop(field["code"], None)
    return json_response({"success": True, "message": "Media deleted successfully."})
