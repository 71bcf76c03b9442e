"""WooCommerce sandbox images: `src` sideloading, reuse by id, failures, and the WordPress media endpoint."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.woocommerce_peer import (
    RunningWoo,
    error_of,
    image_origin,
    png_bytes,
    running_woo,
    trust,
)

UPLOAD_SRC = re.compile(r"^https://127\.0\.0\.1:\d+/wp-content/uploads/\d{4}/\d{2}/(?P<name>[^/]+)$")


@pytest.fixture
def woo(woo_cert: tuple[Path, Path]) -> Iterator[RunningWoo]:
    with running_woo(woo_cert) as running:
        yield running


@pytest.fixture
def origin() -> Iterator[tuple[str, object]]:
    files = {"/storage/product/1/image/mug.png": png_bytes(1), "/storage/product/2/image/cup.png": png_bytes(2),
             "/storage/notes.png": b"this is not an image", "/storage/noext": png_bytes(3)}
    with image_origin(files) as served:
        yield served


def test_src_is_downloaded_stored_and_served(woo: RunningWoo, origin: tuple, woo_cert: tuple[Path, Path]) -> None:
    url, downloads = origin
    response = woo.http.post(woo.api("/products"), json={
        "name": "Mug", "images": [{"src": f"{url}/storage/product/1/image/mug.png", "alt": "A mug"},
                                  {"src": f"{url}/storage/product/2/image/cup.png"}]})
    assert response.status_code == 201, response.text
    product = response.json()
    first, second = product["images"]
    assert UPLOAD_SRC.match(first["src"]).group("name") == "mug.png"
    assert first["alt"] == "A mug" and first["id"] < product["id"]  # attachments are made before the product
    assert httpx.get(first["src"], verify=trust(woo_cert)).content == png_bytes(1)
    assert downloads.count("GET") == 2
    assert woo.state.counts()["media"] == 2

    # Re-sending by id reuses the attachment with no download; re-sending by src downloads a new copy.
    again = woo.http.put(woo.api(f"/products/{product['id']}"), json={"images": [{"id": second["id"]}, {"id": first["id"]}]})
    assert [i["id"] for i in again.json()["images"]] == [second["id"], first["id"]]
    assert downloads.count("GET") == 2 and woo.state.counts()["media"] == 2
    copy = woo.http.put(woo.api(f"/products/{product['id']}"), json={"images": [{"src": f"{url}/storage/product/1/image/mug.png"}]})
    assert UPLOAD_SRC.match(copy.json()["images"][0]["src"]).group("name") == "mug-1.png"
    assert woo.state.counts()["media"] == 3
    cleared = woo.http.put(woo.api(f"/products/{product['id']}"), json={"images": []})
    assert cleared.json()["images"] == []


def test_an_image_url_of_the_store_itself_can_be_sideloaded(woo: RunningWoo, origin: tuple) -> None:
    url, _ = origin
    first = woo.http.post(woo.api("/products"), json={
        "name": "A", "images": [{"src": f"{url}/storage/product/1/image/mug.png"}]}).json()
    own = first["images"][0]["src"]  # a WordPress media URL served by this same sandbox
    second = woo.http.post(woo.api("/products"), json={"name": "B", "images": [{"src": own}]})
    assert second.status_code == 201, second.text
    assert second.json()["images"][0]["id"] != first["images"][0]["id"]


def test_failed_download_fails_the_write_and_leaves_nothing(woo: RunningWoo, origin: tuple) -> None:
    url, _ = origin
    missing = f"{url}/storage/missing.png"
    response = woo.http.post(woo.api("/products"), json={
        "name": "Broken", "images": [{"src": f"{url}/storage/product/1/image/mug.png"}, {"src": missing}]})
    assert error_of(response) == (400, "woocommerce_product_image_upload_error",
                                  f"Error getting remote image {missing}. Error: Not Found")
    counts = woo.state.counts()
    assert counts["products"] == 0 and counts["media"] == 0  # the first, good upload was removed again
    refused = woo.http.post(woo.api("/products"), json={"name": "Text", "images": [{"src": f"{url}/storage/notes.png"}]})
    assert error_of(refused) == (400, "woocommerce_product_image_upload_error",
                                 "Invalid image: Sorry, you are not allowed to upload this file type.")
    no_extension = woo.http.post(woo.api("/products"), json={"name": "N", "images": [{"src": f"{url}/storage/noext"}]})
    assert error_of(no_extension)[2] == "Invalid image: Sorry, you are not allowed to upload this file type."
    closed = woo.http.post(woo.api("/products"), json={"name": "C", "images": [{"src": "http://127.0.0.1:1/x.png"}]})
    assert error_of(closed)[2].startswith("Error getting remote image http://127.0.0.1:1/x.png. Error: cURL error 7:")
    assert error_of(woo.http.post(woo.api("/products"), json={"name": "I", "images": [{"id": 424242}]})) == (
        400, "woocommerce_product_invalid_image_id", "#424242 is an invalid image ID.")


def test_failed_image_in_a_batch_is_that_items_error(woo: RunningWoo, origin: tuple) -> None:
    url, _ = origin
    response = woo.http.post(woo.api("/products/batch"), json={"create": [
        {"name": "Good", "images": [{"src": f"{url}/storage/product/2/image/cup.png"}]},
        {"name": "Bad", "images": [{"src": f"{url}/storage/nothing.png"}]},
    ]})
    assert response.status_code == 200
    good, bad = response.json()["create"]
    assert good["images"][0]["src"].endswith("/cup.png")
    assert bad["id"] == 0 and bad["error"]["code"] == "woocommerce_product_image_upload_error"
    assert bad["error"]["data"] == {"status": 400}


def test_variation_and_category_images(woo: RunningWoo, origin: tuple) -> None:
    url, _ = origin
    parent = woo.http.post(woo.api("/products"), json={"name": "V", "type": "variable"}).json()
    base = f"/products/{parent['id']}/variations"
    variation = woo.http.post(woo.api(base), json={"image": {"src": f"{url}/storage/product/1/image/mug.png"}})
    assert variation.status_code == 201 and variation.json()["image"]["src"].endswith("/mug.png")
    broken = woo.http.post(woo.api(base), json={"image": {"src": f"{url}/storage/gone.png"}})
    assert error_of(broken)[:2] == (400, "woocommerce_variation_image_upload_error")
    category = woo.http.post(woo.api("/products/categories"), json={
        "name": "Mugs", "image": {"src": f"{url}/storage/product/2/image/cup.png", "alt": "cups"}})
    assert category.status_code == 201 and category.json()["image"]["alt"] == "cups"
    bad = woo.http.post(woo.api("/products/categories"), json={"name": "Bad", "image": {"src": f"{url}/storage/x.png"}})
    assert error_of(bad)[:2] == (400, "woocommerce_rest_invalid_remote_image_url")


# --- /wp-json/wp/v2/media --------------------------------------------------------------------------


def test_media_upload_with_an_application_password(woo: RunningWoo, woo_cert: tuple[Path, Path]) -> None:
    verify = trust(woo_cert)
    password = woo.state.wp_app_password.replace(" ", "")  # spaces are optional
    response = httpx.post(f"{woo.url}/wp-json/wp/v2/media", content=png_bytes(7), verify=verify,
                          auth=(woo.state.wp_user, password),
                          headers={"Content-Type": "image/png", "Content-Disposition": 'attachment; filename="photo.png"'})
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["Location"] == f"{woo.url}/wp-json/wp/v2/media/{body['id']}"
    assert body["media_type"] == "image" and body["mime_type"] == "image/png"
    assert UPLOAD_SRC.match(body["source_url"]).group("name") == "photo.png"
    assert body["media_details"]["width"] == 2
    assert httpx.get(body["source_url"], verify=verify).content == png_bytes(7)
    # The uploaded media can then be attached to a product by id, without a download.
    product = woo.http.post(woo.api("/products"), json={"name": "With media", "images": [{"id": body["id"]}]}).json()
    assert product["images"][0]["src"] == body["source_url"]

    multipart = httpx.post(f"{woo.url}/wp-json/wp/v2/media", files={"file": ("other.png", png_bytes(8), "image/png")},
                           auth=(woo.state.wp_user, woo.state.wp_app_password), verify=verify)
    assert multipart.status_code == 201, multipart.text
    assert multipart.json()["source_url"].endswith("/other.png")


def test_media_upload_refusals(woo: RunningWoo, woo_cert: tuple[Path, Path]) -> None:
    verify = trust(woo_cert)
    url = f"{woo.url}/wp-json/wp/v2/media"
    headers = {"Content-Type": "image/png", "Content-Disposition": "attachment; filename=photo.png"}
    wrong = httpx.post(url, content=png_bytes(), headers=headers, auth=(woo.state.wp_user, "nope nope"), verify=verify)
    assert error_of(wrong) == (401, "incorrect_password", "The provided password is an invalid application password.")
    nobody = httpx.post(url, content=png_bytes(), headers=headers, auth=("ghost", "x"), verify=verify)
    assert error_of(nobody)[:2] == (401, "invalid_username")
    consumer = woo.state.credentials
    with_wc_key = httpx.post(url, content=png_bytes(), headers=headers, verify=verify,
                             auth=(consumer["consumer_key"], consumer["consumer_secret"]))
    assert error_of(with_wc_key)[:2] == (401, "invalid_username")  # WooCommerce keys do not work on wp/v2
    anonymous = httpx.post(url, content=png_bytes(), headers=headers, verify=verify)
    assert error_of(anonymous) == (401, "rest_cannot_create", "Sorry, you are not allowed to create posts as this user.")
    auth = (woo.state.wp_user, woo.state.wp_app_password)
    no_name = httpx.post(url, content=png_bytes(), headers={"Content-Type": "image/png"}, auth=auth, verify=verify)
    assert error_of(no_name) == (400, "rest_upload_no_content_disposition", "No Content-Disposition supplied.")
    text = httpx.post(url, content=b"hello", auth=auth, verify=verify,
                      headers={"Content-Type": "text/plain", "Content-Disposition": "attachment; filename=a.txt"})
    assert error_of(text) == (500, "rest_upload_sideload_error", "Sorry, you are not allowed to upload this file type.")
    assert woo.state.counts()["media"] == 0
