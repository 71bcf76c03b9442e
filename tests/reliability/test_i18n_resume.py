"""A Pull Full into a WPML + CURCY store killed half way resumes without duplicating a translation (#18):
translations the killed run created but never linked are found through their originals and updated, so the
store ends as an uninterrupted run leaves it, one translation per language per product."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import keyring
from keyring.backends import fail

from tests.reliability.test_pull_resume import _checkpoint_page, _runs
from tests.support.app import make_app
from unopim_desktop.app.application import App
from unopim_desktop.sandbox.launcher import Sandbox, SandboxOptions, start_sandbox

OPTS = dict(products=250, seed=11, latency_ms=20, wpml_languages=("en", "fr", "de"), curcy_currencies=("EUR", "GBP"))


async def _set_up(app) -> None:
    await app.app.stores.set_settings("Shop", plugin_currencies="EUR,GBP")
    rows = await app.channels.channels()
    for row in rows:
        if row.code == "default":
            row.locale_map, row.currency_map = {"fr_FR": "fr", "de_DE": "de"}, {"EUR": "EUR", "GBP": "GBP"}
    await app.channels.save(rows)


def i18n_state(sb: Sandbox) -> dict:
    """Each original product with its translations' names, and how many posts each language has."""
    state = sb.woocommerce
    with state.lock:
        records = [r for r in state.product_records.values() if r["status"] != "trash"]
        by_id = {r["id"]: r for r in records}
        out: dict = {"posts_per_language": {}}
        for r in records:
            lang = r.get("lang", "en")
            out["posts_per_language"][lang] = out["posts_per_language"].get(lang, 0) + 1
            if lang == "en":
                group = state.wpml.group(r)
                meta = {m["key"]: m["value"] for m in r["meta_data"]}
                out[r["sku"]] = (r["name"], meta.get("_regular_price_wmcp"),
                                 {lg: by_id[i]["name"] for lg, i in sorted(group.items()) if i in by_id})
        out["variations"] = sum(1 for v in state.variation_records.values() if v["status"] != "trash")
        out["terms"] = len(state.terms)
    return out


def _reference(tmp_path) -> dict:
    sb = start_sandbox(SandboxOptions(**OPTS))
    try:
        async def go():
            ctx = App.open(tmp_path / "reference")
            app = await make_app(ctx, sb)
            await _set_up(app)
            outcome = await app.engine.pull(full=True)
            assert outcome.status == "done", outcome.channels[0].message
            await app.close()
            ctx.close()

        asyncio.run(go())
        return i18n_state(sb)
    finally:
        sb.stop()


def test_a_killed_pull_resumes_without_duplicating_a_translation(tmp_path):
    expected = _reference(tmp_path)
    keyring.set_keyring(fail.Keyring())  # the child process cannot see this process's in-memory keyring
    sb = start_sandbox(SandboxOptions(**OPTS))
    data = tmp_path / "app"
    try:
        async def prepare():
            ctx = App.open(data, in_flight=1)
            app = await make_app(ctx, sb)
            await _set_up(app)
            await app.close()
            ctx.close()

        asyncio.run(prepare())
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
        log = (tmp_path / "first-run.log").open("w")
        proc = subprocess.Popen([sys.executable, "-m", "unopim_desktop", "--data-dir", str(data), "sync", "pull",
                                 "--full"], stderr=log, stdout=subprocess.DEVNULL, text=True, env=env)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and _checkpoint_page(data) < 1 and proc.poll() is None:
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        log.close()
        partial = i18n_state(sb)
        assert partial != expected, "the kill should land part way: " + (tmp_path / "first-run.log").read_text()[-1500:]
        done = subprocess.run([sys.executable, "-m", "unopim_desktop", "--data-dir", str(data), "sync", "pull",
                               "--full", "--json"], capture_output=True, text=True, env=env, timeout=180)
        assert done.returncode == 0, done.stderr[-2000:]
        assert i18n_state(sb) == expected
        assert expected["posts_per_language"]["fr"] == expected["posts_per_language"]["en"]
        assert [r["status"] for r in _runs(data)] == ["done", "interrupted"]
    finally:
        sb.stop()
