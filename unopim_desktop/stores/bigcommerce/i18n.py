"""BigCommerce beyond one language and one currency (i18n.md part C), kept out of the catalog adapter: the
registry builds this subclass, which wraps the adapter's reads and writes.

- Per-currency prices go to a price list (one per UnoPim channel, "UnoPim <channel>", assigned to the
  storefront channel): records per variant (a simple product's base variant by its SKU), upserted at most
  1,000 a call and two calls at a time. The store's currencies come from `/v2/currencies`; a plan without
  price lists answers 403 there, which leaves one currency per store with a note.
- Translations go through the GraphQL Admin API's Translations part (Catalyst channels): `updateTranslations`
  for products and categories, read back with `store.translations` (50 a page). A store without it keeps
  one locale per channel, with a note.
"""

from __future__ import annotations

import asyncio
from typing import Any

from unopim_desktop.clients.errors import ApiError, Conflict, Forbidden, NotFound
from unopim_desktop.domain import (
    BatchResult,
    ItemResult,
    StoreCategory,
    StoreLanguages,
    StorePrice,
    StoreProduct,
    StoreTranslation,
    StoreVariant,
)
from unopim_desktop.stores.bigcommerce.adapter import BigCommerceAdapter
from unopim_desktop.stores.bigcommerce.payloads import chunks, text_number

RECORDS_MAX = 1000  # PUT /v3/pricelists/{id}/records
UPSERTS_AT_ONCE = 2  # more concurrent upserts per store answer 429
IDS_PER_READ = 50  # product ids per records listing; resource ids per translations page (first ≤ 50)
FIELDS = {"PRODUCTS": ("name", "description"), "CATEGORIES": ("name", "description")}
LOCALES = """query($channel: ID!) { store { locales(input: {channelId: $channel}) { edges { node { code isDefault } } } } }"""
READ = """query($type: TranslationResourceType!, $channel: ID!, $locale: ID!, $ids: [ID!], $after: String) {
  store { translations(filters: {resourceType: $type, channelId: $channel, localeId: $locale, resourceIds: $ids},
                       first: 50, after: $after) {
    edges { node { resourceId fields { fieldName translation } } }
    pageInfo { hasNextPage endCursor } } } }"""
WRITE = """mutation($input: UpdateTranslationsInput!) { translation { updateTranslations(input: $input) {
  errors { __typename ... on Error { message } ... on InvalidTranslationEntityFieldsError { fields } } } } }"""


class GraphQLFailed(ApiError):
    """The GraphQL API answered with errors and no data."""


