"""Shared plumbing for the benchmarks: the sandbox in its own process, the app set up through the CLI,
request counts read from the sandbox servers, and the request floor (`min_requests`).

The sandbox runs in a child process (`python -m unopim_desktop sandbox …`) so that the benchmark
process holds only the app: its peak RSS is the app's, not the sandbox's (a 100k-product sandbox
alone holds about a gigabyte). Requests are counted on the server side, from `GET /__sandbox/state`.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from unopim_desktop.cli import main as cli_main

STORES = ("woocommerce", "bigcommerce")
STORE_LABEL = "Shop"
CHANNEL = "default"
# Per page and per batch, as the APIs cap them (unopim-api.md §8, store-apis.md A5/A10).
UNOPIM_PAGE = 100
WC_PAGE = 100
WC_BATCH = 100
# Routes the app never calls: the store fetching images from UnoPim's storage, and the store's own
# uploads. They are counted by the servers but are not the app's requests.
NOT_APP_ROUTES = ("GET /storage/", "GET /wp-content/")


class BenchmarkError(RuntimeError):
    """The benchmark cannot run (sandbox did not start, a setup command failed, …)."""


# -- the sandbox process --------------------------------------------------------------------------------


@dataclass
class SandboxProcess:
    """The sandbox's child processes (one per peer by default) and the credentials they printed."""

    procs: list[subprocess.Popen[str]]
    credentials: dict[str, dict[str, Any]]
    log_paths: list[Path]
    _http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=120))

    def state_url(self, server: str) -> str:
        if server == "bigcommerce":
            url = httpx.URL(self.credentials["bigcommerce"]["api_url"])
            return str(url.copy_with(path="/__sandbox/state", query=None))
        return self.credentials[server]["url"].rstrip("/") + "/__sandbox/state"

    def state(self, server: str) -> dict[str, Any]:
        response = self._http.get(self.state_url(server))
        response.raise_for_status()
        return response.json()

    def stop(self) -> None:
        self._http.close()
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()  # serve_forever stops on SIGTERM
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for path in self.log_paths:
            with contextlib.suppress(OSError):
                path.unlink()

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


PEERS = ("unopim", "woocommerce", "bigcommerce")


def start_sandbox_process(
    *, products: int, latency_ms: float, unopim_version: int = 3, unopim_rate_limit: int | None = None,
    seed: int = 1, timeout_s: float = 1800.0, seed_side: str = "unopim", split: bool = True,
    profile: str | None = None, extra: tuple[str, ...] = (),
) -> SandboxProcess:
    """Start the sandbox in child processes and wait for their credentials lines.

    `split` (the default) serves each peer from its own process (`sandbox --only PEER`), as the real
    servers run on their own machines: in one process the three servers share one core's worth of GIL,
    and on a 2-core machine that process, not the app, sets the pace.
    """
    argv = [sys.executable, "-m", "unopim_desktop", "sandbox", "--products", str(products),
            "--latency-ms", str(latency_ms), "--unopim-version", str(unopim_version), "--seed", str(seed),
            "--seed-side", seed_side]
    if unopim_rate_limit:
        argv += ["--unopim-rate-limit", str(unopim_rate_limit)]
    argv += list(extra)
    groups: list[tuple[str, ...]] = [(peer,) for peer in PEERS] if split else [PEERS]
    started = []
    for group in groups:
        log = tempfile.NamedTemporaryFile(prefix="bench-sandbox-", suffix=".log", delete=False)  # noqa: SIM115
        only = [arg for peer in group for arg in ("--only", peer)] if split else []
        if profile:  # diagnostic: each process writes its own cProfile (FILE.PEER when split)
            only += ["--profile", f"{profile}.{group[0]}" if split else profile]
        started.append((group, subprocess.Popen([*argv, *only], stdout=subprocess.PIPE, stderr=log, text=True),
                        Path(log.name)))
        log.close()
    sandbox = SandboxProcess([proc for _, proc, _ in started], {}, [path for _, _, path in started])
    deadline = time.monotonic() + timeout_s
    for group, proc, log_path in started:  # they seed in parallel; read each one's line in turn
        line = ""
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()  # blocks until that sandbox has seeded and listens
            if line.strip() or proc.poll() is not None:
                break
        if not line.strip():
            sandbox.stop()
            tail = log_path.read_text(errors="replace")[-2000:] if log_path.exists() else ""
            raise BenchmarkError(f"the sandbox ({', '.join(group)}) did not start (exit {proc.returncode}):\n{tail}")
        printed = json.loads(line)
        for peer in group:
            sandbox.credentials[peer] = printed[peer]
    return sandbox


# -- request counts ------------------------------------------------------------------------------------


