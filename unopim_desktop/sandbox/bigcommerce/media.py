"""Product images fetched from `image_url`, variant images, custom fields, and the sandbox's CDN.

BigCommerce downloads an `image_url` itself (B5); the sandbox does the same with httpx, but only
from loopback addresses (the sandbox never leaves 127.0.0.1), and serves its copy back under a
CDN-like path of its own.
"""

from __future__ import annotations

import asyncio
import posixpath
import time
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
from starlette.requests import Request
from starlette.responses import Response

from unopim_desktop.sandbox.bigcommerce.common import (
    ApiError,
    coerce_int,
    data_response,
    invalid,
    no_content,
    not_found,
    paginate,
    path_int,
    read_object,
)
from unopim_desktop.sandbox.bigcommerce.state import BigCommerceState, FetchedImage

MAX_IMAGE_BYTES = 8 * 1024 * 1024  # B5: ≤ 8 MB per image
MAX_IMAGE_URL_CHARS = 255  # B5
MAX_CUSTOM_FIELDS = 200  # B5
# B3, real title seen by integrations [3P]; the status (422) is inferred.
IMAGE_INVALID_TITLE = "The field 'image_url' is invalid."
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
_MAGIC = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF8": "image/gif", b"RIFF": "image/webp"}
_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}


class ImageFetchError(Exception):
    pass


def _sniff(data: bytes) -> str | None:
    return next((ctype for magic, ctype in _MAGIC.items() if data.startswith(magic)), None)


async def fetch_image(client: httpx.AsyncClient, url: str) -> FetchedImage:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImageFetchError("The image URL must be a fully qualified http(s) URL.")
    if parts.hostname not in _LOOPBACK_HOSTS:
        raise ImageFetchError("The sandbox only fetches images from 127.0.0.1.")
    try:
        response = await client.get(url)
    except httpx.HTTPError as exc:
        raise ImageFetchError(f"The image could not be downloaded: {type(exc).__name__}.") from exc
    if response.status_code != 200:
        raise ImageFetchError(f"The image URL answered HTTP {response.status_code}.")
    data = response.content
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageFetchError("The image is larger than 8 MB.")
    ctype = _sniff(data)
    if ctype is None:
        raise ImageFetchError("The file at the image URL is not an image.")
    filename = posixpath.basename(unquote(parts.path)) or "image"
    return FetchedImage(data=data, content_type=ctype, filename=filename)


async def fetch_images(urls: list[str]) -> dict[str, FetchedImage]:
    """Download every distinct URL; the first failure is the answer, as the real 422."""
    distinct = list(dict.fromkeys(u for u in urls if u))
    if not distinct:
        return {}
    # Self-signed sandbox certificates on loopback: verification would only test the test setup.
    async with httpx.AsyncClient(timeout=10.0, verify=False, follow_redirects=True) as client:
        results = await asyncio.gather(*(fetch_image(client, u) for u in distinct), return_exceptions=True)
    fetched: dict[str, FetchedImage] = {}
    for url, result in zip(distinct, results, strict=True):
        if isinstance(result, ImageFetchError):
            raise ApiError(422, IMAGE_INVALID_TITLE, errors={"image_url": f"{result} ({url})"})
        if isinstance(result, BaseException):
            raise result
        fetched[url] = result
    return fetched


def clean_image_spec(raw: Any, *, require_url: bool) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise invalid({"images": "Each image must be an object."})
    spec: dict[str, Any] = {}
    url = raw.get("image_url")
    if url is not None:
        if not isinstance(url, str) or not url:
            raise invalid({"image_url": "The image_url must be a non-empty string."})
        if len(url) > MAX_IMAGE_URL_CHARS:
            raise invalid({"image_url": f"The image_url must be at most {MAX_IMAGE_URL_CHARS} characters."})
        spec["image_url"] = url
    elif require_url:
        # multipart `image_file` uploads are not supported by the sandbox
        raise invalid({"image_url": "Please provide an image_url."}, title="Missing Required Fields")
    if "is_thumbnail" in raw:
        if not isinstance(raw["is_thumbnail"], bool):
            raise invalid({"is_thumbnail": "The is_thumbnail must be a boolean."})
        spec["is_thumbnail"] = raw["is_thumbnail"]
    if "sort_order" in raw:
        try:
            spec["sort_order"] = coerce_int(raw["sort_order"])
        except ValueError as exc:
            raise invalid({"sort_order": "The sort_order must be an integer."}) from exc
    if "description" in raw:
        if not isinstance(raw["description"], str):
            raise invalid({"description": "The description must be a string."})
        spec["description"] = raw["description"]
    return spec


def _blob_key(prefix: str, fetched: FetchedImage) -> str:
    stem, _, _ = fetched.filename.rpartition(".")
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in (stem or fetched.filename))[:60] or "image"
    return f"{prefix}/{stem}__{time.time_ns() // 1000}.{_EXTENSIONS[fetched.content_type]}"


