"""What a pull and a push job share: the run's parties, its links, the mapping view both build, the
record of store images (written by the pull, read by the push), how a stopped step is said, and the
shape of both pipelines: a job is a table of named steps, each a method of one of the job's parts."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from unopim_desktop.clients.errors import ApiError, AuthError, Forbidden, Unreachable
from unopim_desktop.clients.unopim import ServerFeatures, UnoPimClient
from unopim_desktop.domain import AttributeDef, ChannelRow, StoreImage, StoreLanguages
from unopim_desktop.mapping.fields import STATUS_PSEUDO_ATTRIBUTE
from unopim_desktop.mapping.i18n import ChannelReach, base_currency, caps_dict, channel_reach
from unopim_desktop.state import mapping_repo, stores_repo, sync_repo
from unopim_desktop.state.db import DbLane
from unopim_desktop.state.sync_repo import LinkRow, LinkTable, LinkWrite
from unopim_desktop.stores.base import StoreAdapter
from unopim_desktop.stores.kind import StoreKind
from unopim_desktop.stores.registry import store_kind
from unopim_desktop.sync.changes import image_hash
from unopim_desktop.sync.run import RunContext
from unopim_desktop.sync.transform.to_store import PullMapping

# Link kind of the store's own image ids per product and variant: the pull records them after writing
# images, so the push knows those pictures came from UnoPim and never uploads them back.
IMAGES_KIND = "images"
# Link kind of a translation the store keeps as its own object (a WPML post or term), code
# `<kind>:<code>@<store language>`, its parent code the product, variant or category it translates.
TRANSLATION_KIND = "translation"


def translation_code(kind: str, code: str, lang: str) -> str:
    return f"{kind}:{code}@{lang}"


class StepFailed(Exception):
    """A step cannot go on (e.g. the channel vanished from UnoPim); the run stops with this reason."""


# Errors that stop the whole run: every further call would fail the same way.
FATAL = (AuthError, Forbidden, Unreachable)

# A named step of a pipeline, and the steps that run side by side (most groups hold one step).
Step = tuple[str, Callable[[], Awaitable[None]]]
StepGroup = Sequence[Step]


class JobPart:
    """A group of one job's steps (catalogue, products, images, deletes…). It holds the job by
    composition: the run's parties, links and options are the job's."""

    def __init__(self, job: Any) -> None:
        self.job = job
        self.run: RunContext = job.run
        self.client: UnoPimClient = job.client
        self.adapter: StoreAdapter = job.adapter


class SyncJob:
    def __init__(self, run: RunContext, client: UnoPimClient, adapter: StoreAdapter, *, store_label: str,
                 channel: ChannelRow, options: Any, debounce_s: int, store_currency: str = "",
                 store_settings: dict[str, str] | None = None) -> None:
        self.run = run
        self.client = client
        self.adapter = adapter
        self.label = store_label
        self.channel = channel
        self.options = options
        # The cooldown holds back echoes of the other side's writes; a run for a few products the merchant
        # chose (a conflict settled) is no echo, and the field bases keep it from undoing anything.
        self.debounce_s = 0 if getattr(options, "only", None) else debounce_s
        self.store_currency = store_currency
        self.store_settings = dict(store_settings or {})  # the merchant's per-store i18n choices
        # Which locales and currencies reach the store and how (#18): one locale and one currency until
        # `learn_reach` asked the store.
        self.caps = StoreLanguages()
        self.reach: ChannelReach = channel_reach(channel, self.caps, store_currency)
        self.links = LinkTable()
        self.started_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        # What this UnoPim's API can do (read by the first steps of each run; 3.x until then).
        self.features = ServerFeatures(generation=3)

    # What a finished run holds in quantity: every link, the run's state, the mapping and the step parts.
    HELD = ("state", "mapping", "products", "catalog", "parents", "images")

    def release(self) -> None:
        """After the run, whatever ended it. Its parts point back at the job, so without this its links and
        state wait for a full garbage collection, and the next run (a delta after a Pull Full) loads its own
        beside them: the peak memory of the two runs was the sum of both tables."""
        self.links = LinkTable()
        for name in self.HELD:
            if name in vars(self):
                setattr(self, name, None)

    @property
    def store_kind(self) -> StoreKind:
        """What the channel's store kind holds (its core rows, whether products have attributes)."""
        return store_kind(self.adapter.kind)

    @property
    def configurable_path(self) -> str:
        return self.features.configurable_path

    @property
    def lane(self) -> DbLane:
        return self.run.lane

    @property
    def address(self) -> str:
        return self.run.address

    def link(self, kind: str, code: str) -> LinkRow | None:
        return self.links.get((kind, code))

    async def run_steps(self, groups: Sequence[StepGroup]) -> None:
        """The step table, in order: progress and cancellation around each group, logs flushed after."""
        for group in groups:
            if not group:
                continue
            self.run.cancel.check()
            for name, _ in group:
                self.run.step_started(name)
            if len(group) == 1:
                await group[0][1]()
            else:
                await run_together([step() for _, step in group])
            for name, _ in group:
                self.run.step_finished(name)
            await self.run.flush_logs()

    async def record(self, writes: list[LinkWrite], deletes: list[tuple[str, str]], *, job: str,
                     step: str | None = None, cursor: Any = None, skip_kinds: frozenset[str] = frozenset()) -> None:
        """Links (and the checkpoint) in one transaction, then the same in memory."""
        await self.lane.run(sync_repo.commit_batch, self.address, self.label, writes, channel=self.channel.code,
                            job=job, step=step, cursor=cursor, run_id=self.run.run_id, deletes=deletes)
        self.links.apply(writes, deletes, now=dt.datetime.now(dt.UTC).replace(tzinfo=None), skip_kinds=skip_kinds)

    # -- the mapping view ------------------------------------------------------------------------------
    def currency(self) -> str:
        """The UnoPim currency whose amounts the store shows (see `mapping.i18n.base_currency`)."""
        return base_currency(self.channel, self.store_currency)

    async def learn_reach(self) -> None:
        """Ask the store what it can hold beyond one language and one currency, and say in the Logs which of
        the channel's locales and currencies reach it and how (each one left out with its reason)."""
        ch = self.channel
        default = ch.default_locale or (ch.locales or ["en_US"])[0]
        base = self.currency()
        languages = tuple(dict.fromkeys(v.strip() for k, v in ch.locale_map.items()
                                        if v and v.strip() and k != default and k in ch.locales))
        currencies = tuple(dict.fromkeys(v.strip().upper() for k, v in ch.currency_map.items()
                                         if v and v.strip() and k != base and k in ch.currencies
                                         and v.strip().upper() != self.store_currency))
        if languages or currencies:  # nothing further mapped: no request, the run is as it always was
            self.caps = await self.adapter.i18n_capabilities(self.store_settings, languages=languages,
                                                             currencies=currencies, channel=ch.code)
            await self.lane.run(stores_repo.remember_capabilities, self.address, self.label, caps_dict(self.caps))
        self.reach = channel_reach(self.channel, self.caps, self.store_currency)
        many = len(self.channel.locales) > 1 or len(self.channel.currencies) > 1
        if not many and not self.reach.notes:
            return
        self.run.log(f"Channel {self.channel.code} in “{self.label}”: " + "; ".join(
            line for line in self.reach.lines() if " not sent: " not in line) + ".", entity_kind="channel",
            entity=self.channel.code)
        for code, why in self.reach.left_out.items():
            kind = "currency" if code in self.channel.currencies else "language"
            self.run.log(f"{code} is not sent to “{self.label}”: {why}.", entity_kind=kind, entity=code,
                         level="warning" if code in self.reach.warnings else "info")

    async def mapping_view(self, attributes: dict[str, AttributeDef]) -> PullMapping:
        """The channel's mapping over these attributes: its default locale first in the fallback chain,
        then its other locales, then en_US."""
        # Only the rows the store holds: a row of another kind's (WooCommerce's short description on a BigCommerce
        # channel) is neither written into this store nor compared and pushed back from it.
        kind = self.store_kind
        core = {k: v for k, v in (await self.lane.run(mapping_repo.core_mapping, self.address)).items()
                if kind.holds(k)}
        locale = self.channel.default_locale or (self.channel.locales or ["en_US"])[0]
        rows = await self.lane.run(mapping_repo.attribute_mapping, self.address, self.channel.code, locale)
        chain = [locale, *[loc for loc in self.channel.locales if loc != locale]]
        if "en_US" not in chain:
            chain.append("en_US")
        attrs = dict(attributes)
        attrs.setdefault("status", STATUS_PSEUDO_ATTRIBUTE)
        languages = {lang: [loc, *[c for c in chain if c != loc]] for lang, loc in self.reach.languages.items()}
        return PullMapping(channel=self.channel.code, locales=chain, currency=self.currency(), core=core, rows=rows,
                           attributes=attrs, media_url=f"{self.address}/storage/",
                           product_attributes=kind.product_attributes, languages=languages,
                           currencies=self.reach.store_currencies)