class LocalizedBigCommerceAdapter(BigCommerceAdapter):
    i18n = StoreLanguages()
    price_currencies: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()  # the store locales written and read (beyond the default)
    channel_id = 1
    list_name = "UnoPim Desktop"

    async def i18n_capabilities(self, settings: dict[str, str], *, languages: tuple[str, ...] = (),
                                currencies: tuple[str, ...] = (), channel: str = "") -> StoreLanguages:
        caps = StoreLanguages()
        info = await self.get_json("v2/store")
        self.channel_id = int((info or {}).get("default_channel_id") or 1)
        self.list_name = f"UnoPim {channel}" if channel else self.list_name
        self._list_id: int | None = None
        self._list_lock = asyncio.Lock()  # several pages in flight ask for it at once: one creates it
        self._upserts = asyncio.Semaphore(UPSERTS_AT_ONCE)
        self._prices_by_sku: dict[str, dict[str, StorePrice]] = {}
        try:
            await self.get_json("v3/pricelists", {"limit": 1})
        except (Forbidden, NotFound) as exc:
            caps.notes.append(f"This BigCommerce store has no price lists ({exc.message or exc.status}): prices in "
                              "other currencies need a plan with price lists (Enterprise).")
        else:
            rows = await self.get_json("v2/currencies")
            caps.prices = "price_lists"
            caps.currencies = tuple(str(r.get("currency_code") or "").upper() for r in rows or []
                                    if isinstance(r, dict) and r.get("enabled", True)
                                    and r.get("is_transactional", True) and not r.get("is_default"))
        if settings.get("translations", "auto") == "off":
            caps.notes.append("Translations are switched off in this store's settings (Channels & Stores → store).")
        else:
            await self._detect_locales(caps)
        known = caps.currencies
        self.price_currencies = tuple(c for c in currencies if known is None or c in known) if caps.prices else ()
        self.languages = tuple(lang for lang in languages if lang in caps.languages and lang != caps.default_language)
        self.i18n = caps
        return caps

    async def _detect_locales(self, caps: StoreLanguages) -> None:
        try:
            data = await self.graphql(LOCALES, {"channel": self._channel()})
        except (GraphQLFailed, Forbidden, NotFound) as exc:
            caps.notes.append("BigCommerce's Translations API is not available for this store's channel "
                              f"({exc.message}): it is for Catalyst storefronts; one locale per channel.")
            return
        edges = (((data.get("store") or {}).get("locales") or {}).get("edges")) or []
        codes = [str(e["node"]["code"]) for e in edges if isinstance(e, dict) and e.get("node")]
        caps.translations = "graphql"
        caps.default_language = next((str(e["node"]["code"]) for e in edges if e["node"].get("isDefault")), "")
        caps.languages = tuple(codes)

    def _channel(self) -> str:
        return f"bc/store/channel/{self.channel_id}"

    async def graphql(self, query: str, variables: dict[str, Any], *, write: bool = False) -> dict[str, Any]:
        answer = await self.write_json("POST", "graphql", {"query": query, "variables": variables}) if write else \
            (await self.send("POST", "graphql", json_body={"query": query, "variables": variables},
                             idempotent=True)).json()
        errors = answer.get("errors") if isinstance(answer, dict) else None
        data = answer.get("data") if isinstance(answer, dict) else None
        if errors and not data:
            message = "; ".join(str(e.get("message") or e) for e in errors if isinstance(e, dict))
            raise GraphQLFailed(message or "GraphQL error", status=200, body=answer)
        return data or {}

    async def translated_variations(self, product_id: int) -> dict[str, dict[str, int]]:
        return {}  # a locale's values live on the product itself

    # -- reads ------------------------------------------------------------------------------------------
    async def iter_products(self, **kw: Any):  # type: ignore[no-untyped-def,override]
        async for page in super().iter_products(**kw):
            await self._attach(page)
            yield page

    async def get_product(self, store_id: int) -> StoreProduct | None:
        product = await super().get_product(store_id)
        if product is not None:
            await self._attach([product])
        return product

    async def find_products_by_sku(self, skus: list[str]) -> dict[str, StoreProduct]:
        found = await super().find_products_by_sku(skus)
        await self._attach([p for p in found.values() if p.type != "variation"])
        return found

    async def list_variants(self, product_id: int) -> list[StoreVariant]:
        variants = await super().list_variants(product_id)
        if self.price_currencies:
            if any(v.sku not in self._prices_by_sku for v in variants):
                await self._read_prices([product_id])
            for v in variants:
                v.prices = dict(self._prices_by_sku.get(v.sku, {}))
        return variants

    async def _attach(self, products: list[StoreProduct]) -> None:
        ids = [p.store_id for p in products if p.store_id]
        if self.price_currencies and ids:
            await self._read_prices(ids)
            for p in products:
                if p.type != "variable":
                    p.prices = dict(self._prices_by_sku.get(p.sku, {}))
        if self.languages and ids:
            texts = await self._read_translations("PRODUCTS", "product", ids)
            for p in products:
                for lang in self.languages:
                    fields = texts.get((p.store_id or 0, lang))
                    if fields is not None:
                        p.translations[lang] = StoreTranslation(name=fields.get("name", ""),
                                                                description=fields.get("description", ""))

    async def _read_prices(self, product_ids: list[int]) -> None:
        list_id = await self._price_list(create=False)
        if list_id is None:
            return
        for group in chunks(sorted(set(product_ids)), IDS_PER_READ):
            async for items in self.iter_pages(f"v3/pricelists/{list_id}/records",
                                               {"product_id:in": ",".join(map(str, group))}):
                for r in items:
                    currency = str(r.get("currency") or "").upper()
                    if currency in self.price_currencies and r.get("sku"):
                        sale = text_number(r.get("sale_price")) if r.get("sale_price") else ""
                        self._prices_by_sku.setdefault(str(r["sku"]), {})[currency] = StorePrice(
                            text_number(r.get("price")), sale)

    async def _read_translations(self, kind: str, noun: str, ids: list[int]) -> dict[tuple[int, str], dict[str, str]]:
        out: dict[tuple[int, str], dict[str, str]] = {}
        for lang in self.languages:
            for group in chunks(sorted(set(ids)), IDS_PER_READ):
                variables = {"type": kind, "channel": self._channel(), "locale": f"bc/store/locale/{lang}",
                             "ids": [f"bc/store/{noun}/{i}" for i in group], "after": None}
                while True:
                    data = await self.graphql(READ, variables)
                    conn = (data.get("store") or {}).get("translations") or {}
                    for edge in conn.get("edges") or []:
                        node = edge.get("node") or {}
                        rid = int(str(node.get("resourceId", "0")).rsplit("/", 1)[-1] or 0)
                        out[(rid, lang)] = {str(f["fieldName"]): str(f.get("translation") or "")
                                            for f in node.get("fields") or [] if f.get("fieldName") in FIELDS[kind]}
                    page = conn.get("pageInfo") or {}
                    if not page.get("hasNextPage"):
                        break
                    variables["after"] = page.get("endCursor")
        return out

    # -- writes -----------------------------------------------------------------------------------------
    async def upsert_products(self, products: list[StoreProduct]) -> BatchResult:
        result = await super().upsert_products(products)
        answers = {r.key: r for r in (*result.created, *result.updated)}
        pairs = [(p, answers.get(p.sku or p.name) or answers.get(p.sku or f"#{p.store_id}")) for p in products]
        done = [(p, r) for p, r in pairs if r is not None and r.ok and r.store_id]
        items = [(p.sku, p.prices, r) for p, r in done if p.type != "variable" and p.sku]
        for p, r in done:  # variants created with their product (inline): their prices too
            made = {v.key.lower(): v for v in r.variants if v.ok and v.store_id}
            items += [(v.sku, v.prices, made[v.sku.lower()]) for v in p.variants if v.sku and v.sku.lower() in made]
        await self._write_prices(items)
        await self._write_translations("PRODUCTS", "product", [(r.store_id, p.translations, r) for p, r in done])
        return result

    async def upsert_variants(self, product_id: int, variants: list[StoreVariant], *,
                              attribute_ids: dict[str, int] | None = None) -> BatchResult:
        result = await super().upsert_variants(product_id, variants, attribute_ids=attribute_ids)
        answers = {r.key: r for r in (*result.created, *result.updated)}
        await self._write_prices([(v.sku, v.prices, answers[v.sku]) for v in variants
                                  if v.sku in answers and answers[v.sku].ok])
        return result

    async def upsert_categories(self, categories: list[StoreCategory]) -> BatchResult:
        result = await super().upsert_categories(categories)
        answers = {r.key: r for r in (*result.created, *result.updated)}
        items = []
        for c in categories:
            r = answers.get(c.slug) or answers.get(c.name)
            if r is not None and r.ok and r.store_id and c.translations:
                items.append((r.store_id, c.translations, r))
        await self._write_translations("CATEGORIES", "category", items)
        return result

    async def _price_list(self, *, create: bool) -> int | None:
        """This channel's price list (made and assigned to the storefront channel on the first write)."""
        async with self._list_lock:
            return await self._find_or_make_list(create=create)

    async def _find_or_make_list(self, *, create: bool) -> int | None:
        if self._list_id is not None:
            return self._list_id
        found = await self.get_json("v3/pricelists", {"name": self.list_name})
        rows = (found or {}).get("data") or []
        if rows:
            self._list_id = int(rows[0]["id"])
        elif create:
            try:
                made = await self.write_json("POST", "v3/pricelists", {"name": self.list_name, "active": True})
            except Conflict:  # made meanwhile (another process on this store): use that one
                again = await self.get_json("v3/pricelists", {"name": self.list_name})
                made = {"data": ((again or {}).get("data") or [{}])[0]}
            self._list_id = int(made["data"]["id"])
        else:
            return None
        if create:
            held = await self.get_json("v3/pricelists/assignments", {"price_list_id": self._list_id,
                                                                      "channel_id": self.channel_id})
            if not (held or {}).get("data"):
                await self.write_json("POST", "v3/pricelists/assignments",
                                      [{"price_list_id": self._list_id, "channel_id": self.channel_id}])
        return self._list_id

    async def _write_prices(self, items: list[tuple[str, dict[str, StorePrice], ItemResult]]) -> None:
        """Records for every currency each item has an amount in; the store's refusals land on the item."""
        if not self.price_currencies:
            return
        records, owner = [], {}
        for sku, prices, r in items:
            for currency in self.price_currencies:
                price = prices.get(currency)
                if price is None or not price.regular_price:
                    continue
                record: dict[str, Any] = {"sku": sku, "currency": currency, "price": float(price.regular_price)}
                if price.sale_price:
                    record["sale_price"] = float(price.sale_price)
                records.append(record)
                owner[(sku.lower(), currency)] = r
        if not records:
            return
        list_id = await self._price_list(create=True)

        async def upsert(chunk: list[dict[str, Any]]) -> None:
            async with self._upserts:
                try:
                    await self.send("PUT", f"v3/pricelists/{list_id}/records", json_body=chunk)
                except ApiError as exc:
                    failures = (exc.body or {}).get("batch_errors") if isinstance(exc.body, dict) else None
                    if not failures:
                        for rec in chunk:
                            owner[(rec["sku"].lower(), rec["currency"])].price_errors[rec["currency"]] = exc.message
                        return
                    for f in failures:
                        data = f.get("data") or {}
                        r = owner.get((str(data.get("sku") or "").lower(), str(data.get("currency") or "")))
                        if r is not None:
                            r.price_errors[str(data.get("currency"))] = "; ".join(
                                f"{k}: {v}" for k, v in (f.get("field_errors") or {}).items()) or exc.message

        await asyncio.gather(*(upsert(c) for c in chunks(records, RECORDS_MAX)))

    async def _write_translations(self, kind: str, noun: str,
                                  items: list[tuple[int, dict[str, StoreTranslation], ItemResult]]) -> None:
        for lang in self.languages:
            entities, owner = [], {}
            for store_id, texts, r in items:
                text = texts.get(lang)
                if text is None or not text.changed:
                    if text is not None:
                        r.translation_ids[lang] = 0
                    continue
                fields = [{"fieldName": f, "value": getattr(text, f)} for f in FIELDS[kind] if getattr(text, f)]
                if fields:
                    rid = f"bc/store/{noun}/{store_id}"
                    entities.append({"resourceId": rid, "fields": fields})
                    owner[rid] = r
            for group in chunks(entities, IDS_PER_READ):
                payload = {"resourceType": kind, "channelId": self._channel(), "localeId": f"bc/store/locale/{lang}",
                           "entities": group}
                try:
                    data = await self.graphql(WRITE, {"input": payload}, write=True)
                except GraphQLFailed as exc:
                    for e in group:
                        owner[e["resourceId"]].translation_errors[lang] = exc.message
                    continue
                errors = (((data.get("translation") or {}).get("updateTranslations")) or {}).get("errors") or []
                failed = set()
                for error in errors:
                    message = str(error.get("message") or error.get("__typename"))
                    rid = next((e["resourceId"] for e in group if e["resourceId"] in message), None)
                    targets = [owner[rid]] if rid else [owner[e["resourceId"]] for e in group]
                    for r in targets:
                        r.translation_errors[lang] = message
                    failed |= {rid} if rid else {e["resourceId"] for e in group}
                for e in group:
                    if e["resourceId"] not in failed:
                        owner[e["resourceId"]].translation_ids[lang] = 0
