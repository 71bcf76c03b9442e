"""Every published UnoPim example (tests/fixtures/examples/unopim) against the sandbox's answer to the
same request, compared by shape (same keys and JSON types; extra keys allowed)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.conformance import EXAMPLES, assert_same_shape, load_example
from tests.support.unopim_peer import UnoPimPeer, running
from unopim_desktop.sandbox.catalogue import Catalogue, generate_catalogue
from unopim_desktop.sandbox.unopim import UnoPimState


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    # Three locales (en_US, fr_FR, de_DE) so labels have the keys the docs examples show.
    return generate_catalogue(6, seed=11, locales=3)


@pytest.fixture(scope="module", params=[3, 1], ids=["v3", "v1"])
def peer(request: pytest.FixtureRequest) -> Iterator[UnoPimPeer]:
    with running(version=request.param) as p:
        yield p


@pytest.fixture(scope="module", params=[3, 1], ids=["v3", "v1"])
def loaded(request: pytest.FixtureRequest, cat: Catalogue) -> Iterator[UnoPimPeer]:
    with running(UnoPimState(version=request.param, catalogue=cat)) as p:
        yield p


def test_every_example_is_covered() -> None:
    names = {p.name for p in (EXAMPLES / "unopim").glob("*.json")}
    assert names == set(COVERED)


def test_oauth_token(peer: UnoPimPeer) -> None:
    resp = peer.password_grant()
    assert resp.status_code == 200
    assert_same_shape(load_example("unopim/oauth-token.json"), resp.json())


def test_locales_list(peer: UnoPimPeer) -> None:
    resp = peer.get("/locales?limit=10")
    assert resp.status_code == 200
    assert_same_shape(load_example("unopim/locales-list.json"), resp.json())


def test_locales_get(peer: UnoPimPeer) -> None:
    resp = peer.get("/locales/en_US")
    assert resp.status_code == 200
    assert_same_shape(load_example("unopim/locales-get.json"), resp.json())


def test_currencies_list(peer: UnoPimPeer) -> None:
    resp = peer.get("/currencies?limit=10")
    assert resp.status_code == 200
    assert_same_shape(load_example("unopim/currencies-list.json"), resp.json())


def test_channels_list(peer: UnoPimPeer) -> None:
    resp = peer.get("/channels")
    assert resp.status_code == 200
    assert_same_shape(load_example("unopim/channels-list.json"), resp.json())


def test_attribute_groups_get(loaded: UnoPimPeer) -> None:
    resp = loaded.get("/attribute-groups/marketing")
    assert resp.status_code == 200
    assert_same_shape(load_example("unopim/attribute-groups-get.json"), resp.json())


def test_attribute_options_list(loaded: UnoPimPeer) -> None:
    resp = loaded.get("/attributes/size/options")
    assert resp.status_code == 200
    assert resp.json(), "the size attribute has options"
    assert_same_shape(load_example("unopim/attribute-options-list.json"), resp.json())


def test_families_get(loaded: UnoPimPeer) -> None:
    resp = loaded.get("/families/accessories")
    assert resp.status_code == 200
    assert_same_shape(load_example("unopim/families-get.json"), resp.json())


def test_categories_get(peer: UnoPimPeer) -> None:
    # Seed the docs' categories through the API, then read one back.
    for code, parent, name in (("master", "root", "Master"), ("master_accessories", "master", "Master Accessories")):
        body = {"code": code, "parent": parent, "additional_data": {
            "common": {"description": f"{name} Category"}, "locale_specific": {"en_US": {"name": name}}}}
        assert peer.post("/categories", json=body).status_code == 201
    resp = peer.get("/categories/master_accessories")
    assert resp.status_code == 200
    assert_same_shape(load_example("unopim/categories-get.json"), resp.json())


def test_media_files_product_upload(loaded: UnoPimPeer, cat: Catalogue) -> None:
    sku = cat.products[0]["sku"]
    resp = loaded.post("/media-files/product", data={"sku": sku, "attribute": "image"},
                       files={"file": ("4099514009964_2.jpg", b"\xff\xd8\xff\xe0" + b"0" * 32, "image/jpeg")})
    assert resp.status_code == 200
    assert_same_shape(load_example("unopim/media-files-product-upload.json"), resp.json())


COVERED = [
    "oauth-token.json",
    "locales-list.json",
    "locales-get.json",
    "currencies-list.json",
    "channels-list.json",
    "attribute-groups-get.json",
    "attribute-options-list.json",
    "categories-get.json",
    "families-get.json",
    "media-files-product-upload.json",
]
