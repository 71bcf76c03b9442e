"""Start the three sandbox peers (UnoPim, WooCommerce, BigCommerce) together on loopback.

Used by the demo, the `sandbox` command, tests and benchmarks:

    with start_sandbox(SandboxOptions(products=200)) as sandbox:
        creds = sandbox.credentials()   # urls and secrets for the three servers

`seed_side` chooses where the generated catalogue goes: "unopim" fills UnoPim and leaves both stores
empty (the first-pull scenario); "store" fills both stores and leaves UnoPim as a fresh install (the
first-push scenario).
"""

from __future__ import annotations

import json
import shutil
import signal
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from unopim_desktop.sandbox.bigcommerce import BigCommerceState, create_bigcommerce_app
from unopim_desktop.sandbox.bigcommerce.i18n_state import set_up_i18n
from unopim_desktop.sandbox.catalogue import Catalogue, generate_catalogue
from unopim_desktop.sandbox.faults import FaultConfig
from unopim_desktop.sandbox.server import ServerThread
from unopim_desktop.sandbox.stats import RequestStats
from unopim_desktop.sandbox.tls import make_self_signed_cert
from unopim_desktop.sandbox.unopim import UnoPimState, create_unopim_app
from unopim_desktop.sandbox.woocommerce import WooState, create_woocommerce_app

SEED_SIDES = ("unopim", "store")
PEERS = ("unopim", "woocommerce", "bigcommerce")


@dataclass
class SandboxOptions:
    products: int = 50
    seed: int = 1
    latency_ms: float = 0.0
    fault_rate: float = 0.0
    unopim_version: int = 3
    unopim_timezone: str = "UTC"  # UnoPim's APP_TIMEZONE (its date filters compare in it)
    unopim_rate_limit: int | None = None
    seed_side: str = "unopim"  # "unopim": UnoPim full, stores empty; "store": stores full, UnoPim fresh
    tls: bool = False  # WooCommerce over HTTPS with a generated certificate (the Basic-auth path)
    # Which peers `tls` puts behind HTTPS: WooCommerce by default; UnoPim and BigCommerce too to test that a
    # certificate nobody vouched for is refused on every server the app talks to.
    tls_peers: tuple[str, ...] = ("woocommerce",)
    bigcommerce_rate_limit: int = 150
    host: str = "127.0.0.1"
    # Serve only these peers (empty: all three). Benchmarks run each peer in its own process, as the real
    # servers run on their own machines: three servers in one Python process share one core's worth of GIL.
    only: tuple[str, ...] = ()
    # The catalogue's active locales and currencies (en_US, fr_FR, de_DE…; USD, EUR, GBP…).
    locales: int = 3
    currencies: int = 3
    # WooCommerce plugins (i18n.md; none by default, as a plain store): WPML + WCML with these languages
    # (the first is the default), CURCY or WCML's multi-currency with these currencies.
    wpml_languages: tuple[str, ...] = ()
    curcy_currencies: tuple[str, ...] = ()
    wcml_currencies: tuple[str, ...] = ()
    # BigCommerce: the store's currencies beyond its default (control panel), price lists (an Enterprise
    # plan), and the Translations API (a Catalyst storefront) with these channel locales (the first default).
    bigcommerce_currencies: tuple[str, ...] = ()
    bigcommerce_price_lists: bool = False
    bigcommerce_locales: tuple[str, ...] = ()


