"""What a sandbox BigCommerce store holds beyond one language and one currency (i18n.md part C): its
currencies, price lists with their records and assignments (an Enterprise plan), and the translations of
its Catalyst channel's locales. Kept next to the catalogue state, under the same lock."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CHANNEL_ID = 1  # the store's default storefront channel


@dataclass
class I18nState:
    default_currency: str = "USD"
    currencies: tuple[str, ...] = ()  # transactional currencies beyond the default
    price_lists: bool = False  # the plan has price lists (per-currency prices: Enterprise)
    locales: tuple[str, ...] = ()  # the channel's locales (the first is the default); empty: no Translations API
    lists: dict[int, dict[str, Any]] = field(default_factory=dict)
    records: dict[tuple[int, int, str], dict[str, Any]] = field(default_factory=dict)  # (list, variant, currency)
    assignments: dict[int, dict[str, Any]] = field(default_factory=dict)
    translations: dict[tuple[str, int, str, str], dict[str, str]] = field(default_factory=dict)
    upserts_in_flight: int = 0
    upsert_hold_s: float = 0.0  # how long a records upsert holds its slot (tests of the concurrency cap)
    # Records the next upsert refuses once, (SKU in lower case, currency) -> the field error: a refusal
    # the connector cannot foresee (its own checks pass), in the store's partial-success shape.
    refuse_once: dict[tuple[str, str], str] = field(default_factory=dict)
    next_id: int = 7

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    @property
    def all_currencies(self) -> tuple[str, ...]:
        return (self.default_currency, *[c for c in self.currencies if c != self.default_currency])


def i18n_of(state: Any) -> I18nState:
    found = getattr(state, "i18n", None)
    if found is None:
        found = state.i18n = I18nState(state.default_currency)
    return found


def set_up_i18n(state: Any, *, currencies: tuple[str, ...] = (), price_lists: bool = False,
                locales: tuple[str, ...] = ()) -> None:
    state.i18n = I18nState(state.default_currency, currencies=tuple(currencies), price_lists=price_lists,
                           locales=tuple(locales))
    if locales:  # the store's API account may use the Translations API
        scopes = state.tokens.scopes_for(state.access_token) or frozenset()
        state.tokens.add(state.access_token, sorted({*scopes, "store_translations"}))