def _request_stats(state: dict[str, Any]) -> dict[str, Any]:
    # UnoPim and WooCommerce say "requests", BigCommerce says "stats": the same RequestStats snapshot.
    return state.get("requests") or state.get("stats") or {}


def route_counts(state: dict[str, Any]) -> Counter[str]:
    return Counter(_request_stats(state).get("by_route") or {})


def status_counts(state: dict[str, Any]) -> Counter[str]:
    return Counter(_request_stats(state).get("by_status") or {})


def store_variation_count(counts: dict[str, int]) -> int:
    """WooCommerce counts `variations`; BigCommerce `variants` (the option-bearing ones)."""
    return int(counts.get("variations", counts.get("variants", 0)) or 0)


def app_requests(routes: Counter[str]) -> int:
    return sum(n for route, n in routes.items() if not route.startswith(NOT_APP_ROUTES))


def write_count(server: str, state: dict[str, Any]) -> int:
    return int(state.get("write_count", state.get("writes", 0)) or 0)


@dataclass
class Snapshot:
    """Request counters and write counters of the servers at one moment."""

    routes: dict[str, Counter[str]]
    statuses: dict[str, Counter[str]]
    writes: dict[str, int]
    counts: dict[str, dict[str, int]]

    @classmethod
    def take(cls, sandbox: SandboxProcess, servers: tuple[str, ...]) -> Snapshot:
        states = {s: sandbox.state(s) for s in servers}
        return cls(
            routes={s: route_counts(st) for s, st in states.items()},
            statuses={s: status_counts(st) for s, st in states.items()},
            writes={s: write_count(s, st) for s, st in states.items()},
            counts={s: dict(st.get("counts") or {}) for s, st in states.items()},
        )

    def routes_since(self, before: Snapshot, server: str) -> Counter[str]:
        diff = self.routes[server].copy()
        diff.subtract(before.routes[server])
        return +diff

    def requests_since(self, before: Snapshot, server: str) -> int:
        return app_requests(self.routes_since(before, server))

    def status_since(self, before: Snapshot, server: str, status: int) -> int:
        return self.statuses[server][str(status)] - before.statuses[server][str(status)]

    def writes_since(self, before: Snapshot) -> int:
        return sum(self.writes[s] - before.writes[s] for s in self.writes)


# -- the app --------------------------------------------------------------------------------------------


def run_cli(data_dir: str, *argv: str) -> str:
    """One CLI command in this process (the app's own code path); its output is returned, not printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = cli_main(["--data-dir", data_dir, *argv])
    if code != 0:
        raise BenchmarkError(f"`{' '.join(argv[:3])}` failed (exit {code}):\n{out.getvalue()[-2000:]}")
    return out.getvalue()


# -- every locale and every currency (#18) ----------------------------------------------------------------
LANGUAGES = ("en", "fr", "de", "es", "it", "nl")  # the store languages of the catalogue's locales, in order
LOCALES = ("en_US", "fr_FR", "de_DE", "es_ES", "it_IT", "nl_NL")
CURRENCIES = ("USD", "EUR", "GBP", "CAD", "CHF", "AUD", "SEK", "JPY")


@dataclass
class Reach:
    """How many of the catalogue's locales and currencies reach the store (1 and 1: one of each, no plugin)."""

    locales: int = 1
    currencies: int = 1

    def sandbox_args(self, store: str) -> tuple[str, ...]:
        """The catalogue (at least the sandbox's own 3 and 3) and the store's plugins or plan."""
        args = ["--locales", str(max(3, self.locales)), "--currencies", str(max(3, self.currencies))]
        langs, extra = ",".join(LANGUAGES[:self.locales]), ",".join(CURRENCIES[1:self.currencies])
        if store == "woocommerce":
            args += ["--wpml", langs] if self.locales > 1 else []
            args += ["--curcy", extra] if self.currencies > 1 else []
        else:
            args += ["--bigcommerce-locales", langs] if self.locales > 1 else []
            args += ["--bigcommerce-price-lists", "--bigcommerce-currencies", extra] if self.currencies > 1 else []
        return tuple(args)

    def channel_args(self) -> tuple[str, ...]:
        pairs = [("--locale-map", f"{loc}={lang}") for loc, lang in zip(LOCALES[1:self.locales],
                                                                       LANGUAGES[1:self.locales], strict=True)]
        pairs += [("--currency-map", f"{cur}={cur}") for cur in CURRENCIES[1:self.currencies]]
        return tuple(a for pair in pairs for a in pair)