def attribute_defs(raw: list[dict[str, Any]], families: list[dict[str, Any]] | None = None
                   ) -> dict[str, AttributeDef]:
    """UnoPim's `/attributes` listing as the mapping sees it; with the `/families` listing, each attribute
    also knows the families that hold it."""
    members: dict[str, list[str]] = {}
    for fam in families or []:
        for group in fam.get("attribute_groups") or []:
            for a in group.get("custom_attributes") or []:
                members.setdefault(a["code"], []).append(fam["code"])
    return {
        a["code"]: AttributeDef(
            code=a["code"], type=a.get("type") or "text",
            value_per_locale=bool(int(a.get("value_per_locale") or 0)),
            value_per_channel=bool(int(a.get("value_per_channel") or 0)),
            validation=a.get("validation") or "", labels=a.get("labels") or {},
            families=tuple(members.get(a["code"], ())),
        )
        for a in raw
    }


def store_ids_hash(images: list[StoreImage]) -> str:
    return image_hash([str(i.store_id or i.src) for i in sorted(images, key=lambda i: i.position)])


def record_store_images(kind: str, sku: str, store_id: int, image_ids: Sequence[int | str]) -> LinkWrite:
    """What the pull calls after writing images, so the next push knows these pictures came from UnoPim.
    `image_ids`: the store's image ids, or its URLs for images it keeps without one (`store_ids_hash`)."""
    return LinkWrite(IMAGES_KIND, f"{kind}:{sku}", store_id,
                     store_hash=image_hash([str(i) for i in image_ids]))


