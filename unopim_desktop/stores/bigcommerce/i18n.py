"""BigCommerce beyond one language and one currency (i18n.md part C): per-currency prices through price
lists, translations through the GraphQL Translations API. A mixin of the adapter, so its hooks stay here."""

from __future__ import annotations

from unopim_desktop.domain import StoreLanguages


class BigCommerceI18n:
    i18n = StoreLanguages()
    price_currencies: tuple[str, ...] = ()

    async def i18n_capabilities(self, settings: dict[str, str], *, languages: tuple[str, ...] = (),
                                currencies: tuple[str, ...] = ()) -> StoreLanguages:
        self.i18n = StoreLanguages()
        return self.i18n

    async def translated_variations(self, product_id: int) -> dict[str, dict[str, int]]:
        return {}  # BigCommerce keeps a variant's locales on the variant itself
