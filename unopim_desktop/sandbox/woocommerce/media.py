"""Images: sideloading `src` URLs like `wc_rest_upload_image_from_url`, the WordPress media endpoint,
and serving `/wp-content/uploads/...`.

A download happens from the server's own event loop with an async client, so an image URL that
points back at this same server (a WordPress media URL) works as it does on a real site.
"""

from __future__ import annotations

import email.parser
import email.policy
import re
import struct
import urllib.parse
from typing import Any

from unopim_desktop.sandbox.http_fetch import FetchError, fetch
from unopim_desktop.sandbox.woocommerce.errors import WooError
from unopim_desktop.sandbox.woocommerce.http import WooRequest, WooResponse
from unopim_desktop.sandbox.woocommerce.state import Media, WooState
from unopim_desktop.sandbox.woocommerce.wp import fmt_date, sanitize_file_name, sanitize_title

# `wc_rest_allowed_image_mime_types`
ALLOWED_IMAGE_TYPES = {
    "jpg": "image/jpeg", "jpeg": "image/jpeg", "jpe": "image/jpeg", "gif": "image/gif", "png": "image/png",
    "bmp": "image/bmp", "tiff": "image/tiff", "tif": "image/tiff", "ico": "image/x-icon", "webp": "image/webp",
}
_EXT_FOR_MIME = {"image/jpeg": "jpg", "image/gif": "gif", "image/png": "png", "image/bmp": "bmp",
                 "image/tiff": "tif", "image/x-icon": "ico", "image/webp": "webp"}
NOT_ALLOWED = "Sorry, you are not allowed to upload this file type."
EMPTY_FILE = (
    "File is empty. Please upload something more substantial. This error could also be caused by uploads "
    "being disabled in your php.ini or by post_max_size being defined as smaller than upload_max_filesize in php.ini."
)
DOWNLOAD_TIMEOUT_S = 30.0


