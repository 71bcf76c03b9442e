"""The REST route table of the UnoPim sandbox, per API version (unopim-api.md §3, ACL keys §2.6).

A route that a version lacks is simply absent: the router then answers 404, or 405 when the path
exists with other verbs, exactly as Laravel does for V1's missing V3 routes. `acl_v1=False` marks
the routes V1's ACL config has no entry for (allowed for any valid token there).
"""

from __future__ import annotations

from unopim_desktop.sandbox.unopim import catalog, categories, configurable, media, products, settings
from unopim_desktop.sandbox.unopim.guards import Op

PREFIX = "/api/v1/rest"

Table = list[tuple[str, dict[str, Op]]]


def _acl(*keys: str) -> tuple[str, ...]:
    return keys


def settings_routes() -> Table:
    channel_read = _acl("api.settings.channels", "api.settings", "api")
    return [
        ("/locales", {"GET": Op("locales.index", settings.list_locales, _acl("api.settings.locales"))}),
        ("/locales/{code}", {"GET": Op("locales.get", settings.get_locale, _acl("api.settings.locales"))}),
        ("/currencies", {"GET": Op("currencies.index", settings.list_currencies, _acl("api.settings.currencies"))}),
        ("/currencies/{code}",
         {"GET": Op("currencies.get", settings.get_currency, _acl("api.settings.currencies"))}),
        ("/channels", {"GET": Op("channels.index", settings.list_channels, channel_read)}),
        ("/channels/{code}", {"GET": Op("channels.get", settings.get_channel, _acl("api.settings.channels"))}),
    ]  # fmt: skip


def structure_routes(version: int) -> Table:
    v3 = version >= 3
    groups, attrs, fams = "api.catalog.attribute_groups", "api.catalog.attributes", "api.catalog.families"
    group_item = {
        "GET": Op("attribute_groups.get", catalog.get_attribute_group, _acl(groups)),
        "PUT": Op("attribute_groups.update", catalog.update_attribute_group, _acl(f"{groups}.edit")),
    }
    attr_item = {
        "GET": Op("attributes.get", catalog.get_attribute, _acl(attrs)),
        "PUT": Op("attributes.update", catalog.update_attribute, _acl(f"{attrs}.edit")),
    }
    family_item = {
        "GET": Op("families.get", catalog.get_family, _acl(fams)),
        "PUT": Op("families.update", catalog.update_family, _acl(f"{fams}.edit")),
    }
    table: Table = [
        ("/attribute-groups", {
            "GET": Op("attribute_groups.index", catalog.list_attribute_groups, _acl(groups)),
            "POST": Op("attribute_groups.store", catalog.create_attribute_group, _acl(f"{groups}.create")),
        }),
        ("/attribute-groups/{code}", group_item),
        ("/attributes", {
            "GET": Op("attributes.index", catalog.list_attributes, _acl(attrs)),
            "POST": Op("attributes.store", catalog.create_attribute, _acl(f"{attrs}.create")),
        }),
        ("/attributes/{code}", attr_item),
        ("/attributes/{code}/options", {
            "GET": Op("attribute_options.get", catalog.list_attribute_options, _acl(attrs)),
            "POST": Op("attribute_options.store_option", catalog.create_attribute_options, _acl(f"{attrs}.create")),
            "PUT": Op("attribute_options.update_option", catalog.upsert_attribute_options, _acl(f"{attrs}.edit")),
        }),
        ("/families", {
            "GET": Op("families.index", catalog.list_families, _acl(fams)),
            "POST": Op("families.store", catalog.create_family, _acl(f"{fams}.create")),
        }),
        ("/families/{code}", family_item),
        ("/category-fields", {
            "GET": Op("category-fields.index", categories.list_category_fields, _acl("api.catalog.category_fields")),
        }),
        ("/category-fields/{code}", {
            "GET": Op("category-fields.get", categories.get_category_field, _acl("api.catalog.category_fields")),
        }),
        ("/category-fields/{code}/options", {
            "GET": Op("category-fields_options.get", categories.list_category_field_options,
                      _acl("api.catalog.category_fields")),
        }),
    ]  # fmt: skip
    if v3:
        group_item["PATCH"] = Op("attribute_groups.patch", catalog.update_attribute_group, _acl(f"{groups}.edit"))
        group_item["DELETE"] = Op("attribute_groups.delete", catalog.delete_attribute_group, _acl(f"{groups}.delete"))
        attr_item["PATCH"] = Op("attributes.patch", catalog.update_attribute, _acl(f"{attrs}.edit"))
        attr_item["DELETE"] = Op("attributes.delete", catalog.delete_attribute, _acl(f"{attrs}.delete"))
        family_item["PATCH"] = Op("families.patch", catalog.update_family, _acl(f"{fams}.edit"))
        family_item["DELETE"] = Op("families.delete", catalog.delete_family, _acl(f"{fams}.delete"))
        table.append(("/attributes/{code}/options/{option}", {
            "DELETE": Op("attribute_options.delete_option", catalog.delete_attribute_option, _acl(f"{attrs}.delete")),
        }))  # fmt: skip
    return table


