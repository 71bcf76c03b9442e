"""The GraphQL Admin API's Translations part on the sandbox BigCommerce store (i18n.md C2 and D2), at
`POST /stores/{hash}/graphql`: channel locales, `store.translations` (at most 50 a page) and the
`translation.updateTranslations` / `deleteTranslations` mutations, for products and categories.

Answers are HTTP 200 with GraphQL's own `errors` for a bad query; a mutation answers its typed errors
(`EntityNotFoundError`, `ValidationError`, `InvalidTranslationEntityFieldsError`) in `errors[]` with partial
success. A field without a translation reads as the store's default value. Only a Catalyst channel has the
API: a store without locales set up answers every translations field with an error.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from graphql import GraphQLError, build_schema, graphql_sync
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from unopim_desktop.sandbox.bigcommerce.i18n_state import CHANNEL_ID, I18nState, i18n_of

SCOPE = "store_translations"
SCOPE_READ = "store_translations_read_only"
PAGE_MAX = 50
FIELDS = {  # translatable fields per resource type, and the record key each reads its original from
    "PRODUCTS": {"name": "name", "description": "description", "page_title": "page_title",
                 "meta_description": "meta_description", "search_keywords": "search_keywords",
                 "pre_order_message": "preorder_message", "warranty": "warranty"},
    "CATEGORIES": {"name": "name", "description": "description", "page_title": "page_title",
                   "meta_description": "meta_description", "search_keywords": "search_keywords"},
}
RESOURCE = {"PRODUCTS": ("product", "products_by_id"), "CATEGORIES": ("category", "categories_by_id")}
UNAVAILABLE = "The Translations API is available for Catalyst storefront channels only."  # (unverified wording)

SDL = """
schema { query: Query mutation: Mutation }
type Query { store: Store! }
type Store {
  locales(input: LocalesInput!): LocaleConnection!
  translations(filters: TranslationsFiltersInput!, first: Int, after: String): TranslationConnection!
}
input LocalesInput { channelId: ID! }
type LocaleConnection { edges: [LocaleEdge!]! }
type LocaleEdge { node: Locale! }
type Locale { id: ID! code: String! status: String! isDefault: Boolean! }
enum TranslationResourceType { PRODUCTS PRODUCT_OPTIONS PRODUCT_CUSTOM_FIELDS CATEGORIES BRANDS }
input TranslationsFiltersInput {
  resourceType: TranslationResourceType! channelId: ID! localeId: ID! resourceIds: [ID!]
}
type TranslationConnection { edges: [TranslationEdge!]! pageInfo: PageInfo! }
type TranslationEdge { node: Translation! cursor: String! }
type Translation { resourceId: ID! fields: [TranslatableField!]! }
type TranslatableField { fieldName: String! original: String translation: String }
type PageInfo { hasNextPage: Boolean! endCursor: String }
type Mutation { translation: TranslationMutations! }
type TranslationMutations {
  updateTranslations(input: UpdateTranslationsInput!): UpdateTranslationsResult!
  deleteTranslations(input: DeleteTranslationsInput!): DeleteTranslationsResult!
}
input UpdateTranslationsInput {
  resourceType: TranslationResourceType! channelId: ID! localeId: ID! entities: [TranslationEntityInput!]!
}
input TranslationEntityInput { resourceId: ID! fields: [TranslationFieldInput!]! }
input TranslationFieldInput { fieldName: String! value: String! }
input DeleteTranslationsInput {
  resourceType: TranslationResourceType! channelId: ID! localeId: ID! resources: [DeleteResourceInput!]!
}
input DeleteResourceInput { resourceId: ID! fields: [String!] }
interface Error { message: String! }
type EntityNotFoundError implements Error { message: String! }
type ValidationError implements Error { message: String! }
type InvalidTranslationEntityFieldsError implements Error { message: String! fields: [String!]! }
type UpdateTranslationsResult { errors: [Error!]! }
type DeleteTranslationsResult { errors: [Error!]! }
"""
SCHEMA = build_schema(SDL)
SCHEMA.get_type("Error").resolve_type = lambda obj, _info, _type: obj["__typename"]  # type: ignore[union-attr]


def _error(kind: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"__typename": kind, "message": message, **extra}


class Resolvers:
    """The root value: resolvers read and write the store's state under its lock."""

    def __init__(self, state: Any, i18n: I18nState, scopes: frozenset[str]) -> None:
        self.state, self.i18n, self.scopes = state, i18n, scopes
        self.wrote = False

    # -- helpers --------------------------------------------------------------------------------------
    def _available(self, *, write: bool) -> None:
        if not self.i18n.locales:
            raise GraphQLError(UNAVAILABLE)
        if SCOPE not in self.scopes and (write or SCOPE_READ not in self.scopes):
            raise GraphQLError("You don't have a required scope to access this field (store_translations).")

    def _channel(self, channel_id: str) -> None:
        if channel_id != f"bc/store/channel/{CHANNEL_ID}":
            raise GraphQLError(f"Channel {channel_id} not found.")

    def _locale(self, locale_id: str) -> str | dict[str, Any]:
        code = locale_id.rsplit("/", 1)[-1]
        if not locale_id.startswith("bc/store/locale/") or code not in self.i18n.locales:
            return _error("ValidationError", f"Locale {locale_id} is not enabled on this channel.")
        if code == self.i18n.locales[0]:
            return _error("ValidationError", f"Locale {code} is the channel's default locale; translate the "
                                             "product itself.")
        return code

    def _record(self, resource_type: str, resource_id: str) -> tuple[int, dict[str, Any]] | dict[str, Any]:
        if resource_type not in RESOURCE:
            return _error("ValidationError", f"Resource type {resource_type} is not supported here.")
        name, table = RESOURCE[resource_type]
        match = re.fullmatch(rf"bc/store/{name}/(\d+)", resource_id)
        if match is None:
            return _error("ValidationError", f"Resource id {resource_id} does not match resource type {resource_type}.")
        record = getattr(self.state, table).get(int(match.group(1)))
        if record is None:
            return _error("EntityNotFoundError", f"Entity {resource_id} not found.")
        return int(match.group(1)), record

    # -- query --------------------------------------------------------------------------------------
    def store(self, _info: Any) -> Resolvers:
        return self

    def locales(self, _info: Any, input: dict[str, Any]) -> dict[str, Any]:  # noqa: A002 (GraphQL's name)
        self._available(write=False)
        self._channel(input["channelId"])
        return {"edges": [{"node": {"id": f"bc/store/locale/{code}", "code": code, "status": "ACTIVE",
                                    "isDefault": n == 0}} for n, code in enumerate(self.i18n.locales)]}

    def translations(self, _info: Any, filters: dict[str, Any], first: int | None = None,
                     after: str | None = None) -> dict[str, Any]:
        self._available(write=False)
        self._channel(filters["channelId"])
        first = 10 if first is None else first
        if not 0 < first <= PAGE_MAX:
            raise GraphQLError(f"first must be between 1 and {PAGE_MAX}.")
        code = self._locale(filters["localeId"])
        if isinstance(code, dict):
            raise GraphQLError(code["message"])
        kind = filters["resourceType"]
        name, table = RESOURCE.get(kind, ("", ""))
        if not name:
            raise GraphQLError(f"Resource type {kind} is not supported here.")
        with self.state.lock:
            records = getattr(self.state, table)
            wanted = filters.get("resourceIds")
            ids = sorted(records) if wanted is None else [int(r.rsplit("/", 1)[-1]) for r in wanted
                                                          if re.fullmatch(rf"bc/store/{name}/\d+", r)
                                                          and int(r.rsplit("/", 1)[-1]) in records]
            start = int(base64.b64decode(after).decode()) if after else 0
            page = ids[start:start + first]
            edges = []
            for n, rid in enumerate(page, start=start + 1):
                held = self.i18n.translations.get((kind, rid, filters["channelId"], code), {})
                fields = [{"fieldName": f, "original": str(records[rid].get(key) or ""),
                           "translation": held.get(f, str(records[rid].get(key) or ""))}
                          for f, key in FIELDS[kind].items()]
                edges.append({"node": {"resourceId": f"bc/store/{name}/{rid}", "fields": fields},
                              "cursor": base64.b64encode(str(n).encode()).decode()})
        more = start + first < len(ids)
        return {"edges": edges, "pageInfo": {"hasNextPage": more, "endCursor": edges[-1]["cursor"] if edges else None}}

    # -- mutations ----------------------------------------------------------------------------------
    def translation(self, _info: Any) -> Resolvers:
        self._available(write=True)
        return self

    def updateTranslations(self, _info: Any, input: dict[str, Any]) -> dict[str, Any]:  # noqa: A002, N802
        self._channel(input["channelId"])
        code = self._locale(input["localeId"])
        if isinstance(code, dict):
            return {"errors": [code]}
        errors = []
        kind = input["resourceType"]
        with self.state.lock:
            for entity in input["entities"]:
                found = self._record(kind, entity["resourceId"])
                if isinstance(found, dict):
                    errors.append(found)
                    continue
                rid, _record = found
                bad = [f["fieldName"] for f in entity["fields"] if f["fieldName"] not in FIELDS[kind]]
                if bad:
                    errors.append(_error("InvalidTranslationEntityFieldsError",
                                         f"Invalid fields for {entity['resourceId']}: {', '.join(bad)}.", fields=bad))
                    continue
                held = self.i18n.translations.setdefault((kind, rid, input["channelId"], code), {})
                for f in entity["fields"]:
                    held[f["fieldName"]] = f["value"]
                self.wrote = True
        return {"errors": errors}

    def deleteTranslations(self, _info: Any, input: dict[str, Any]) -> dict[str, Any]:  # noqa: A002, N802
        self._channel(input["channelId"])
        code = self._locale(input["localeId"])
        if isinstance(code, dict):
            return {"errors": [code]}
        errors = []
        kind = input["resourceType"]
        with self.state.lock:
            for resource in input["resources"]:
                found = self._record(kind, resource["resourceId"])
                if isinstance(found, dict):
                    errors.append(found)
                    continue
                held = self.i18n.translations.get((kind, found[0], input["channelId"], code), {})
                for f in resource.get("fields") or list(held):
                    held.pop(f, None)
                self.wrote = True
        return {"errors": errors}


async def graphql_endpoint(request: Request) -> Response:
    state = request.app.state.sandbox
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        return JSONResponse({"errors": [{"message": "The request body is not valid JSON."}]}, 400)
    query = body.get("query") if isinstance(body, dict) else None
    if not isinstance(query, str):
        return JSONResponse({"errors": [{"message": "A query is required."}]}, 400)
    scopes = state.tokens.scopes_for(request.headers.get("x-auth-token")) or frozenset()
    root = Resolvers(state, i18n_of(state), scopes)
    result = graphql_sync(SCHEMA, query, root_value=root, variable_values=body.get("variables"),
                          field_resolver=_resolve)
    if root.wrote:
        state.record_write()
    out: dict[str, Any] = {"data": result.data}
    if result.errors:
        out["errors"] = [e.formatted for e in result.errors]
    return JSONResponse(out)


def _resolve(source: Any, info: Any, **args: Any) -> Any:
    """Dicts by key; the resolver object's methods called with their arguments."""
    if isinstance(source, dict):
        return source.get(info.field_name)
    value = getattr(source, info.field_name, None)
    return value(info, **args) if callable(value) else value