def sniff_image(data: bytes) -> str | None:
    """The real image type from magic bytes, as `wp_get_image_mime` finds it (None: not an image)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data.startswith(b"BM"):
        return "image/bmp"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:4] == b"\x00\x00\x01\x00":
        return "image/x-icon"
    return None


def image_size(data: bytes) -> tuple[int, int] | None:
    if data.startswith(b"\x89PNG") and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker, length = data[i + 1], struct.unpack(">H", data[i + 2 : i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return width, height
            i += 2 + length
    return None


def check_upload(name: str, data: bytes) -> tuple[str, str]:
    """`wp_handle_sideload` checks: returns (file name, mime) or raises ValueError(message).

    The extension must be an allowed image type and the bytes a real image; an image under the
    wrong extension is renamed to its real one, as `wp_check_filetype_and_ext` does.
    """
    if not data:
        raise ValueError(EMPTY_FILE)
    stem, dot, ext = name.rpartition(".")
    if not dot or ext.lower() not in ALLOWED_IMAGE_TYPES:
        raise ValueError(NOT_ALLOWED)
    real = sniff_image(data)
    if real is None:
        raise ValueError(NOT_ALLOWED)
    if ALLOWED_IMAGE_TYPES[ext.lower()] != real:
        name = f"{stem}.{_EXT_FOR_MIME[real]}"
    return name, real


def store_media(state: WooState, name: str, mime: str, data: bytes | None, *, title: str,
                loader: Any = None, parent: int = 0) -> Media:
    """A new attachment under `uploads/YYYY/MM/` (site time), with `-1`, `-2`... for taken names."""
    with state.lock:
        now = state.now()
        folder = state.local(now).strftime("%Y/%m")
        clean = sanitize_file_name(name) or "image"
        stem, dot, ext = clean.rpartition(".")
        if not dot:
            stem, ext = clean, ""
        candidate, number = clean, 1
        while f"{folder}/{candidate}" in state.media_files:
            candidate = f"{stem}-{number}.{ext}" if ext else f"{stem}-{number}"
            number += 1
        media = Media(
            id=state.new_post_id(), file=f"{folder}/{candidate}", mime=mime, title=title,
            date_created=now, date_modified=now, parent=parent, data=data, loader=loader,
        )
        state.media[media.id] = media
        state.media_files[media.file] = media.id
        state.changed()  # a side effect of a write, not a write of its own (uploads count theirs)
        return media


def _curl_message(exc: FetchError, url: str) -> str:
    parsed = urllib.parse.urlsplit(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    if exc.kind == "timeout":
        return f"cURL error 28: Operation timed out after {int(DOWNLOAD_TIMEOUT_S * 1000)} milliseconds with 0 bytes received"
    if exc.kind == "connect":
        return f"cURL error 7: Failed to connect to {parsed.hostname} port {port} after 0 ms: Couldn't connect to server"
    return f"cURL error 56: {exc}"


async def sideload(state: WooState, src: str) -> Media:
    """`wc_rest_upload_image_from_url`: download, check and store one image; WooError on failure."""
    url = src.strip().replace(" ", "%20")
    parsed = urllib.parse.urlsplit(url)
    remote_error = f"Error getting remote image {url}."
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise WooError("woocommerce_rest_invalid_remote_image_url",
                       f"{remote_error} Error: A valid URL was not provided.", 400)
    name = urllib.parse.unquote(url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1])
    try:
        # A real download over the socket (see http_fetch for why not a new httpx client per image).
        response = await fetch(url, timeout=DOWNLOAD_TIMEOUT_S)
    except FetchError as exc:
        raise WooError("woocommerce_rest_invalid_remote_image_url",
                       f"{remote_error} Error: {_curl_message(exc, url)}", 400) from exc
    if response.status != 200:
        raise WooError("woocommerce_rest_invalid_remote_image_url",
                       f"{remote_error} Error: {response.reason_phrase}", 400)
    try:
        file_name, mime = check_upload(name, response.content)
    except ValueError as exc:
        raise WooError("woocommerce_rest_invalid_image", f"Invalid image: {exc}", 400) from exc
    # The attachment title is the stored file's name when the image carries no IPTC title.
    media = store_media(state, file_name, mime, response.content, title="")
    media.title = media.file.rsplit("/", 1)[-1]
    return media


async def resolve_images(req: WooRequest, images: list[Any], *, upload_code: str, invalid_code: str,
                         uploaded: list[int]) -> list[int]:
    """`set_product_images`: ids of the attachments for `images`, downloading every `src` without an id.

    Ids of newly uploaded attachments are appended to `uploaded` so a failed create can drop them.
    """
    state = req.state
    result: list[int] = []
    for image in images:
        if not image or not isinstance(image, dict):
            continue
        attachment_id = _absint(image.get("id"))
        if attachment_id == 0 and "src" in image:
            try:
                media = await sideload(state, str(image.get("src") or ""))
            except WooError as err:
                raise WooError(upload_code, err.message, 400) from err
            uploaded.append(media.id)
            attachment_id = media.id
        with state.lock:
            media = state.media.get(attachment_id)
            if media is None or not media.mime.startswith("image/"):
                raise WooError(invalid_code, f"#{attachment_id} is an invalid image ID.", 400)
            if image.get("alt"):
                media.alt = str(image["alt"])
            if image.get("name"):
                media.title = str(image["name"])
        result.append(attachment_id)
    return result


def _absint(value: Any) -> int:
    try:
        return abs(int(float(value)))
    except (TypeError, ValueError):
        return 0


# --- wp/v2/media ----------------------------------------------------------------------------------


def _disposition_filename(header: str) -> str | None:
    match = re.search(r"filename\*?=(?:UTF-8'')?\"?([^\";]+)\"?", header, re.IGNORECASE)
    return urllib.parse.unquote(match.group(1).strip()) if match else None


def parse_media_upload(req: WooRequest) -> tuple[str, bytes]:
    """The uploaded file from a raw body (`Content-Disposition` + `Content-Type`) or multipart `file`."""
    content_type = req.headers.get("content-type", "")
    if content_type.lower().startswith("multipart/form-data"):
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + req.body
        )
        for part in message.iter_parts():
            disposition = part.get("Content-Disposition", "")
            if 'name="file"' in disposition:
                name = part.get_filename() or ""
                if not name:
                    raise WooError("rest_upload_no_data", "No data supplied.", 400)
                return name, part.get_payload(decode=True) or b""
        raise WooError("rest_upload_no_data", "No data supplied.", 400)
    if not req.body:
        raise WooError("rest_upload_no_data", "No data supplied.", 400)
    if not content_type:
        raise WooError("rest_upload_no_content_type", "No Content-Type supplied.", 400)
    disposition = req.headers.get("content-disposition", "")
    if not disposition:
        raise WooError("rest_upload_no_content_disposition", "No Content-Disposition supplied.", 400)
    name = _disposition_filename(disposition)
    if not name:
        raise WooError("rest_upload_invalid_disposition",
                       "Invalid Content-Disposition supplied. Content-Disposition needs to be formatted as "
                       '`attachment; filename="image.png"` or similar.', 400)
    return name, req.body


def render_wp_media(state: WooState, media: Media, base: str, context: str = "view") -> dict[str, Any]:
    url = f"{base}/wp-content/uploads/{media.file}"
    slug = sanitize_title(media.title) or str(media.id)
    data = media.content()
    size = image_size(data) if data else None
    item: dict[str, Any] = {
        "id": media.id,
        "date": fmt_date(state.local(media.date_created)),
        "date_gmt": fmt_date(media.date_created),
        "guid": {"rendered": url},
        "modified": fmt_date(state.local(media.date_modified)),
        "modified_gmt": fmt_date(media.date_modified),
        "slug": slug,
        "status": "inherit",
        "type": "attachment",
        "link": f"{base}/{slug}/",
        "title": {"rendered": media.title},
        "author": 1,
        "featured_media": 0,
        "comment_status": "open",
        "ping_status": "closed",
        "template": "",
        "meta": [],
        "description": {"rendered": f'<p class="attachment"><a href="{url}">{media.title}</a></p>\n'},
        "caption": {"rendered": ""},
        "alt_text": media.alt,
        "media_type": "image" if media.mime.startswith("image/") else "file",
        "mime_type": media.mime,
        "media_details": {
            "width": size[0] if size else 0,
            "height": size[1] if size else 0,
            "file": media.file,
            "filesize": len(data),
            "sizes": {},
            "image_meta": {},
        },
        "post": media.parent or None,
        "source_url": url,
        "_links": {
            "self": [{"href": f"{base}/wp-json/wp/v2/media/{media.id}"}],
            "collection": [{"href": f"{base}/wp-json/wp/v2/media"}],
        },
    }
    if context == "edit":
        item["guid"]["raw"] = url
        item["title"]["raw"] = media.title
        item["description"]["raw"] = ""
        item["caption"]["raw"] = ""
    return item


def upload_wp_media(req: WooRequest) -> WooResponse:
    name, data = parse_media_upload(req)
    try:
        file_name, mime = check_upload(name, data)
    except ValueError as exc:
        raise WooError("rest_upload_sideload_error", str(exc), 500) from exc
    stem = file_name.rsplit(".", 1)[0]
    media = store_media(req.state, file_name, mime, data, title=stem)
    req.state.count_write()
    body = render_wp_media(req.state, media, req.base_url, "edit")
    return WooResponse(body, 201, [("Location", f"{req.base_url}/wp-json/wp/v2/media/{media.id}")])


def get_wp_media(req: WooRequest) -> WooResponse:
    media_id = _absint(req.url_params.get("id"))
    with req.state.lock:
        media = req.state.media.get(media_id)
        if media is None:
            raise WooError("rest_post_invalid_id", "Invalid post ID.", 404)
        return WooResponse(render_wp_media(req.state, media, req.base_url, req.context))


def find_upload(state: WooState, path: str) -> Media | None:
    with state.lock:
        media_id = state.media_files.get(path)
        return state.media.get(media_id) if media_id else None