def category_routes(version: int) -> Table:
    cats = "api.catalog.categories"
    return [
        ("/categories", {
            "GET": Op("categories.index", categories.list_categories, _acl(cats)),
            "POST": Op("categories.store", categories.create_category, _acl(f"{cats}.create")),
        }),
        ("/categories/{code}", {
            "GET": Op("categories.get", categories.get_category, _acl(cats)),
            "PUT": Op("categories.update", categories.update_category, _acl(f"{cats}.edit")),
            "PATCH": Op("categories.patch", categories.patch_category, _acl(f"{cats}.edit"), acl_v1=False),
            "DELETE": Op("categories.delete", categories.delete_category, _acl(f"{cats}.delete"), acl_v1=False),
        }),
    ]  # fmt: skip


def product_routes(version: int) -> Table:
    read, create = _acl("api.catalog.products"), _acl("api.catalog.products.create")
    edit, delete = _acl("api.catalog.products.edit"), _acl("api.catalog.products.delete")
    table: Table = [
        ("/products", {
            "GET": Op("products.index", products.list_products, read),
            "POST": Op("products.store", products.create_product, create),
        }),
        ("/products/{sku}", {
            "GET": Op("products.get", products.get_product, read),
            "PUT": Op("products.update", products.update_product, edit),
            "PATCH": Op("products.patch", products.patch_product, edit, acl_v1=False),
            "DELETE": Op("products.delete", products.delete_product, delete, acl_v1=False),
        }),
    ]  # fmt: skip
    spellings = [("configurable-products", "configurable_products", False)] if version >= 3 else []
    spellings.append(("configrable-products", "configrable_products", version >= 3))
    for path, name, deprecated in spellings:
        item = {
            "GET": Op(f"{name}.get", configurable.get_configurable, read, deprecated=deprecated),
            "PUT": Op(f"{name}.update", configurable.update_configurable, edit, deprecated=deprecated),
            "PATCH": Op(f"{name}.patch", configurable.patch_configurable, edit, acl_v1=False, deprecated=deprecated),
        }
        if version >= 3:
            item["DELETE"] = Op(f"{name}.delete", configurable.delete_configurable, delete, deprecated=deprecated)
        table += [
            (f"/{path}", {
                "GET": Op(f"{name}.index", configurable.list_configurables, read, deprecated=deprecated),
                "POST": Op(f"{name}.store", configurable.create_configurable, create, deprecated=deprecated),
            }),
            (f"/{path}/{{sku}}", item),
        ]  # fmt: skip
    return table


def media_routes(version: int) -> Table:
    product_ops = {"POST": Op("media-files.product.store", media.upload_product_media,
                              _acl("api.catalog.products.edit"), acl_v1=False, multipart=True)}  # fmt: skip
    category_ops = {"POST": Op("media-files.category.store", media.upload_category_media,
                               _acl("api.catalog.categories.edit"), acl_v1=False, multipart=True)}  # fmt: skip
    if version >= 3:
        product_ops["GET"] = Op("media-files.product.get", media.get_product_media, _acl("api.catalog.products"))
        product_ops["DELETE"] = Op("media-files.product.delete", media.delete_product_media,
                                   _acl("api.catalog.products.delete"))  # fmt: skip
        category_ops["GET"] = Op("media-files.category.get", media.get_category_media, _acl("api.catalog.categories"))
        category_ops["DELETE"] = Op("media-files.category.delete", media.delete_category_media,
                                    _acl("api.catalog.categories.delete"))  # fmt: skip
    return [("/media-files/product", product_ops), ("/media-files/category", category_ops)]


def build_table(version: int) -> Table:
    table = (
        settings_routes()
        + structure_routes(version)
        + category_routes(version)
        + product_routes(version)
        + media_routes(version)
    )
    return [(PREFIX + path, ops) for path, ops in table]