def set_up_app(data_dir: str, credentials: dict[str, dict[str, Any]], store: str, reach: Reach | None = None) -> None:
    """Connect, add the store, refresh channels, point the default channel at the store (with `reach`'s
    locale and currency maps), auto-map."""
    unopim = credentials["unopim"]
    os.environ["UNOPIM_CLIENT_SECRET"] = unopim["client_secret"]
    os.environ["UNOPIM_PASSWORD"] = unopim["password"]
    run_cli(data_dir, "connect", "--url", unopim["url"], "--client-id", unopim["client_id"],
            "--username", unopim["username"])
    if store == "woocommerce":
        woo = credentials["woocommerce"]
        os.environ["WOOCOMMERCE_CONSUMER_SECRET"] = woo["consumer_secret"]
        run_cli(data_dir, "store", "add", "woocommerce", "--label", STORE_LABEL, "--url", woo["url"],
                "--consumer-key", woo["consumer_key"])
    else:
        big = credentials["bigcommerce"]
        os.environ["BIGCOMMERCE_CLIENT_SECRET"] = big["client_secret"]
        os.environ["BIGCOMMERCE_ACCESS_TOKEN"] = big["access_token"]
        run_cli(data_dir, "store", "add", "bigcommerce", "--label", STORE_LABEL, "--api-url", big["api_url"],
                "--client-id", big["client_id"])
    reach = reach or Reach()
    if store == "woocommerce" and reach.currencies > 1:
        run_cli(data_dir, "store", "set", STORE_LABEL, "--plugin-currencies", ",".join(CURRENCIES[1:reach.currencies]))
    run_cli(data_dir, "channels", "refresh")
    run_cli(data_dir, "channels", "set", CHANNEL, "--store", STORE_LABEL, *reach.channel_args())
    run_cli(data_dir, "mapping", "auto")


def store_can_pull(store: str) -> str | None:
    """Why the engine cannot pull into this store kind yet (None: it can).

    The pull pipeline calls these adapter methods; a store adapter without them cannot take a pull.
    """
    if store == "woocommerce":
        return None
    from unopim_desktop.stores.bigcommerce.adapter import BigCommerceAdapter

    needed = ("upsert_products", "upsert_variants", "upsert_categories", "upsert_attributes",
              "find_products_by_sku", "set_product_images", "set_variant_images", "set_associations",
              "delete_products")
    missing = [name for name in needed if not hasattr(BigCommerceAdapter, name)]
    if missing:
        return ("not supported yet: the pull pipeline runs on WooCommerce first "
                f"(the BigCommerce adapter has no {', '.join(missing)})")
    return None


def cpu_seconds(who: int = resource.RUSAGE_SELF) -> float:
    """User + system CPU time of this process (or of its waited-for children)."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> float:
    """This process's peak resident set size (Linux reports ru_maxrss in KiB, macOS in bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


# -- the request floor ------------------------------------------------------------------------------------


def pages(n: int, size: int) -> int:
    """Requests to list n items at `size` a page: an empty list still takes one request."""
    return max(1, math.ceil(n / size))


def batches(n: int, size: int) -> int:
    return math.ceil(n / size) if n else 0


@dataclass
class CatalogueFacts:
    """What the request floor depends on, from the generated catalogue (computed in a child process so
    that generating 100k products does not count towards this process's peak RSS)."""

    products: int  # top level: simple + configurable
    configurable: int
    variants: int
    with_associations: int
    axis_attributes: list[str]
    select_attributes: list[str]  # select-like attribute codes (their options come one request each)
    category_levels: list[int]  # categories per depth under the channel's root
    axis_terms: int = 0  # the options of the variant axes (the store's attribute terms)

    @classmethod
    def compute(cls, products: int, seed: int, locales: int = 3, currencies: int = 3) -> CatalogueFacts:
        code = (
            "import json,sys\n"
            "from benchmarks._common import catalogue_facts\n"
            f"print(json.dumps(catalogue_facts({products}, {seed}, {locales}, {currencies})))\n"
        )
        root = str(Path(__file__).resolve().parent.parent)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
        return cls(**json.loads(out.stdout))


def catalogue_facts(products: int, seed: int, locales: int = 3, currencies: int = 3) -> dict[str, Any]:
    from unopim_desktop.sandbox.catalogue import generate_catalogue

    cat = generate_catalogue(products, seed=seed, locales=locales, currencies=currencies)
    variants = sum(1 for p in cat.products if p["parent"] is not None)
    top = [p for p in cat.products if p["parent"] is None] + cat.configurable_products
    with_assoc = sum(
        1 for p in top
        if any((p["values"].get("associations") or {}).get(k) for k in ("up_sells", "cross_sells"))
    )
    axes = sorted({a for p in cat.configurable_products for a in p.get("super_attributes") or []})
    channel = next(c for c in cat.channels if c["code"] == CHANNEL)
    by_code = {c["code"]: c for c in cat.categories}

    def depth(code: str) -> int:
        d, parent = 0, by_code[code].get("parent")
        while parent and parent != channel["root_category"]:
            d, parent = d + 1, by_code[parent].get("parent")
        return d if parent == channel["root_category"] else -1

    levels: Counter[int] = Counter(depth(c["code"]) for c in cat.categories if c["code"] != channel["root_category"])
    return {
        "products": len(top),
        "configurable": len(cat.configurable_products),
        "variants": variants,
        "with_associations": with_assoc,
        "axis_attributes": axes,
        "select_attributes": sorted(a["code"] for a in cat.attributes
                                    if a["type"] in ("select", "multiselect", "checkbox")),
        "category_levels": [levels[d] for d in sorted(k for k in levels if k >= 0)],
        "axis_terms": sum(len(cat.attribute_options.get(a, [])) for a in axes),
    }