def api_error_text(exc: ApiError) -> str:
    detail = ""
    if isinstance(getattr(exc, "errors", None), dict):
        detail = "; ".join(f"{k}: {', '.join(map(str, v)) if isinstance(v, list) else v}"
                           for k, v in list(exc.errors.items())[:4])
    return f"HTTP {exc.status}: {exc.message}" + (f" ({detail})" if detail else "")


def server_text(exc: ApiError) -> str:
    """What the server itself answered (its JSON or text, as sent, cut to a few KB): the Logs' detail pane."""
    body = getattr(exc, "body", None)
    if body in (None, "", b""):
        return exc.message
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False, default=str)
    return text[:4000]


async def run_together(coroutines: list[Any]) -> None:
    """Run side by side; when one fails (or the run is cancelled), stop the others before raising."""
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


def delete_guard(gone: int, linked: int, listed: int, max_delete: int, *, side: str) -> str:
    """Why deleting `gone` of `linked` products needs the merchant's confirmation ("" when it does not).

    `listed` is how many products the other side listed in full this run: a side that suddenly lists
    nothing (a wrong address, an emptied channel, a permission lost) must never empty the other one."""
    if not gone:
        return ""
    if listed == 0:
        return f"{side} listed 0 of {linked} linked products; nothing was deleted."
    limit = max(1, linked * max_delete // 100) if max_delete else 0
    if gone > limit:
        return (f"{side} no longer lists {gone} of {linked} linked products, more than Max delete allows "
                f"({max_delete} %: {limit}); nothing was deleted.")
    return ""


def links_of_product(links: LinkTable, code: str) -> list[tuple[str, str]]:
    """The links that go with a product: itself, its associations and images, its variants and theirs, and
    the translations of both. A deleted product takes them all along, so a product that returns is
    re-created with every variation."""
    out = [("product", code), ("association", code), (IMAGES_KIND, f"product:{code}")]
    owners = {f"product:{code}@"}
    for (kind, vcode), link in links.items():
        if kind == "variant" and link.parent_code == code:
            out += [("variant", vcode), (IMAGES_KIND, f"variant:{vcode}")]
            owners.add(f"variant:{vcode}@")
    out += [(TRANSLATION_KIND, tcode) for (kind, tcode), _link in links.items()
            if kind == TRANSLATION_KIND and tcode[:tcode.rfind("@") + 1] in owners]
    return out


def translation_store_ids(links: LinkTable, kind: str, code: str) -> dict[str, int]:
    """Store language -> the store's own id of each translation of one product, variant or category."""
    prefix = f"{kind}:{code}@"
    return {tcode[len(prefix):]: link.store_id for (k, tcode), link in links.items()
            if k == TRANSLATION_KIND and tcode.startswith(prefix)}