def _apply_thumbnail(state: BigCommerceState, product_id: int, image_id: int, wanted: bool | None) -> None:
    """Only one thumbnail per product (B5); a product's first image becomes it (inferred)."""
    ids = state.image_ids.get(product_id, [])
    image = state.images_by_id[image_id]
    if wanted:
        for other in ids:
            state.images_by_id[other]["is_thumbnail"] = other == image_id
    elif wanted is False:
        image["is_thumbnail"] = False
    if not any(state.images_by_id[i]["is_thumbnail"] for i in ids) and wanted is None:
        image["is_thumbnail"] = True


def add_image(
    state: BigCommerceState, product_id: int, spec: dict[str, Any], fetched: FetchedImage
) -> dict[str, Any]:
    image_id = state.next_id("image")
    key = _blob_key(f"products/{product_id}/{image_id}", fetched)
    state.blobs[key] = fetched
    ids = state.children(state.image_ids, product_id)
    record = {
        "id": image_id,
        "product_id": product_id,
        "is_thumbnail": False,
        "sort_order": spec.get("sort_order", len(ids)),
        "description": spec.get("description", ""),
        "image_file": f"{key.rsplit('/', 1)[1][0]}/{image_id % 1000:03d}/{key.rsplit('/', 1)[1]}",
        "image_url": "",
        "date_modified": state.now(),
        "_blob": key,
    }
    state.images_by_id[image_id] = record
    ids.append(image_id)
    _apply_thumbnail(state, product_id, image_id, spec.get("is_thumbnail"))
    state.touch(product_id)
    return record


def update_image(
    state: BigCommerceState, image: dict[str, Any], spec: dict[str, Any], fetched: FetchedImage | None
) -> None:
    if fetched is not None:
        state.blobs.pop(image["_blob"], None)
        image["_blob"] = _blob_key(f"products/{image['product_id']}/{image['id']}", fetched)
        state.blobs[image["_blob"]] = fetched
    for field in ("sort_order", "description"):
        if field in spec:
            image[field] = spec[field]
    if "is_thumbnail" in spec:
        _apply_thumbnail(state, image["product_id"], image["id"], spec["is_thumbnail"])
    image["date_modified"] = state.now()
    state.touch(image["product_id"])


def delete_image(state: BigCommerceState, image_id: int) -> None:
    image = state.images_by_id.pop(image_id)
    state.blobs.pop(image["_blob"], None)
    ids = state.image_ids.get(image["product_id"], [])
    if image_id in ids:
        ids.remove(image_id)
    if image["is_thumbnail"] and ids:
        state.images_by_id[ids[0]]["is_thumbnail"] = True
    state.touch(image["product_id"])


def set_variant_image(state: BigCommerceState, variant: dict[str, Any], fetched: FetchedImage) -> None:
    old = variant["image_url"]
    if old:
        state.blobs.pop(old.split("/images/stencil/original/", 1)[-1], None)
    key = _blob_key(f"attribute_rule_images/{variant['id']}", fetched)
    state.blobs[key] = fetched
    variant["image_url"] = state.cdn_path("original", key)
    state.touch(variant["product_id"])


# --- custom fields ------------------------------------------------------------------------------


def clean_custom_field(raw: Any, *, partial: bool = False) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise invalid({"custom_fields": "Each custom field must be an object."})
    missing = {f: f"Please provide a {f}." for f in ("name", "value") if f not in raw and not partial}
    if missing:
        raise invalid(missing, title="Missing Required Fields")
    spec: dict[str, Any] = {}
    for field in ("name", "value"):
        if field not in raw:
            continue
        value = raw[field]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not 1 <= len(value) <= 250:
            raise invalid({field: f"The custom field {field} must be 1 to 250 characters."})
        spec[field] = value
    if "id" in raw:
        spec["id"] = raw["id"]
    return spec


def add_custom_field(state: BigCommerceState, product_id: int, spec: dict[str, Any]) -> dict[str, Any]:
    ids = state.children(state.custom_field_ids, product_id)
    if len(ids) >= MAX_CUSTOM_FIELDS:
        raise invalid({"custom_fields": f"A product can have at most {MAX_CUSTOM_FIELDS} custom fields."})
    field_id = state.next_id("custom_field")
    record = {"id": field_id, "name": spec["name"], "value": spec["value"], "_product_id": product_id}
    state.custom_fields_by_id[field_id] = record
    ids.append(field_id)
    state.touch(product_id)
    return record


def update_custom_field(state: BigCommerceState, record: dict[str, Any], spec: dict[str, Any]) -> None:
    record.update({k: v for k, v in spec.items() if k in ("name", "value")})
    state.touch(record["_product_id"])