def min_requests_pull_full(facts: CatalogueFacts, unopim_lists: dict[str, int],
                           select_attributes_needed: int) -> dict[str, int]:
    """The fewest requests a first Pull Full into an empty WooCommerce store could make.

    UnoPim: one token; every settings list once (`unopim_lists`: list sizes as the server reports
    them); the options of each select attribute the store needs (no batch endpoint); configurable
    products and products listed once each at 100 a page.
    WooCommerce: one read each of products, categories and attributes to find what already exists
    (an empty store answers one page); one attributes batch and one terms batch per attribute;
    one categories batch per tree level (a child needs its parent's id); products at 100 a batch with
    their images, tags and categories inline; one variations batch per configurable product (≤ 100
    variants each); associations at 100 a batch once every product has an id.
    """
    unopim = 1 + sum(pages(n, UNOPIM_PAGE) for n in unopim_lists.values())
    unopim += select_attributes_needed
    unopim += pages(facts.configurable, UNOPIM_PAGE) + pages(facts.products - facts.configurable + facts.variants,
                                                             UNOPIM_PAGE)
    store = 3
    store_attributes = len(facts.axis_attributes)
    if store_attributes:
        store += batches(store_attributes, WC_BATCH) + store_attributes
    store += sum(batches(n, WC_BATCH) for n in facts.category_levels)
    store += batches(facts.products, WC_BATCH)
    store += facts.configurable  # variations batch per parent (4 variants each here, so one call)
    store += batches(facts.with_associations, WC_BATCH)
    return {"unopim": unopim, "store": store, "total": unopim + store}


def min_requests_translations(facts: CatalogueFacts, reach: Reach, store: str) -> int:
    """What the further locales and currencies add to the floor (#18).

    WooCommerce (WPML): finding the plugins and the default language (system_status, one category read),
    one check per further language, then each translation one request (WCML switches no language per batch
    item): every category, attribute term and product, and one read of each translated variable product's
    variations (WCML makes them; their ids are linked). CURCY prices ride inline with the products and
    translations: nothing more. BigCommerce: its store facts, price lists and locales (3 reads); one
    `updateTranslations` per 50 products or categories per language; for prices, the channel's price list
    (made and assigned: 4 calls) and records at 1,000 a call.
    """
    more = reach.locales - 1
    if store == "woocommerce":
        fixed = (2 + more) if more or reach.currencies > 1 else 0
        return fixed + more * (sum(facts.category_levels) + facts.axis_terms + facts.products + facts.configurable)
    extra = 3 if more or reach.currencies > 1 else 0
    extra += more * (batches(facts.products, 50) + batches(sum(facts.category_levels), 50))
    if reach.currencies > 1:
        extra += 4 + batches((facts.products - facts.configurable + facts.variants) * (reach.currencies - 1), 1000)
    return extra


BC_BATCH_UPDATE = 10  # PUT /v3/catalog/products takes at most 10 products (store-apis.md B5)
BC_QUOTA, BC_WINDOW_S = 150, 30  # the standard plan's quota (store-apis.md B9), what the sandbox enforces


def min_requests_pull_full_bigcommerce(facts: CatalogueFacts, unopim_lists: dict[str, int],
                                       select_attributes_needed: int) -> dict[str, int]:
    """The fewest requests a first Pull Full into an empty BigCommerce store could make.

    UnoPim: as for WooCommerce. BigCommerce (store-apis.md B5–B7): one read each of the products, the
    channel's category tree and its categories; one categories POST per tree level (the body is an array;
    a child needs its parent's id); one POST per top-level product — there is no batch create — carrying
    its images, categories and variants inline (option values are created from the variants'
    `option_display_name`/`label`); related products at 10 a batch update. BigCommerce has no global
    attributes, so none are written.
    """
    woo = min_requests_pull_full(facts, unopim_lists, select_attributes_needed)
    store = 3
    store += sum(1 for n in facts.category_levels if n)
    store += facts.products
    store += batches(facts.with_associations, BC_BATCH_UPDATE)
    return {"unopim": woo["unopim"], "store": store, "total": woo["unopim"] + store}
