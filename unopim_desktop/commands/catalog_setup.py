"""`unopim-desktop store …`, `channels …` and `mapping …`: the Channels & Stores and Mapping tabs, headless.

`store add KIND` has one sub-command per store kind, with the flags its registry entry declares."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from unopim_desktop.app.application import App
from unopim_desktop.app.channels import SYNC_INTERVALS, ChannelSettingsError, debounce_problem
from unopim_desktop.app.connection import explain_api_error
from unopim_desktop.app.mapping import MappingRefused
from unopim_desktop.app.session import NotConnected
from unopim_desktop.app.stores import StoreForm, check_store_form, plain_http_warning
from unopim_desktop.clients.errors import ApiError
from unopim_desktop.commands.common import ON_THE_COMMAND_LINE, err, run_on_app, whole_number
from unopim_desktop.commands.conflicts import DIRECTION_TEXT, register_direction
from unopim_desktop.mapping.fields import CORE_FIELDS
from unopim_desktop.mapping.i18n import (
    MULTI_CURRENCY_CHOICES,
    STORE_SETTINGS,
    TRANSLATION_CHOICES,
    store_settings,
)
from unopim_desktop.stores.registry import KINDS

INTERVAL_ALIASES = {"off": "off", "disabled": "off", "5m": "5m", "15m": "15m", "30m": "30m", "1h": "1h",
                    "60m": "1h", "hourly": "1h", "1d": "1d", "24h": "1d", "daily": "1d"}


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    store = sub.add_parser("store", parents=[common], help="store connections (WooCommerce, BigCommerce)")
    store_sub = store.add_subparsers(dest="store_command", metavar="ACTION", required=True)
    add = store_sub.add_parser("add", parents=[common], help="verify and save a store connection")
    kinds = add.add_subparsers(dest="kind", metavar="KIND", required=True)
    for kind in KINDS.values():
        p = kinds.add_parser(kind.name, parents=[common], help=kind.cli_help or kind.display_name)
        p.add_argument("--label", required=True)
        for f in kind.fields:
            if f.secret:
                better = f"better: ${f.env} or the prompt" if f.required else f"(optional) better: ${f.env}"
                help_text = f"{better} (leave this out); {ON_THE_COMMAND_LINE}"
                p.add_argument(f.cli_flag, dest=f.name, help=help_text)
            elif f.name == "url":
                p.add_argument(f.cli_flag, dest="url", required=True, help=f"e.g. {kind.url_example}")
            elif f.choices:
                p.add_argument(f.cli_flag, dest=f.name, default=STORE_SETTINGS.get(f.name, f.choices[0][0]),
                               choices=[v for v, _ in f.choices], help=f.help or None)
            else:
                p.add_argument(f.cli_flag, dest=f.name, default="", required=f.required,
                               help=None if f.required else "(optional)")
        p.add_argument("--inactive", action="store_true")
        p.set_defaults(handler=run_store_add)
    ls = store_sub.add_parser("list", parents=[common], help="list store connections")
    ls.add_argument("--search", default="")
    ls.set_defaults(handler=run_store_list)
    se = store_sub.add_parser("set", parents=[common], help="change a store's translation and currency settings")
    se.add_argument("label")
    se.add_argument("--translations", choices=TRANSLATION_CHOICES,
                    help="auto: write translations where the store has them (WPML, Translations API); off")
    se.add_argument("--multi-currency", choices=MULTI_CURRENCY_CHOICES,
                    help="WooCommerce: where other currencies' prices go (auto detects CURCY or WCML)")
    se.add_argument("--plugin-currencies", metavar="CODES",
                    help="WooCommerce: the currencies the plugin is set up with, e.g. EUR,GBP ('' = not checked)")
    se.set_defaults(handler=run_store_set)
    rm = store_sub.add_parser("delete", parents=[common], help="forget a store connection (the store keeps its data)")
    rm.add_argument("label")
    rm.set_defaults(handler=run_store_delete)

    channels = sub.add_parser("channels", parents=[common], help="UnoPim channels and their sync settings")
    ch_sub = channels.add_subparsers(dest="channels_command", metavar="ACTION", required=True)
    ch_sub.add_parser("refresh", parents=[common], help="fetch channels, locales and currencies from UnoPim"
                      ).set_defaults(handler=run_channels_refresh)
    ch_sub.add_parser("list", parents=[common], help="show the channels and their settings"
                      ).set_defaults(handler=run_channels_list)
    st = ch_sub.add_parser("set", parents=[common], help="change one channel's settings")
    st.add_argument("code")
    st.add_argument("--store", help="target store label ('' to unset)")
    st.add_argument("--pull", choices=("on", "off"))
    st.add_argument("--push", choices=("on", "off"))
    st.add_argument("--interval", help="off, 5m, 15m, 30m, 1h (default) or 1d")
    st.add_argument("--debounce", type=whole_number, help="cooldown seconds (0 turns it off)")
    st.add_argument("--locale-map", action="append", default=[], metavar="UNOPIM=STORE")
    st.add_argument("--currency-map", action="append", default=[], metavar="UNOPIM=STORE")
    st.set_defaults(handler=run_channels_set)

    mapping = sub.add_parser("mapping", parents=[common], help="field mapping")
    m_sub = mapping.add_subparsers(dest="mapping_command", metavar="ACTION", required=True)
    m_sub.add_parser("auto", parents=[common], help="auto-map empty core and attribute rows, then save"
                     ).set_defaults(handler=run_mapping_auto)
    m_sub.add_parser("show", parents=[common], help="print the mapping").set_defaults(handler=run_mapping_show)
    register_direction(m_sub, common)


def _run(args: argparse.Namespace, body: Callable[[App], Awaitable[int]]) -> int:
    async def guarded(app: App) -> int:
        try:
            return await body(app)
        except (LookupError, NotConnected, ChannelSettingsError) as exc:
            err(str(exc).strip("'\""))
            return 2

    return run_on_app(args, guarded)


def _secret(value: str | None, env: str, label: str, *, ask: bool) -> str:
    """The flag, else the environment variable, else (a required secret, on a terminal) a prompt that does
    not echo: the two ways that keep a secret out of the process list and the shell history."""
    if value:
        return value
    if os.environ.get(env):
        return os.environ[env]
    if ask and sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(f"{label}: ")
    return ""


def run_store_add(args: argparse.Namespace) -> int:
    kind = KINDS[args.kind]
    values = {"url": args.url}
    for f in kind.fields:
        value = getattr(args, f.name, None)
        values[f.name] = _secret(value, f.env, f.label, ask=f.required) if f.secret else (value or "")
    form = StoreForm(kind=kind.name, label=args.label, active=not args.inactive, **values)
    problem = check_store_form(form, editing=False)
    if problem:  # invalid input: said before anything is opened
        err(problem[1])
        return 2

    async def body(s: App) -> int:
        outcome = await s.stores.save(form)
        if not outcome.ok:
            err(outcome.text)
            return 1
        info = outcome.info
        print(f"Store “{outcome.store.label}” verified and saved"
              + (f" ({info.name}, {info.currency})" if info and info.name else ""))
        warning = plain_http_warning(outcome.store.url)
        if warning:
            err(f"Warning: {warning}")
        return 0

    return _run(args, body)


def run_store_set(args: argparse.Namespace) -> int:
    async def body(s: App) -> int:
        try:
            row = await s.stores.set_settings(args.label, translations=args.translations,
                                              multi_currency=args.multi_currency,
                                              plugin_currencies=args.plugin_currencies)
        except ValueError as exc:
            err(str(exc))
            return 2
        settings = store_settings(row.info)
        print(f"Store “{row.label}”: translations {settings['translations']}, multi-currency plugin "
              f"{settings['multi_currency']}, plugin currencies {settings['plugin_currencies'] or '(not checked)'}.")
        return 0

    return _run(args, body)


def run_store_list(args: argparse.Namespace) -> int:
    async def body(s: App) -> int:
        rows = await s.stores.list(search=args.search)
        if not rows:
            print("No stores yet. Add one with `unopim-desktop store add woocommerce|bigcommerce …`.")
            return 0
        _table(["Label", "Type", "Address", "Status", "Channels"],
               [[r.label, r.kind, r.url, "Active" if r.active else "Inactive", ", ".join(r.channels) or "-"]
                for r in rows])
        return 0

    return _run(args, body)


def run_store_delete(args: argparse.Namespace) -> int:
    async def body(s: App) -> int:
        outcome = await s.stores.delete(args.label)
        if not outcome.ok:
            err(outcome.reason)
            return 1
        print(outcome.text)
        return 0

    return _run(args, body)


def run_channels_refresh(args: argparse.Namespace) -> int:
    async def body(s: App) -> int:
        try:
            r = await s.channels.refresh()
        except ApiError as exc:
            reason, fix = explain_api_error(exc)
            err(f"{reason} {fix}")
            return 1
        print(f"Channels: {r.channels} · locales: {r.locales} · currencies: {r.currencies} · "
              f"attributes: {r.attributes} · families: {r.families} · categories: {r.categories}")
        if r.attributes and not await s.mapping.is_saved():
            print("Next: map the fields (no pull or push starts without a saved mapping): "
                  "`unopim-desktop mapping auto`, then check `unopim-desktop mapping show`.")
        return 0

    return _run(args, body)


def run_channels_list(args: argparse.Namespace) -> int:
    async def body(s: App) -> int:
        rows = await s.channels.channels()
        summary = await s.channels.summary()
        print(f"Channels: {summary['channels']} · stores mapped: {summary['stores_mapped']} · "
              f"locales: {summary['locales']} · currencies: {summary['currencies']}")
        _table(["Channel", "Store", "Pull", "Push", "Interval", "Cooldown", "Locales", "Currencies"],
               [[r.code, r.store_label or "-", _onoff(r.pull_enabled), _onoff(r.push_enabled),
                 SYNC_INTERVALS[r.sync_interval], f"{r.debounce_s}s", _pairs(r.locales, r.locale_map),
                 _pairs(r.currencies, r.currency_map)] for r in rows])
        return 0

    return _run(args, body)


def run_channels_set(args: argparse.Namespace) -> int:
    problem = debounce_problem(args.debounce) if args.debounce is not None else None
    if problem:
        err(problem)
        return 2

    async def body(s: App) -> int:
        rows = await s.channels.channels()
        row = next((r for r in rows if r.code == args.code), None)
        if row is None:
            err(f"Unknown channel “{args.code}”. Run `unopim-desktop channels refresh` first.")
            return 2
        if args.store is not None:
            row.store_label = args.store or None
        if args.pull:
            row.pull_enabled = args.pull == "on"
        if args.push:
            row.push_enabled = args.push == "on"
        if args.interval:
            interval = INTERVAL_ALIASES.get(args.interval.lower())
            if interval is None:
                err(f"Unknown interval “{args.interval}”: use off, 5m, 15m, 30m, 1h or 1d.")
                return 2
            row.sync_interval = interval
        if args.debounce is not None:
            row.debounce_s = args.debounce
        for spec, target in ((args.locale_map, row.locale_map), (args.currency_map, row.currency_map)):
            for pair in spec:
                src, _, dst = pair.partition("=")
                if not src or not dst:
                    err(f"Use UNOPIM=STORE, e.g. en_US=en; got “{pair}”.")
                    return 2
                target[src] = dst
        await s.channels.save([row])
        print(f"Channel {row.code}: store {row.store_label or '-'}, pull {_onoff(row.pull_enabled)}, push "
              f"{_onoff(row.push_enabled)}, {SYNC_INTERVALS[row.sync_interval].lower()}, cooldown {row.debounce_s}s")
        return 0

    return _run(args, body)


def run_mapping_auto(args: argparse.Namespace) -> int:
    async def body(s: App) -> int:
        core = await s.mapping.automap_core()
        try:
            await s.mapping.save_core(core)
        except MappingRefused as exc:
            err("Core fields could not be saved: " + str(exc))
            return 1
        for f in core.filled:
            print(f"core      {f.row:<18} ← {f.attribute_code} ({f.rule})")
        total = len(core.filled)
        for ch in await s.channels.channels():
            if not ch.store_label:
                continue
            for locale in ch.locales:
                rows = await s.mapping.attribute_rows(ch.code, locale)
                rows, filled = await s.mapping.automap_attribute_rows(rows, ch.code)
                await s.mapping.save_attribute_rows(ch.code, locale, [r for r in rows if r.attribute_code])
                for f in filled:
                    print(f"{ch.code}/{locale:<8} {f.row:<18} ← {f.attribute_code} ({f.rule})")
                total += len(filled)
        print(f"Auto-map filled {total} row(s); existing mappings were kept.")
        return 0

    return _run(args, body)


def run_mapping_show(args: argparse.Namespace) -> int:
    async def body(s: App) -> int:
        core = await s.mapping.core()
        labels = {f.key: f.label for f in CORE_FIELDS}
        kinds = s.mapping.store_kinds()

        def stores(key: str) -> str:  # a row applies to the channels whose store holds it
            holding = [k.display_name for k in kinds if k.holds(key)]
            return "all" if len(holding) == len(kinds) else ", ".join(holding)

        _table(["Core field", "UnoPim attribute", "Direction", "Stores"],
               [[labels[k], v or "(unmapped)", DIRECTION_TEXT[core.directions.get(k, "both")] if v else "", stores(k)]
                for k, v in core.rows.items()])
        print(f"Default family: {core.default_family or '(none)'}")
        for ch in await s.channels.channels():
            for locale in ch.locales:
                rows = await s.mapping.attribute_rows(ch.code, locale, with_store=False)
                if rows:
                    print(f"\nAttributes — {ch.code} / {locale}")
                    _table(["Store attribute", "UnoPim attribute", "Carried as", "Variant axis", "Direction"],
                           [[r.store_attribute, r.attribute_code or "(unmapped)",
                             "store attribute" if r.carrier == "attribute" else "meta/custom field",
                             "yes" if r.variant_axis else "", DIRECTION_TEXT[r.direction]] for r in rows])
        return 0

    return _run(args, body)


def _onoff(flag: bool) -> str:
    return "on" if flag else "off"


def _pairs(codes: list[str], mapping: dict[str, str]) -> str:
    return ", ".join(f"{c}→{mapping[c]}" if c in mapping else c for c in codes)


def _table(headers: list[str], rows: list[list[Any]]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows, strict=False)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=False)))
    for row in rows:
        print("  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=False)))