def delete_custom_field(state: BigCommerceState, field_id: int) -> None:
    record = state.custom_fields_by_id.pop(field_id)
    ids = state.custom_field_ids.get(record["_product_id"], [])
    if field_id in ids:
        ids.remove(field_id)
    state.touch(record["_product_id"])


# --- routes -------------------------------------------------------------------------------------


def _state(request: Request) -> BigCommerceState:
    return request.app.state.sandbox


def _product_id(request: Request, state: BigCommerceState) -> int:
    product_id = path_int(request, "product_id")
    if product_id not in state.products_by_id:
        raise not_found(request.url.path)
    return product_id


async def list_images(request: Request) -> Response:
    state = _state(request)
    with state.lock:
        pid = _product_id(request, state)
        items = [state.image_out(state.images_by_id[i]) for i in state.image_ids.get(pid, [])]
    page, meta = paginate(items, request)
    return data_response(page, meta)


async def create_image(request: Request) -> Response:
    state = _state(request)
    spec = clean_image_spec(await read_object(request), require_url=True)
    with state.lock:
        _product_id(request, state)
    fetched = await fetch_images([spec["image_url"]])
    with state.lock:
        pid = _product_id(request, state)
        record = add_image(state, pid, spec, fetched[spec["image_url"]])
        return data_response(state.image_out(record))


def _image(request: Request, state: BigCommerceState) -> dict[str, Any]:
    pid = _product_id(request, state)
    image = state.images_by_id.get(path_int(request, "image_id"))
    if image is None or image["product_id"] != pid:
        raise not_found(request.url.path)
    return image


async def get_image(request: Request) -> Response:
    state = _state(request)
    with state.lock:
        return data_response(state.image_out(_image(request, state)))


async def update_image_route(request: Request) -> Response:
    state = _state(request)
    spec = clean_image_spec(await read_object(request), require_url=False)
    with state.lock:
        _image(request, state)
    fetched = await fetch_images([spec["image_url"]]) if "image_url" in spec else {}
    with state.lock:
        image = _image(request, state)
        update_image(state, image, spec, fetched.get(spec.get("image_url", "")))
        return data_response(state.image_out(image))


async def delete_image_route(request: Request) -> Response:
    state = _state(request)
    with state.lock:
        delete_image(state, _image(request, state)["id"])
    return no_content()


async def list_custom_fields(request: Request) -> Response:
    state = _state(request)
    with state.lock:
        pid = _product_id(request, state)
        ids = state.custom_field_ids.get(pid, [])
        items = [state.custom_field_out(state.custom_fields_by_id[c]) for c in ids]
    page, meta = paginate(items, request)
    return data_response(page, meta)


async def create_custom_field(request: Request) -> Response:
    state = _state(request)
    spec = clean_custom_field(await read_object(request))
    with state.lock:
        record = add_custom_field(state, _product_id(request, state), spec)
        return data_response(state.custom_field_out(record))


def _custom_field(request: Request, state: BigCommerceState) -> dict[str, Any]:
    pid = _product_id(request, state)
    record = state.custom_fields_by_id.get(path_int(request, "custom_field_id"))
    if record is None or record["_product_id"] != pid:
        raise not_found(request.url.path)
    return record


async def get_custom_field(request: Request) -> Response:
    state = _state(request)
    with state.lock:
        return data_response(state.custom_field_out(_custom_field(request, state)))


async def update_custom_field_route(request: Request) -> Response:
    state = _state(request)
    spec = clean_custom_field(await read_object(request), partial=True)
    with state.lock:
        record = _custom_field(request, state)
        update_custom_field(state, record, spec)
        return data_response(state.custom_field_out(record))


async def delete_custom_field_route(request: Request) -> Response:
    state = _state(request)
    with state.lock:
        delete_custom_field(state, _custom_field(request, state)["id"])
    return no_content()


async def create_variant_image(request: Request) -> Response:
    """`POST …/variants/{id}/image {image_url}` replaces the variant's image (B6)."""
    state = _state(request)
    spec = clean_image_spec(await read_object(request), require_url=True)

    def variant() -> dict[str, Any]:
        pid = _product_id(request, state)
        record = state.variants_by_id.get(path_int(request, "variant_id"))
        if record is None or record["product_id"] != pid:
            raise not_found(request.url.path)
        return record

    with state.lock:
        variant()
    fetched = await fetch_images([spec["image_url"]])
    with state.lock:
        record = variant()
        set_variant_image(state, record, fetched[spec["image_url"]])
        return data_response({"image_url": state.absolute(record["image_url"])})


async def serve_cdn(request: Request) -> Response:
    """The sandbox's own copy of an image, at the URLs the API hands out."""
    state = _state(request)
    if request.path_params["store_hash"] != state.store_hash:
        return Response(status_code=404)
    with state.lock:
        blob = state.blobs.get(request.path_params["key"])
    if blob is None:
        return Response(status_code=404)
    return Response(blob.data, media_type=blob.content_type, headers={"Cache-Control": "max-age=31536000"})
