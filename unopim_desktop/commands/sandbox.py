"""`unopim-desktop sandbox`: serve the three local peers until interrupted."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "sandbox",
        parents=[common],
        help="serve local UnoPim, WooCommerce and BigCommerce peers (prints their credentials as one JSON line)",
    )
    p.add_argument("--products", type=int, default=50)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--latency-ms", type=float, default=0.0)
    p.add_argument("--fault-rate", type=float, default=0.0, help="share of requests that fail (0..1)")
    p.add_argument("--unopim-version", type=int, choices=(1, 3), default=3)
    p.add_argument("--unopim-timezone", default="UTC", metavar="TZ", type=_zone,
                   help="UnoPim's APP_TIMEZONE, e.g. America/New_York: its date filters compare in it (default UTC)")
    p.add_argument("--unopim-rate-limit", type=int, default=None, help="requests per minute (3.x default: 120)")
    p.add_argument("--seed-side", choices=("unopim", "store"), default="unopim")
    p.add_argument("--tls", action="store_true", help="serve WooCommerce over HTTPS with a generated certificate")
    p.add_argument("--only", action="append", choices=("unopim", "woocommerce", "bigcommerce"), default=[],
                   help="serve only this peer (repeatable); its credentials are in the JSON line, the others' "
                        "URLs are empty")
    p.add_argument("--locales", type=int, default=3, help="active locales in the catalogue (default 3: en_US, fr_FR, "
                   "de_DE)")
    p.add_argument("--currencies", type=int, default=3, help="active currencies in the catalogue (default 3: USD, "
                   "EUR, GBP)")
    i18n = p.add_argument_group("store plugins and plans (i18n; none by default)")
    i18n.add_argument("--wpml", type=_codes, default=(), metavar="LANGS",
                      help="WooCommerce with WPML + WooCommerce Multilingual, e.g. en,fr,de (the first is the default)")
    i18n.add_argument("--curcy", type=_codes, default=(), metavar="CURRENCIES",
                      help="WooCommerce with CURCY set up for these currencies, e.g. EUR,GBP")
    i18n.add_argument("--wcml-currencies", type=_codes, default=(), metavar="CURRENCIES",
                      help="WooCommerce with WCML's multi-currency (independent prices) for these currencies")
    i18n.add_argument("--bigcommerce-currencies", type=_codes, default=(), metavar="CURRENCIES",
                      help="BigCommerce store currencies beyond its default, e.g. EUR,GBP")
    i18n.add_argument("--bigcommerce-price-lists", action="store_true",
                      help="BigCommerce on a plan with price lists (Enterprise)")
    i18n.add_argument("--bigcommerce-locales", type=_codes, default=(), metavar="LOCALES",
                      help="BigCommerce with the Translations API (a Catalyst channel) and these locales, e.g. "
                           "en,fr,de (the first is the default)")
    p.add_argument("--profile", metavar="FILE", default=None,
                   help="diagnostic: write a cProfile of the sandbox process (every server thread) to FILE on exit")
    p.set_defaults(handler=run_sandbox)


LIMITS = (  # (flag, attribute, lowest, highest)
    ("--products", "products", 0, 1_000_000),
    ("--locales", "locales", 1, 6),
    ("--currencies", "currencies", 1, 8),
    ("--latency-ms", "latency_ms", 0, 60_000),
    ("--fault-rate", "fault_rate", 0, 1),
    ("--unopim-rate-limit", "unopim_rate_limit", 1, 1_000_000),
)


def _codes(text: str) -> tuple[str, ...]:
    """A comma-separated list of language or currency codes."""
    codes = tuple(c.strip() for c in text.split(",") if c.strip())
    if not codes or any(not c.replace("_", "").isalpha() or len(c) > 8 for c in codes):
        raise argparse.ArgumentTypeError(f"expected codes separated by commas, e.g. en,fr or EUR,GBP; got {text!r}")
    return codes


def _zone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(f"unknown time zone {name!r} (use an IANA name such as America/New_York)") from None
    return name


def run_sandbox(args: argparse.Namespace) -> int:
    for flag, name, low, high in LIMITS:
        value = getattr(args, name)
        if value is not None and not low <= value <= high:
            print(f"{flag} must be from {low} to {high}; got {value:g}.", file=sys.stderr)
            return 2
    # Imported here: production code paths never load the sandbox.
    from unopim_desktop.sandbox.launcher import SandboxOptions, serve_forever

    options = SandboxOptions(
        products=args.products,
        seed=args.seed,
        latency_ms=args.latency_ms,
        fault_rate=args.fault_rate,
        unopim_version=args.unopim_version,
        unopim_timezone=args.unopim_timezone,
        unopim_rate_limit=args.unopim_rate_limit,
        seed_side=args.seed_side,
        tls=args.tls,
        only=tuple(args.only),
        locales=args.locales,
        currencies=args.currencies,
        wpml_languages=args.wpml,
        curcy_currencies=tuple(c.upper() for c in args.curcy),
        wcml_currencies=tuple(c.upper() for c in args.wcml_currencies),
        bigcommerce_currencies=tuple(c.upper() for c in args.bigcommerce_currencies),
        bigcommerce_price_lists=args.bigcommerce_price_lists,
        bigcommerce_locales=args.bigcommerce_locales,
    )
    profile = getattr(args, "profile", None)
    if not profile:
        return serve_forever(options)
    from unopim_desktop.sandbox.profiling import profile_threads

    with profile_threads(profile):
        return serve_forever(options)
