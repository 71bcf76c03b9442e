"""What a store kind declares about itself: its name, its connection form, its secrets, how its address
is written, how to build its adapter, how its errors read to a merchant, and the product fields it holds
(the rows of the core mapping its channels use).

Everything outside `stores/` works from these declarations; nothing there tests a kind by name. A new
kind is one folder under `stores/` (adapter, payloads, its `KIND`) and one line in `registry.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from unopim_desktop.clients.addresses import idna_ok, port_problem, shown, split, text_problem
from unopim_desktop.clients.http import valid_host
from unopim_desktop.domain import StoreConnection
from unopim_desktop.stores.base import StoreAdapter

# The connection values a form can ask for. `StoreConnection` and the store form carry the same names;
# each kind uses the ones it needs, under its own labels.
CONNECTION_FIELDS = ("url", "key", "secret", "access_token", "wp_user", "wp_app_password")
SETTING_FIELDS = ("default_currency", "default_locale", "translations", "multi_currency", "plugin_currencies")
SECRET_FIELDS = ("secret", "access_token", "wp_app_password")


@dataclass(frozen=True)
class FormField:
    name: str  # one of CONNECTION_FIELDS or SETTING_FIELDS
    label: str
    placeholder: str = ""
    help: str = ""  # a line shown under the field
    # Asked for on the first save (a secret left blank on an edit keeps the stored value).
    required: bool = False
    missing: str = ""  # what to say when a required field is empty
    # A secret shown masked on an edit only when this other field has a value (an optional pair).
    masked_if: str = ""
    cli_flag: str = ""  # `store add KIND --flag`
    env: str = ""  # environment variable a secret may come from instead of the command line
    choices: tuple[tuple[str, str], ...] = ()  # (value, label) of a field picked from a list

    @property
    def secret(self) -> bool:
        return self.name in SECRET_FIELDS


@dataclass(frozen=True)
class ErrorWording:
    """The kind's own sentences for a refused key and a missing permission ({message}: the store's)."""

    auth_reason: str
    auth_fix: str
    forbidden_reason: str
    forbidden_fix: str


@dataclass(frozen=True)
class StoreKind:
    name: str  # stored with each store connection, e.g. "woocommerce"
    display_name: str  # "WooCommerce"
    note: str  # where the merchant finds the credentials
    url_example: str
    fields: tuple[FormField, ...]
    make_adapter: Callable[[StoreConnection], StoreAdapter]
    check_url_path: Callable[[str, str, str], str]  # (scheme://netloc, path, raw) -> normalised address
    wording: ErrorWording
    # Whether the form has its own Active switch (else the store list's toggle is the only one).
    form_has_status: bool = False
    cli_help: str = ""
    # The core mapping rows (`mapping.fields.CORE_FIELDS` keys) this kind's products hold; the Mapping tab
    # offers these for its channels, and a run reads and writes no other.
    core_fields: frozenset[str] = frozenset()
    # Whether a product holds attributes besides its variant options (WooCommerce's attributes); where it
    # does not (BigCommerce), an attribute row carries a value only as a variant axis or a custom field.
    product_attributes: bool = True
    # How a shared row lands in this kind's products, where that is not obvious (shown on the Mapping tab).
    field_notes: tuple[tuple[str, str], ...] = ()

    def holds(self, field_key: str) -> bool:
        return field_key in self.core_fields

    def field_note(self, field_key: str) -> str:
        return dict(self.field_notes).get(field_key, "")

    @property
    def noun(self) -> str:
        return f"{self.display_name} store"

    @property
    def secret_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.secret)

    def field(self, name: str) -> FormField | None:
        return next((f for f in self.fields if f.name == name), None)

    def normalize_url(self, raw: str) -> str:
        """The address as stored, or ValueError with a sentence showing what it should look like."""
        text = (raw or "").strip()
        if not text:
            url_field = self.field("url")
            raise ValueError(f"Enter the {url_field.label.lower() if url_field else 'address'}, for example "
                             f"{self.url_example}.")
        problem = text_problem(text, self.url_example)
        if problem:
            raise ValueError(problem)
        parts = split(text)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            raise ValueError(f"“{shown(text)}” is not a web address; it should look like {self.url_example}.")
        if parts.query or parts.fragment:
            raise ValueError("Leave out the query string and fragment (the part after ? or #).")
        host = parts.hostname or ""
        if not valid_host(host) or not idna_ok(host):
            raise ValueError(f"“{shown(host or text)}” is not a valid host name; the address should look like "
                             f"{self.url_example}.")
        if parts.username or parts.password:  # it would be stored (and shown) in plain text with the address
            raise ValueError("Don't put a user name or password in the address; use the key fields below.")
        try:
            port = parts.port
        except ValueError:
            raise ValueError(f"“{shown(text)}” has an invalid port number.") from None
        problem = port_problem(text, port)
        if problem:
            raise ValueError(problem)
        return self.check_url_path(f"{parts.scheme.lower()}://{parts.netloc}", parts.path, text)

    def verify(self, adapter: StoreAdapter):  # type: ignore[no-untyped-def]
        """Prove the address and credentials (the adapter's own checks)."""
        return adapter.verify()
