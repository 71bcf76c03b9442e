"""The one interface the sync engine uses to talk to a store, whatever platform it runs on."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Collection
from typing import Protocol, runtime_checkable

from unopim_desktop.clients.errors import ApiError
from unopim_desktop.domain import (
    BatchResult,
    StoreAttribute,
    StoreCategory,
    StoreConnection,
    StoreImage,
    StoreInfo,
    StoreLanguages,
    StoreProduct,
    StoreVariant,
)


class StoreVerificationError(ApiError):
    """Credentials or address refused during verification; `reason` and `fix` are for the merchant."""

    def __init__(self, reason: str, fix: str, *, status: int = 0, code: str = "") -> None:
        super().__init__(reason, status=status, code=code)
        self.reason = reason
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.reason} {self.fix}".strip()


@runtime_checkable
class StoreAdapter(Protocol):
    kind: str  # the store kind's name
    connection: StoreConnection
    max_batch: int  # items per batch write the store accepts
    category_name_max: int | None  # the longest category name the store takes (None: no limit we know)
    # One list of associated products (BigCommerce's related products) where UnoPim has up-sells and
    # cross-sells: reads carry it all as up-sells, and a push compares the lists as one.
    one_association_list: bool
    # A create carries the product's images and variants (options made from the variants' axes), so a new
    # product costs one call (BigCommerce, which has no batch create); else they are written after it.
    inline_on_create: bool

    async def verify(self) -> StoreInfo:
        """Prove the address and credentials work (read and write); StoreVerificationError if not."""
        ...

    async def i18n_capabilities(self, settings: dict[str, str], *, languages: tuple[str, ...] = (),
                                currencies: tuple[str, ...] = (), channel: str = "") -> StoreLanguages:
        """What the store can hold beyond one language and one currency (#18), within the merchant's
        per-store `settings` (`mapping.i18n.STORE_SETTINGS`). `languages` and `currencies` are the store
        languages and currencies the channel maps beyond its defaults: the adapter checks the languages and
        from then on writes and reads `translations` and `prices` in those (and only those) it can hold.
        `channel` (the UnoPim channel's code) names what the store keeps per channel (a price list)."""
        ...

    async def translated_variations(self, product_id: int) -> dict[str, dict[str, int]]:
        """SKU -> store language -> the id of the store's own translated copy of each variation of a product
        (WCML makes them); {} where translations are no objects of their own."""
        ...

    # -- reads -----------------------------------------------------------------------------------
    def iter_products(
        self, *, modified_after: dt.datetime | None = None, page_size: int = 100
    ) -> AsyncIterator[list[StoreProduct]]:
        """Pages of products (variants not filled), in id order (a modification date is no stable order:
        products saved in the same second tie), only those modified since `modified_after` when given."""
        ...

    async def get_product(self, store_id: int) -> StoreProduct | None: ...

    async def find_products_by_sku(self, skus: list[str]) -> dict[str, StoreProduct]:
        """Products and variations holding these SKUs (to adopt existing store items)."""
        ...

    async def count_products(self, *, modified_after: dt.datetime | None = None) -> int | None:
        """How many products `iter_products` would list (one cheap read; the store's list answer says), for a
        push's progress; None when the store does not say."""
        ...

    async def has_products(self) -> bool:
        """Whether the store holds any product at all (one cheap read). A pull into an empty store can
        skip its SKU look-ups: everything in the store was created by the run and is linked."""
        ...

    async def list_variants(self, product_id: int) -> list[StoreVariant]: ...

    async def list_categories(self) -> list[StoreCategory]: ...

    async def list_attributes(self) -> list[StoreAttribute]:
        """Global attributes with their terms (BigCommerce: option names used across products)."""
        ...

    async def list_tags(self) -> list[str]: ...

    # -- writes (batched within max_batch by the adapter) ------------------------------------------
    async def upsert_products(self, products: list[StoreProduct]) -> BatchResult:
        """Create products without store_id, update those with one. Variants are written separately."""
        ...

    async def upsert_variants(
        self, product_id: int, variants: list[StoreVariant], *, attribute_ids: dict[str, int] | None = None
    ) -> BatchResult: ...

    async def set_product_images(self, items: list[tuple[str, int, list[StoreImage]]], *,
                                 bare: Collection[str] = ()) -> BatchResult:
        """Replace only the images of existing products: (key, product id, images, first = featured). `bare`:
        keys of products this run created without pictures (nothing of theirs to read or reuse first)."""
        ...

    async def set_variant_images(self, product_id: int, items: list[tuple[str, int, StoreImage]]) -> BatchResult: ...

    async def set_associations(self, items: list[tuple[str, int, list[int], list[int]]]) -> BatchResult:
        """Replace only upsells and cross-sells: (key, product id, upsell ids, cross-sell ids)."""
        ...

    async def delete_products(self, store_ids: list[int], *, force: bool) -> BatchResult:
        """force=False moves to the trash where the store has one."""
        ...

    async def upsert_categories(self, categories: list[StoreCategory]) -> BatchResult: ...

    async def upsert_attributes(self, attributes: list[StoreAttribute]) -> BatchResult:
        """Create or update attributes and their terms; returns ids keyed by attribute name."""
        ...

    async def aclose(self) -> None: ...
