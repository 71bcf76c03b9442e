"""BigCommerce (Management API v3): the adapter, its payloads, and what the kind declares to the rest of
the app."""

from __future__ import annotations

import re

from unopim_desktop.domain import EXTRA_FIELDS, SHARED_FIELDS, StoreConnection
from unopim_desktop.stores.base import StoreAdapter
from unopim_desktop.stores.kind import ErrorWording, FormField, StoreKind

API_PATH = re.compile(r"^/stores/[A-Za-z0-9]+/?$")
ACCOUNTS_PAGE = "BigCommerce → Settings → API → Store-level API accounts"



def _adapter(connection: StoreConnection) -> StoreAdapter:
    # The catalog adapter with price lists and translations around it (`i18n`).
    from unopim_desktop.stores.bigcommerce.i18n import LocalizedBigCommerceAdapter

    return LocalizedBigCommerceAdapter(connection)


def _api_path(origin: str, path: str, _raw: str) -> str:
    if not API_PATH.match(path):
        raise ValueError(f"The API URL should look like https://api.bigcommerce.com/stores/<store-hash>/ — copy it "
                         f"from {ACCOUNTS_PAGE}.")
    return f"{origin}{path.rstrip('/')}/"


KIND = StoreKind(
    name="bigcommerce",
    display_name="BigCommerce",
    note=f"From {ACCOUNTS_PAGE} (token type Store API V2/V3; scopes Products = Modify, Information & "
         "Settings = Read-only). BigCommerce shows these values only once.",
    url_example="https://api.bigcommerce.com/stores/<store-hash>/",
    fields=(
        FormField("url", "API URL", placeholder="https://api.bigcommerce.com/stores/<store-hash>/",
                  cli_flag="--api-url"),
        FormField("key", "Client ID", cli_flag="--client-id"),
        FormField("secret", "Client secret", cli_flag="--client-secret", env="BIGCOMMERCE_CLIENT_SECRET"),
        FormField("access_token", "Access token", required=True, cli_flag="--access-token",
                  env="BIGCOMMERCE_ACCESS_TOKEN", missing="Enter the access token from the BigCommerce API account."),
        FormField("default_currency", "Default currency", placeholder="e.g. USD (blank: the store's own)",
                  cli_flag="--default-currency"),
        FormField("default_locale", "Default locale", placeholder="e.g. en (blank: the store's own)",
                  cli_flag="--default-locale"),
        FormField("translations", "Translations", cli_flag="--translations",
                  choices=(("auto", "Translations API when the channel has it"), ("off", "Off (one locale per channel)")),
                  help="Channel locales mapped to store locales are written through BigCommerce's Translations "
                       "API (Catalyst channels); other currencies go to price lists (Enterprise plans)."),
    ),
    make_adapter=_adapter,
    check_url_path=_api_path,
    wording=ErrorWording(
        auth_reason="BigCommerce refused the access token.",
        auth_fix=f"Create a new API account in {ACCOUNTS_PAGE} and edit the store connection with its Access "
                 "Token.",
        forbidden_reason="The BigCommerce access token is missing a scope for this request.",
        forbidden_fix="Give the API account Products: Modify and Information & Settings: Read-only, then use its "
                      "token.",
    ),
    form_has_status=True,
    cli_help="a BigCommerce store",
    # No short description, no tags (search keywords instead) and no stock status (inventory only).
    core_fields=frozenset((*SHARED_FIELDS, *EXTRA_FIELDS)),  # all its own fields (store-apis B5)
    product_attributes=False,
    field_notes=(("status", "visibility: published products are visible (is_visible)"),
                 ("length", "BigCommerce's depth"),
                 ("name", "names are unique in BigCommerce: a name another product holds gets “ (SKU)” added")),
)
