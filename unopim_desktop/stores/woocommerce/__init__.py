"""WooCommerce (REST wc/v3): the adapter, its payloads, and what the kind declares to the rest of the app."""

from __future__ import annotations

from unopim_desktop.domain import SHARED_FIELDS, StoreConnection
from unopim_desktop.stores.base import StoreAdapter
from unopim_desktop.stores.kind import ErrorWording, FormField, StoreKind

KEYS_PAGE = "WooCommerce → Settings → Advanced → REST API"


def _adapter(connection: StoreConnection) -> StoreAdapter:
    from unopim_desktop.stores.woocommerce.adapter import WooCommerceAdapter

    return WooCommerceAdapter(connection)


def _site_path(origin: str, path: str, _raw: str) -> str:
    # A WordPress may live under a path; an address pasted with /wp-json… keeps only the site part.
    path = path.rstrip("/")
    if path.endswith("/wp-json") or "/wp-json/" in path + "/":
        path = path[: path.index("/wp-json")]
    return f"{origin}{path}"


KIND = StoreKind(
    name="woocommerce",
    display_name="WooCommerce",
    note=f"From {KEYS_PAGE} (a key with Read/Write permissions).",
    url_example="https://shop.example.com",
    fields=(
        FormField("url", "Site address", placeholder="https://shop.example.com", cli_flag="--url"),
        FormField("key", "Consumer key", required=True, cli_flag="--consumer-key",
                  missing=f"Enter the consumer key ({KEYS_PAGE})."),
        FormField("secret", "Consumer secret", required=True, missing="Enter the consumer secret.",
                  cli_flag="--consumer-secret", env="WOOCOMMERCE_CONSUMER_SECRET"),
        FormField("wp_user", "WordPress user", cli_flag="--wp-user"),
        FormField("wp_app_password", "Application password", masked_if="wp_user", cli_flag="--wp-app-password",
                  env="WORDPRESS_APP_PASSWORD",
                  help="Optional. A WordPress user and an application password (Users → Profile → Application "
                       "Passwords) let UnoPim Desktop upload images the store cannot fetch itself, e.g. from a "
                       "UnoPim that is not reachable from the internet."),
        FormField("translations", "Translations", cli_flag="--translations",
                  choices=(("auto", "WPML when the store has it"), ("off", "Off (one locale per channel)")),
                  help="With WPML and WooCommerce Multilingual, each channel locale mapped to a store language "
                       "(Channels → Locales) is written as a translation."),
        FormField("multi_currency", "Multi-currency plugin", cli_flag="--multi-currency",
                  choices=(("auto", "Detect (CURCY or WCML)"), ("none", "None (one currency)"),
                           ("curcy", "CURCY"), ("wcml", "WCML multi-currency")),
                  help="Where the prices in the channel's other currencies go."),
        FormField("plugin_currencies", "Plugin currencies", placeholder="e.g. EUR, GBP (blank: not checked)",
                  cli_flag="--plugin-currencies",
                  help="The currencies the plugin is set up with; a mapped currency it does not know is skipped "
                       "with a warning."),
    ),
    make_adapter=_adapter,
    check_url_path=_site_path,
    wording=ErrorWording(
        auth_reason="WooCommerce refused the API key: {message}",
        auth_fix=f"Check the consumer key and secret in {KEYS_PAGE} (Read/Write permissions), then edit the "
                 "store connection.",
        forbidden_reason="WooCommerce does not allow this: {message}",
        forbidden_fix="Use a Read/Write key that belongs to an administrator or shop manager.",
    ),
    cli_help="a WooCommerce site",
    core_fields=frozenset((*SHARED_FIELDS, "short_description", "stock_status", "tags")),
)
