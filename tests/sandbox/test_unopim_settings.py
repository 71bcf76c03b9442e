"""UnoPim sandbox: locales, currencies, channels — list envelope, paging, filters, settings errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from tests.support.unopim_peer import UnoPimPeer, running
from unopim_desktop.sandbox.faults import FaultConfig
from unopim_desktop.sandbox.server import ServerThread
from unopim_desktop.sandbox.unopim import UnoPimState, create_unopim_app


@pytest.fixture(scope="module")
def v3() -> Iterator[UnoPimPeer]:
    with running() as peer:
        yield peer


@pytest.fixture(scope="module")
def v1() -> Iterator[UnoPimPeer]:
    with running(version=1) as peer:
        yield peer


def _query(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def _filters(obj: object) -> dict[str, str]:
    return {"filters": json.dumps(obj)}


# -- envelope and paging --------------------------------------------------------------------------
def test_locale_list_envelope_and_default_limit(v3: UnoPimPeer) -> None:
    body = v3.get("/locales").json()
    assert list(body) == ["data", "current_page", "last_page", "total", "links"]
    assert len(body["data"]) == 10
    assert body["data"][0] == {"code": "af_ZA", "status": 0}
    total = len(v3.state.locales)
    assert body["total"] == total
    assert body["last_page"] == -(-total // 10)
    assert body["links"]["prev"] is None
    assert body["links"]["first"] == f"{v3.url}/api/v1/rest/locales?page=1"
    assert body["links"]["next"] == f"{v3.url}/api/v1/rest/locales?page=2"
    assert body["links"]["last"] == f"{v3.url}/api/v1/rest/locales?page={body['last_page']}"


def test_links_keep_the_query_and_put_page_last(v3: UnoPimPeer) -> None:
    body = v3.get("/locales?limit=5&page=2&sort=code").json()
    assert body["current_page"] == 2
    assert [c["code"] for c in body["data"]] == ["ar_EG", "ar_IQ", "ar_JO", "ar_KW", "ar_LB"]
    # `page` keeps its place when the request had it (PHP array_merge).
    assert _query(body["links"]["next"]) == [("limit", "5"), ("page", "3"), ("sort", "code")]
    assert _query(body["links"]["prev"]) == [("limit", "5"), ("page", "1"), ("sort", "code")]
    body = v3.get("/locales?limit=5").json()
    assert _query(body["links"]["next"]) == [("limit", "5"), ("page", "2")]


def test_walking_every_page_yields_every_locale_once(v3: UnoPimPeer) -> None:
    seen: list[str] = []
    page = 1
    while True:
        body = v3.get(f"/locales?limit=7&page={page}").json()
        seen += [c["code"] for c in body["data"]]
        if body["current_page"] >= body["last_page"]:
            assert body["links"]["next"] is None
            break
        page += 1
    assert seen == [loc["code"] for loc in v3.state.locales.values()]


def test_page_beyond_the_last(v3: UnoPimPeer) -> None:
    body = v3.get("/locales?limit=10&page=99").json()
    assert body["data"] == []
    assert body["current_page"] == 99
    assert body["total"] == len(v3.state.locales)
    assert body["links"]["next"] is None
    assert _query(body["links"]["prev"]) == [("limit", "10"), ("page", "98")]


@pytest.mark.parametrize(("limit", "expected"), [("0", 1), ("-3", 1), ("abc", 10), ("2.9", 2)])
def test_v3_limit_is_clamped_and_defaults_when_not_numeric(v3: UnoPimPeer, limit: str, expected: int) -> None:
    assert len(v3.get(f"/locales?limit={limit}").json()["data"]) == expected


def test_limit_maximum_is_100_on_v3_only() -> None:
    for version, expected in ((3, 100), (1, 150)):
        with running(version=version) as peer:
            with peer.state.lock:
                for i in range(150 - len(peer.state.locales)):
                    peer.state.locales[f"zz_{i:03d}"] = {"code": f"zz_{i:03d}", "status": 0}
            body = peer.get("/locales?limit=150").json()
            assert len(body["data"]) == expected
            assert body["total"] == 150


# -- single GETs and settings errors ---------------------------------------------------------------
def test_get_single_locale_currency_channel(v3: UnoPimPeer) -> None:
    assert v3.get("/locales/en_US").json() == {"code": "en_US", "status": 1}
    assert v3.get("/currencies/USD").json() == {"code": "USD", "status": 1, "label": "US Dollar"}
    assert v3.get("/channels/default").json() == {
        "code": "default", "labels": {"en_US": "Default"}, "root_category": "root",
        "locales": ["en_US"], "currencies": ["USD"],
    }  # fmt: skip


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/locales/xx_XX", "Locale with code xx_XX could not be found."),
        ("/currencies/XXX", "Currency with code XXX could not be found."),
        ("/channels/nope", "Channel with code nope could not be found."),
    ],
)
def test_unknown_settings_code_is_400_error(v3: UnoPimPeer, v1: UnoPimPeer, path: str, message: str) -> None:
    for peer in (v3, v1):
        resp = peer.get(path)
        assert resp.status_code == 400
        assert resp.json() == {"error": message}


# -- filters --------------------------------------------------------------------------------------
def test_status_filter_on_locales_and_currencies(v3: UnoPimPeer) -> None:
    body = v3.get("/locales", params=_filters({"status": [{"operator": "=", "value": 1}]})).json()
    assert body["data"] == [{"code": "en_US", "status": 1}]
    assert body["total"] == 1
    body = v3.get("/currencies", params=_filters({"status": [{"operator": "=", "value": True}]})).json()
    assert [c["code"] for c in body["data"]] == ["USD"]


def test_v3_locale_code_filters_and_or_semantics(v3: UnoPimPeer) -> None:
    body = v3.get("/locales", params=_filters({"code": [{"operator": "IN", "value": ["fr_FR", "de_DE"]}]})).json()
    assert [c["code"] for c in body["data"]] == ["de_DE", "fr_FR"]
    # Generic resources OR their filters: status=1 OR code=af_ZA.
    both = {"status": [{"operator": "=", "value": 1}], "code": [{"operator": "=", "value": "af_ZA"}]}
    body = v3.get("/locales", params=_filters(both)).json()
    assert [c["code"] for c in body["data"]] == ["af_ZA", "en_US"]
    body = v3.get("/locales", params=_filters({"code": [{"operator": "NOT IN", "value": ["af_ZA"]}]})).json()
    assert body["total"] == len(v3.state.locales) - 1


def test_filter_links_carry_the_filters(v3: UnoPimPeer) -> None:
    filters = json.dumps({"status": [{"operator": "=", "value": 0}]})
    body = v3.get("/locales", params={"filters": filters, "limit": "5"}).json()
    assert dict(_query(body["links"]["next"]))["filters"] == filters
    assert "%7B%22status%22" in body["links"]["next"]  # RFC 3986 encoding, as http_build_query


def test_v1_has_no_locale_code_filter(v1: UnoPimPeer) -> None:
    resp = v1.get("/locales", params=_filters({"code": [{"operator": "=", "value": "en_US"}]}))
    assert resp.status_code == 400
    assert resp.json() == {"error": 'Filter on property "code" is not supported or does not support operator "=".'}


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ("{not json", "filter query parameter should be valid JSON."),
        ('{"status":{"operator":"=","value":1}}',
         'Structure of filter "status" should respect this structure: '
         '{"status":[{"operator": "my_operator", "value": "my_value"}]}'),
        ('{"status":[{"value":1}]}', 'Operator is missing for the property "status".'),
        ('{"status":[{"operator":5,"value":1}]}', 'Operator has to be a string, "integer" given.'),
        ('{"status":[{"operator":"IN","value":[1]}]}',
         'Filter on property "status" is not supported or does not support operator "IN".'),
        ('{"status":[{"operator":"="}]}', 'Value is missing for the property "status".'),
        ('{"code":[{"operator":"=","value":["en_US"]}]}',
         'Filter "code" with operator "=" is not supported or does not support a array value.'),
        ('{"code":[{"operator":"IN","value":"en_US"}]}', 'Filter "code" with operator "IN" expects a array value.'),
    ],
)  # fmt: skip
def test_settings_filter_errors_are_400_error(v3: UnoPimPeer, filters: str, message: str) -> None:
    resp = v3.get("/locales", params={"filters": filters})
    assert resp.status_code == 400
    assert resp.json() == {"error": message}


def test_channels_support_no_filter(v3: UnoPimPeer) -> None:
    resp = v3.get("/channels", params=_filters({"code": [{"operator": "=", "value": "default"}]}))
    assert resp.status_code == 400
    assert resp.json() == {"error": 'Filter on property "code" is not supported or does not support operator "=".'}


def test_currency_list_items(v3: UnoPimPeer) -> None:
    body = v3.get("/currencies?limit=100").json()
    assert all(set(c) == {"code", "status", "label"} for c in body["data"])
    assert {"code": "EUR", "status": 0, "label": "Euro"} in body["data"]
    assert body["total"] == len(v3.state.currencies)


def test_json_is_laravel_encoded(v3: UnoPimPeer) -> None:
    raw = v3.get("/channels").text
    assert "http:\\/\\/" in raw  # response()->json() escapes slashes


# -- caching and injected faults -------------------------------------------------------------------
def test_v3_etag_and_304(v3: UnoPimPeer, v1: UnoPimPeer) -> None:
    first = v3.get("/locales/en_US")
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private"
    again = v3.get("/locales/en_US", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert v3.get("/locales/fr_FR", headers={"If-None-Match": etag}).status_code == 200
    assert "etag" not in v1.get("/locales/en_US").headers


def test_injected_faults_use_unopim_bodies() -> None:
    app = create_unopim_app(UnoPimState(), faults=FaultConfig(rate_429=1.0, retry_after_s=2))
    assert app.state.sandbox.version == 3 and app.state.stats.total() == 0
    with ServerThread(app) as server:
        resp = httpx.get(server.url + "/api/v1/rest/locales")
        assert resp.status_code == 429
        assert resp.headers["retry-after"] == "2"
        assert resp.json()["error"] == "429 Too Many Requests"
        assert httpx.get(server.url + "/__sandbox/state").status_code == 200  # never faulted
        assert app.state.stats.count("GET", "/api/v1/rest/locales") == 1
