"""Categories, tags, global attributes and attribute terms (`WC_REST_Terms_Controller` and friends).

Term names are stored the way WordPress stores them (`&` becomes `&amp;`), duplicate names answer
`term_exists` with the existing id, and deletes need `force=true`.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from unopim_desktop.sandbox.woocommerce.batch import run_batch
from unopim_desktop.sandbox.woocommerce.errors import WooError
from unopim_desktop.sandbox.woocommerce.http import WooRequest, WooResponse, created, paginated
from unopim_desktop.sandbox.woocommerce.media import sideload
from unopim_desktop.sandbox.woocommerce.render import render_attribute, render_term, term_count
from unopim_desktop.sandbox.woocommerce.schema import parse_list, php_strval
from unopim_desktop.sandbox.woocommerce.state import (
    CATEGORY,
    DEFAULT_CATEGORY_ID,
    TAG,
    Attribute,
    Term,
    WooState,
    attribute_taxonomy,
)
from unopim_desktop.sandbox.woocommerce.wp import (
    kses_post,
    sanitize_text_field,
    sanitize_title,
    specialchars,
    to_int,
)
from unopim_desktop.sandbox.woocommerce.wpml import uncaught

TERM_MISSING = "Resource doesn't exist."
# `wc_check_if_attribute_name_is_reserved`: WordPress query variables.
RESERVED_ATTRIBUTE_SLUGS = frozenset({
    "attachment", "attachment_id", "author", "author_name", "calendar", "cat", "category",
    "category__and", "category__in", "category__not_in", "category_name", "comments_per_page",
    "comments_popup", "cpage", "day", "debug", "error", "exact", "feed", "hour", "link_category", "m",
    "minute", "monthnum", "more", "name", "nav_menu", "nopaging", "offset", "order", "orderby", "p",
    "page", "page_id", "paged", "pagename", "pb", "perm", "post", "post__in", "post__not_in",
    "post_format", "post_mime_type", "post_status", "post_tag", "post_type", "posts",
    "posts_per_archive_page", "posts_per_page", "preview", "robots", "s", "search", "second",
    "sentence", "showposts", "static", "subpost", "subpost_id", "tag", "tag__and", "tag__in",
    "tag__not_in", "tag_id", "tag_slug__and", "tag_slug__in", "taxonomy", "tb", "term", "type", "w",
    "withcomments", "withoutcomments", "year",
})


# --- which taxonomy a route addresses ------------------------------------------------------------------


def route_taxonomy(req: WooRequest, kind: str) -> tuple[str, str]:
    """(taxonomy, collection route) for `categories`, `tags` or `terms` of `attribute_id`."""
    if kind == "categories":
        return CATEGORY, "/wc/v3/products/categories"
    if kind == "tags":
        return TAG, "/wc/v3/products/tags"
    attribute_id = to_int(req.url_params.get("attribute_id"))
    if attribute_id not in req.state.attributes:
        raise WooError("woocommerce_rest_taxonomy_invalid", "Taxonomy does not exist.", 404)
    return attribute_taxonomy(attribute_id), f"/wc/v3/products/attributes/{attribute_id}/terms"


def _term(state: WooState, taxonomy: str, term_id: int) -> Term:
    term = state.terms.get(term_id)
    if term is None or term.taxonomy != taxonomy:
        raise WooError("woocommerce_rest_term_invalid", TERM_MISSING, 404)
    return term


def clean_term_name(value: Any) -> str:
    """`sanitize_term_field('name')` on save: text only, then `&`, `<`, `>` as entities."""
    return specialchars(sanitize_text_field(php_strval(value)))


def unique_term_slug(state: WooState, taxonomy: str, slug: str, parent: int, exclude_id: int = 0) -> str:
    """`wp_unique_term_slug`: a child first tries `slug-<parent slug>`, then numbers from 2."""
    def taken(candidate: str) -> bool:
        found = state.term_by_slug(taxonomy, candidate)
        return found is not None and found.id != exclude_id

    if not taken(slug):
        return slug
    if taxonomy == CATEGORY and parent in state.terms:
        with_parent = f"{slug}-{state.terms[parent].slug}"
        if not taken(with_parent):
            return with_parent
    number = 2
    while taken(f"{slug}-{number}"):
        number += 1
    return f"{slug}-{number}"


def _check_duplicate(state: WooState, taxonomy: str, name: str, slug: str, slug_given: bool, parent: int,
                     lang: str | None = None) -> None:
    """`wp_insert_term`'s duplicate-name rule, answered as `term_exists` with the existing id (with WPML,
    within the request's language: a translation may carry the original's name)."""
    match = state.term_by_name(taxonomy, name, parent if taxonomy == CATEGORY else None, lang)
    if match is None:
        return
    slug_match = state.term_by_slug(taxonomy, slug)
    if slug_given and match.slug != slug and slug_match is None:
        return
    if taxonomy != CATEGORY:
        raise WooError("term_exists", "A term with the name provided already exists in this taxonomy.", 400,
                       resource_id=match.id)
    siblings = [t for t in state.terms_of(taxonomy) if t.parent == parent]
    existing = None
    if (not slug_given or match.slug == slug) and name in [t.name for t in siblings]:
        existing = match
    elif slug_match is not None and slug in [t.slug for t in siblings]:
        existing = slug_match
    if existing is not None:
        raise WooError("term_exists", "A term with the name provided already exists with this parent.", 400,
                       resource_id=existing.id)


async def _category_image(req: WooRequest, item: dict[str, Any]) -> int | None:
    """The thumbnail id to store for a category `image` (None: leave it alone)."""
    image = item.get("image")
    if image is None:
        return None
    image = image if isinstance(image, dict) else {}
    image_id = to_int(image.get("id"))
    if not image_id and image.get("src"):
        image_id = (await sideload(req.state, php_strval(image["src"]))).id
    with req.state.lock:
        media = req.state.media.get(image_id) if image_id else None
        if media is None or not media.mime.startswith("image/"):
            return 0  # not an image: the category simply loses its thumbnail
        if image.get("alt"):
            media.alt = php_strval(image["alt"])
        if image.get("name"):
            media.title = php_strval(image["name"])
        return image_id


def _apply_meta_fields(term: Term, item: dict[str, Any], image_id: int | None) -> None:
    if term.taxonomy == CATEGORY and item.get("display") is not None:
        term.display = item["display"] if item["display"] in ("default", "products", "subcategories", "both") else "default"
    if term.taxonomy != TAG and item.get("menu_order") is not None:
        term.menu_order = to_int(item["menu_order"])
    if image_id is not None and term.taxonomy == CATEGORY:
        term.image_id = image_id


async def create_term_item(req: WooRequest, taxonomy: str, item: dict[str, Any]) -> dict[str, Any]:
    state = req.state
    raw_name = item.get("name")
    if raw_name is None or not php_strval(raw_name).strip():
        raise WooError("empty_term_name", "A name is required for this term.", 400)
    parent = 0
    if item.get("parent") is not None:
        if taxonomy != CATEGORY:
            raise WooError("woocommerce_rest_taxonomy_not_hierarchical",
                           "Can not set resource parent, taxonomy is not hierarchical.", 400)
        parent = to_int(item["parent"])
    name = clean_term_name(raw_name)
    slug_given = bool(item.get("slug"))
    slug = sanitize_title(item["slug"] if slug_given else name) or sanitize_title(php_strval(raw_name)) or "term"
    wpml = state.wpml
    lang = str(item.get("lang") or "") if wpml is not None else ""
    current = lang if wpml is not None and wpml.active(lang) else None  # the language WCML switched to
    with state.lock:
        if parent and parent not in state.terms:
            raise WooError("missing_parent", "Parent term does not exist.", 400)
        _check_duplicate(state, taxonomy, name, slug, slug_given, parent, current)
    image_id = await _category_image(req, item) if taxonomy == CATEGORY else None
    with state.lock:
        _check_duplicate(state, taxonomy, name, slug, slug_given, parent, current)
        if current and current != wpml.default and state.term_by_slug(taxonomy, slug) is not None:
            slug = f"{slug}-{current}"  # WPML's suffix for a translation's slug
        term = Term(state.new_term_id(), taxonomy, name, unique_term_slug(state, taxonomy, slug, parent), parent,
                    kses_post(php_strval(item.get("description") or "")))
        _apply_meta_fields(term, item, image_id)
        state.terms[term.id] = term
        state.count_write()
        if wpml is not None:
            _wpml_insert_term(state, taxonomy, term, lang, item.get("translation_of"))
        return render_term(state, term, req.base_url)


def _wpml_insert_term(state: WooState, taxonomy: str, term: Term, lang: str, original: Any) -> None:
    """WCML's `woocommerce_rest_insert_{taxonomy}` handler. The terms controller catches nothing around it:
    an error leaves the term created in the default language and the request ends in a fatal error."""
    wpml = state.wpml
    if original not in (None, "") and not lang:
        raise uncaught('Using "translation_of" requires providing a "lang" parameter too')
    if lang and not wpml.active(lang):
        raise uncaught(f'Invalid language parameter: "{lang}"')
    source = state.terms.get(to_int(original)) if original not in (None, "") else None
    if original not in (None, "") and (source is None or source.taxonomy != taxonomy):
        raise uncaught(f"Term not found: {original}")
    wpml.join_term(term.id, lang or wpml.default, source.id if source else None)


async def update_term_item(req: WooRequest, taxonomy: str, term_id: int, item: dict[str, Any]) -> dict[str, Any]:
    state = req.state
    with state.lock:
        _term(state, taxonomy, term_id)
        if item.get("parent") is not None and taxonomy != CATEGORY:
            raise WooError("woocommerce_rest_taxonomy_not_hierarchical",
                           "Can not set resource parent, taxonomy is not hierarchical.", 400)
    image_id = await _category_image(req, item) if taxonomy == CATEGORY else None
    with state.lock:
        term = _term(state, taxonomy, term_id)
        parent = to_int(item["parent"]) if item.get("parent") is not None else term.parent
        if parent and parent not in state.terms:
            raise WooError("missing_parent", "Parent term does not exist.", 500)
        slug = term.slug
        if item.get("slug"):
            slug = sanitize_title(item["slug"])
            duplicate = state.term_by_slug(taxonomy, slug)
            if duplicate is not None and duplicate.id != term.id:
                if parent == term.parent:
                    raise WooError("duplicate_term_slug",
                                   f"The slug &#8220;{slug}&#8221; is already in use by another term.", 500)
                slug = unique_term_slug(state, taxonomy, slug, parent, term.id)
        if item.get("name") is not None:
            term.name = clean_term_name(item["name"])
        if item.get("description") is not None:
            term.description = kses_post(php_strval(item["description"]))
        term.slug, term.parent = slug, parent
        _apply_meta_fields(term, item, image_id)
        state.count_write()
        return render_term(state, term, req.base_url)


def delete_term_item(req: WooRequest, taxonomy: str, term_id: int, force: bool) -> dict[str, Any]:
    state = req.state
    if not force:
        raise WooError("woocommerce_rest_trash_not_supported", "Resource does not support trashing.", 501)
    with state.lock:
        term = _term(state, taxonomy, term_id)
        if term_id == DEFAULT_CATEGORY_ID:
            raise WooError("woocommerce_rest_cannot_delete", "Default product category cannot be deleted.", 500)
        before = render_term(state, term, req.base_url)
        del state.terms[term_id]
        users = state.term_products.pop(term_id, set())
        for child in state.terms.values():
            if child.taxonomy == taxonomy and child.parent == term_id:
                child.parent = term.parent
        for record in (state.product_records[pid] for pid in users if pid in state.product_records):
            if term_id in record["category_ids"]:
                record["category_ids"].remove(term_id)
                if not record["category_ids"]:  # WooCommerce re-assigns the default category
                    record["category_ids"] = [DEFAULT_CATEGORY_ID]
                    state.term_products.setdefault(DEFAULT_CATEGORY_ID, set()).add(record["id"])
            if term_id in record["tag_ids"]:
                record["tag_ids"].remove(term_id)
            for attribute in record["attributes"]:
                if attribute["attribute_id"] and term_id in attribute["options"]:
                    attribute["options"].remove(term_id)
        state.count_write()
        return before


# --- term handlers -------------------------------------------------------------------------------------


def _sorted_terms(state: WooState, terms: list[Term], p: dict[str, Any], include: list[int]) -> list[Term]:
    orderby, descending = p.get("orderby") or "name", (p.get("order") or "asc") == "desc"
    if orderby == "include" and include:
        position = {tid: i for i, tid in enumerate(include)}
        return sorted(terms, key=lambda t: position.get(t.id, len(position)))
    keys = {
        "id": lambda t: t.id,
        "slug": lambda t: (t.slug, t.id),
        "description": lambda t: (t.description, t.id),
        "count": lambda t: (term_count(state, t.id), t.id),
        "term_group": lambda t: t.id,
    }
    return sorted(terms, key=keys.get(orderby, lambda t: (t.name.casefold(), t.id)), reverse=descending)


def list_terms(req: WooRequest, kind: str) -> WooResponse:
    state, p = req.state, req.params
    taxonomy, route = route_taxonomy(req, kind)
    per_page, page = int(p.get("per_page") or 10), int(p.get("page") or 1)
    include = [to_int(i) for i in parse_list(p["include"])] if p.get("include") else []
    exclude = {to_int(i) for i in parse_list(p["exclude"])} if p.get("exclude") else set()
    with state.lock:
        terms = state.terms_of(taxonomy)
        if state.wpml is not None:
            terms = _in_language(state, terms, p)
        if include:
            terms = [t for t in terms if t.id in include]
        terms = [t for t in terms if t.id not in exclude]
        if taxonomy == CATEGORY and "parent" in p:
            terms = [t for t in terms if t.parent == to_int(p["parent"])]
        if p.get("slug"):
            slugs = set(parse_list(p["slug"]))
            terms = [t for t in terms if t.slug in slugs]
        if p.get("search"):
            needle = str(p["search"]).casefold()
            terms = [t for t in terms if needle in t.name.casefold() or needle in t.slug]
        if p.get("hide_empty"):
            terms = [t for t in terms if term_count(state, t.id)]
        if p.get("product"):
            record = state.product_records.get(to_int(p["product"]))
            owned = set(record["category_ids"] + record["tag_ids"]) if record else set()
            if record:
                for attribute in record["attributes"]:
                    owned.update(attribute["options"] if attribute["attribute_id"] else [])
            terms = [t for t in terms if t.id in owned]
        terms = _sorted_terms(state, terms, p, include)
        offset = int(p.get("offset") or 0) or (page - 1) * per_page
        items = [render_term(state, t, req.base_url) for t in terms[offset : offset + per_page]]
    return paginated(req, route, items, len(terms), per_page, page)


def _in_language(state: WooState, terms: list[Term], p: dict[str, Any]) -> list[Term]:
    """WPML's `terms_clauses`: the current language, or every one for `lang=all`. An inactive language
    throws inside the query filter, which nothing catches."""
    wpml = state.wpml
    wanted = wpml.wanted(p)
    if wanted is None:
        return terms
    if not wpml.active(wanted):
        raise uncaught(f'Invalid language parameter: "{wanted}"')
    return [t for t in terms if wpml.term_language(t.id) == wanted]


def get_term(req: WooRequest, kind: str) -> WooResponse:
    taxonomy, _ = route_taxonomy(req, kind)
    with req.state.lock:
        term = _term(req.state, taxonomy, to_int(req.params.get("id")))
        return WooResponse(render_term(req.state, term, req.base_url))


async def create_term(req: WooRequest, kind: str) -> WooResponse:
    taxonomy, route = route_taxonomy(req, kind)
    body = await create_term_item(req, taxonomy, req.params)
    return created(req, body, f"{route}/{body['id']}")


async def update_term(req: WooRequest, kind: str) -> WooResponse:
    taxonomy, _ = route_taxonomy(req, kind)
    return WooResponse(await update_term_item(req, taxonomy, to_int(req.params.get("id")), req.params))


def delete_term(req: WooRequest, kind: str) -> WooResponse:
    taxonomy, _ = route_taxonomy(req, kind)
    return WooResponse(delete_term_item(req, taxonomy, to_int(req.params.get("id")), bool(req.params.get("force"))))


async def batch_terms(req: WooRequest, kind: str) -> WooResponse:
    taxonomy, _ = route_taxonomy(req, kind)

    async def create(item: dict[str, Any]) -> dict[str, Any]:
        return await create_term_item(req, taxonomy, item)

    async def update(item: dict[str, Any]) -> dict[str, Any]:
        return await update_term_item(req, taxonomy, to_int(item.get("id")), item)

    async def delete(item_id: int) -> dict[str, Any]:
        return delete_term_item(req, taxonomy, item_id, True)

    return await run_batch(req, create=create, update=update, delete=delete)


# --- global attributes ---------------------------------------------------------------------------------


def _attribute_slug(name: str, slug: Any) -> str:
    """`wc_create_attribute`: the slug from `slug` (minus `pa_`) or, failing that, from the name."""
    raw = php_strval(slug) if slug else name
    cleaned = urllib.parse.unquote(sanitize_title(urllib.parse.unquote(raw)))
    return cleaned[3:] if slug and cleaned.startswith("pa_") else cleaned


def save_attribute_item(req: WooRequest, item: dict[str, Any], attribute_id: int | None) -> dict[str, Any]:
    """`wc_create_attribute` / `wc_update_attribute`, with the REST layer's error wrapping."""
    state = req.state
    code = "woocommerce_rest_cannot_create" if attribute_id is None else "woocommerce_rest_cannot_edit"
    with state.lock:
        current = state.attributes.get(attribute_id) if attribute_id is not None else None
        if attribute_id is not None and current is None:
            raise WooError("woocommerce_rest_attribute_invalid", "Resource does not exist.", 404)
        name = sanitize_text_field(php_strval(item.get("name") or ""))
        if not name and current is not None:
            name = current.name
        if not name:
            raise WooError(code, "Please, provide an attribute name.", 400)
        slug = _attribute_slug(name, item.get("slug"))
        if len(slug.encode()) > 28:
            raise WooError(code, f'Slug "{slug}" is too long (28 characters max). Shorten it, please.', 400)
        if slug in RESERVED_ATTRIBUTE_SLUGS:
            raise WooError(code, f'Slug "{slug}" is not allowed because it is a reserved term. Change it, please.', 400)
        clash = next((a for a in state.attributes.values() if a.slug == slug and a is not current), None)
        if clash is not None:
            raise WooError(code, f'Slug "{slug}" is already in use. Change it, please.', 400)
        kind = item.get("type") or "select"
        if kind != "select":
            raise WooError(code, "Invalid product attribute type.", 400)
        order_by = item.get("order_by") or "menu_order"
        if order_by not in ("menu_order", "name", "name_num", "id"):
            raise WooError(code, "Invalid product attribute order_by.", 400)
        attribute = current or Attribute(state.new_attribute_id(), name, slug)
        # An update without `has_archives` switches archives off, as wc_update_attribute does.
        attribute.name, attribute.slug, attribute.type = name, slug, kind
        attribute.order_by, attribute.has_archives = order_by, item.get("has_archives") is True or item.get("has_archives") in ("1", "true", 1)
        state.attributes[attribute.id] = attribute
        state.count_write()
        return render_attribute(state, attribute, req.base_url)


