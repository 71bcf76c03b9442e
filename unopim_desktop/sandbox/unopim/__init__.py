"""The UnoPim peer: a local server that answers UnoPim's REST API (1.x or 3.x flavour) on loopback.

`app` builds the Starlette app; the other modules are its parts: `auth` (OAuth, tokens, throttling),
`guards` (middleware order), `lists` (envelopes, filters, paging), `settings`, `catalog`, `categories`,
`products` / `configurable` / `product_store` / `values`, `media`, `seed` (catalogue loading) and
`routes` (the route table per version). Behaviour follows `reference/unopim-api.md`.
"""

from unopim_desktop.sandbox.unopim.app import DEMO_CREDENTIALS, UnoPimState, create_unopim_app

__all__ = ["DEMO_CREDENTIALS", "UnoPimState", "create_unopim_app"]