class Sandbox:
    """The three peers, their state objects and request counters. Servers run once `start()` returns."""

    def __init__(self, options: SandboxOptions | None = None) -> None:
        self.options = options = options or SandboxOptions()
        if options.seed_side not in SEED_SIDES:
            raise ValueError(f"seed_side must be one of {SEED_SIDES}, got {options.seed_side!r}")
        if not 0.0 <= options.fault_rate <= 1.0:
            raise ValueError(f"fault_rate must be between 0 and 1, got {options.fault_rate}")
        unknown = set(options.only) - set(PEERS)
        if unknown:
            raise ValueError(f"only takes peers from {PEERS}, got {sorted(unknown)}")
        self.peers = tuple(options.only) or PEERS
        seeded = "unopim" if options.seed_side == "unopim" else ("woocommerce", "bigcommerce")
        needs_catalogue = any(peer in seeded for peer in self.peers)
        self.catalogue: Catalogue = generate_catalogue(options.products if needs_catalogue else 0, seed=options.seed,
                                                       locales=options.locales, currencies=options.currencies)

        self.unopim = UnoPimState(
            version=options.unopim_version, rate_limit_per_min=options.unopim_rate_limit,
            timezone=options.unopim_timezone,
        )
        self.woocommerce = WooState()
        if options.wcml_currencies:
            self.woocommerce.enable_wcml_multicurrency(tuple(options.wcml_currencies))
        if options.wpml_languages:
            self.woocommerce.enable_wpml(options.wpml_languages[0], tuple(options.wpml_languages))
        if options.curcy_currencies:
            self.woocommerce.enable_curcy(tuple(options.curcy_currencies))
        self.bigcommerce = BigCommerceState(rate_limit=options.bigcommerce_rate_limit)
        set_up_i18n(self.bigcommerce, currencies=tuple(options.bigcommerce_currencies),
                    price_lists=options.bigcommerce_price_lists, locales=tuple(options.bigcommerce_locales))
        if options.seed_side == "unopim":
            self.unopim.load_catalogue(self.catalogue)
        else:
            self.woocommerce.load_catalogue(self.catalogue)
            self.bigcommerce.load_catalogue(self.catalogue)

        # The factories return the middleware-wrapped app, so the counters are kept here too.
        self.unopim_stats = RequestStats()
        self.woocommerce_stats = RequestStats()
        self.bigcommerce_stats = RequestStats()
        # Each peer's faults; tests add scripted ones (`FaultRule`) to `faults[peer].rules` while it runs.
        self.faults: dict[str, FaultConfig] = {peer: self._faults(n) for n, peer in enumerate(PEERS, start=1)}
        self._apps = {
            "unopim": create_unopim_app(self.unopim, faults=self.faults["unopim"], stats=self.unopim_stats),
            "woocommerce": create_woocommerce_app(
                self.woocommerce, faults=self.faults["woocommerce"], stats=self.woocommerce_stats
            ),
            "bigcommerce": create_bigcommerce_app(
                self.bigcommerce, faults=self.faults["bigcommerce"], stats=self.bigcommerce_stats
            ),
        }

        self.unopim_url = ""
        self.woocommerce_url = ""
        self.bigcommerce_api_url = ""
        self.tls_certfile: Path | None = None
        self._cert_dir: Path | None = None
        self._servers: list[ServerThread] = []

    def _faults(self, server_number: int) -> FaultConfig:
        # Each server draws its faults from its own stream, so one peer's traffic does not shift
        # where another's faults land.
        seed = self.options.seed * 10 + server_number
        return FaultConfig.from_rate(self.options.fault_rate, latency_ms=self.options.latency_ms, seed=seed)

    @property
    def running(self) -> bool:
        return bool(self._servers)

    def start(self) -> Sandbox:
        if self._servers:
            return self
        certfile = keyfile = None
        if self.options.tls:
            self._cert_dir = Path(tempfile.mkdtemp(prefix="unopim-sandbox-tls-"))
            certfile, keyfile = make_self_signed_cert(self._cert_dir)
            self.tls_certfile = certfile
        try:
            if "unopim" in self.peers:
                self.unopim_url = self._launch(self._server("unopim", certfile, keyfile)).url
            if "woocommerce" in self.peers:
                self.woocommerce_url = self._launch(self._server("woocommerce", certfile, keyfile)).url
            if "bigcommerce" in self.peers:
                bigcommerce = self._launch(self._server("bigcommerce", certfile, keyfile))
                self.bigcommerce_api_url = bigcommerce.url + self.bigcommerce.credentials["api_url_path"]
        except BaseException:
            self.stop()
            raise
        return self

    def _server(self, peer: str, certfile: Path | None, keyfile: Path | None) -> ServerThread:
        secure = certfile is not None and peer in self.options.tls_peers
        return ServerThread(self._apps[peer], host=self.options.host, name=peer,
                            ssl_certfile=str(certfile) if secure else None,
                            ssl_keyfile=str(keyfile) if secure else None)

    def _launch(self, server: ServerThread) -> ServerThread:
        self._servers.append(server)
        return server.start()

    def stop(self) -> None:
        servers, self._servers = self._servers, []
        for server in reversed(servers):
            server.stop()
        if self._cert_dir is not None:
            shutil.rmtree(self._cert_dir, ignore_errors=True)
            self._cert_dir = None
            self.tls_certfile = None

    def credentials(self) -> dict[str, dict[str, Any]]:
        """What a user would type into the app's connection forms, for each peer."""
        unopim = self.unopim.credentials
        woo = self.woocommerce.credentials
        bigcommerce = self.bigcommerce.credentials
        woocommerce: dict[str, Any] = {
            "url": self.woocommerce_url,
            "consumer_key": woo["consumer_key"],
            "consumer_secret": woo["consumer_secret"],
        }
        if self.tls_certfile is not None and "woocommerce" in self.options.tls_peers:
            # The self-signed certificate a client must trust to reach the HTTPS store.
            woocommerce["ca_cert"] = str(self.tls_certfile)
        return {
            "unopim": {
                "url": self.unopim_url,
                "client_id": unopim["client_id"],
                "client_secret": unopim["client_secret"],
                "username": unopim["username"],
                "password": unopim["password"],
            },
            "woocommerce": woocommerce,
            "bigcommerce": {
                "api_url": self.bigcommerce_api_url,
                "client_id": bigcommerce["client_id"],
                "client_secret": bigcommerce["client_secret"],
                "access_token": bigcommerce["access_token"],
            },
        }

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_sandbox(options: SandboxOptions | None = None) -> Sandbox:
    return Sandbox(options).start()


def serve_forever(options: SandboxOptions, out: TextIO = sys.stdout, *,
                  stop: threading.Event | None = None) -> int:  # fmt: skip
    """Run the sandbox until Ctrl-C, SIGTERM or `stop` is set.

    The first (and only) line written to `out` is the credentials JSON, so a parent process can read
    one line and connect.
    """
    stop = stop or threading.Event()
    previous_handler: Any = None
    in_main_thread = threading.current_thread() is threading.main_thread()
    if in_main_thread:

        def on_sigterm(signum: int, frame: FrameType | None) -> None:
            stop.set()

        previous_handler = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        with start_sandbox(options) as sandbox:
            out.write(json.dumps(sandbox.credentials()) + "\n")
            out.flush()
            # A short wait in a loop keeps the main thread responsive to Ctrl-C.
            while not stop.wait(0.5):
                pass
    except KeyboardInterrupt:
        pass
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous_handler)
    return 0