def delete_attribute_item(req: WooRequest, attribute_id: int, force: bool) -> dict[str, Any]:
    state = req.state
    if not force:
        raise WooError("woocommerce_rest_trash_not_supported", "Resource does not support trashing.", 501)
    with state.lock:
        attribute = state.attributes.get(attribute_id)
        if attribute is None:
            raise WooError("woocommerce_rest_attribute_invalid", "Resource does not exist.", 404)
        before = render_attribute(state, attribute, req.base_url)
        del state.attributes[attribute_id]
        taxonomy = attribute_taxonomy(attribute_id)
        for term_id in [t.id for t in state.terms.values() if t.taxonomy == taxonomy]:
            del state.terms[term_id]
            state.term_products.pop(term_id, None)
        for record in state.product_records.values():
            record["attributes"] = [a for a in record["attributes"] if a["attribute_id"] != attribute_id]
        state.count_write()
        return before


def _attribute_or_404(req: WooRequest) -> Attribute:
    attribute = req.state.attributes.get(to_int(req.params.get("id")))
    if attribute is None:
        raise WooError("woocommerce_rest_taxonomy_invalid", "Resource does not exist.", 404)
    return attribute


def list_attributes(req: WooRequest) -> WooResponse:
    with req.state.lock:
        items = [render_attribute(req.state, a, req.base_url)
                 for a in sorted(req.state.attributes.values(), key=lambda a: a.slug)]
    # Not paginated: WooCommerce always answers every attribute with a single page.
    return WooResponse(items, 200, [("X-WP-Total", str(len(items))), ("X-WP-TotalPages", "1")])


def get_attribute(req: WooRequest) -> WooResponse:
    with req.state.lock:
        return WooResponse(render_attribute(req.state, _attribute_or_404(req), req.base_url))


def create_attribute(req: WooRequest) -> WooResponse:
    body = save_attribute_item(req, req.params, None)
    return created(req, body, f"/wc/v3/products/attributes/{body['id']}")


def update_attribute(req: WooRequest) -> WooResponse:
    attribute = _attribute_or_404(req)
    return WooResponse(save_attribute_item(req, req.params, attribute.id))


def delete_attribute(req: WooRequest) -> WooResponse:
    attribute = _attribute_or_404(req)
    return WooResponse(delete_attribute_item(req, attribute.id, bool(req.params.get("force"))))


async def batch_attributes(req: WooRequest) -> WooResponse:
    async def create(item: dict[str, Any]) -> dict[str, Any]:
        return save_attribute_item(req, item, None)

    async def update(item: dict[str, Any]) -> dict[str, Any]:
        return save_attribute_item(req, item, to_int(item.get("id")))

    async def delete(item_id: int) -> dict[str, Any]:
        return delete_attribute_item(req, item_id, True)

    return await run_batch(req, create=create, update=update, delete=delete)
