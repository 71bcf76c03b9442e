"""Push images (store → UnoPim media): in the background of a push, after the products are written.

The store's image ids are remembered per product (link kind "images", `store_hash`); when they change —
a merchant added or replaced a picture, or the product was created in the store — the files are
downloaded from the store and uploaded to UnoPim's media endpoint (`POST /media-files/product`) into the
mapped Featured Image and Gallery attributes. One failed image never fails its product: it is logged and,
its ids not being recorded, retried on the next push. The pull's image hash is set to UnoPim's new paths,
so the next pull does not send the same pictures back to the store.

Uploads start as soon as their product is written in UnoPim (a queue served by `in_flight` workers),
so they overlap the rest of the product writes instead of waiting for them; the images step only
drains the queue and records what was uploaded.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from unopim_desktop.clients.errors import ApiError
from unopim_desktop.clients.http import download, make_async_client
from unopim_desktop.domain import StoreImage
from unopim_desktop.state.sync_repo import LinkWrite
from unopim_desktop.stores.http_common import tls_verify
from unopim_desktop.stores.registry import store_kind
from unopim_desktop.sync.changes import image_hash
from unopim_desktop.sync.job import IMAGES_KIND, server_text, store_ids_hash
from unopim_desktop.sync.transform.to_store import media_src
from unopim_desktop.sync.transform.values import merge_values

if TYPE_CHECKING:
    from unopim_desktop.sync.push.job import PushJob



@dataclass
class ImageTask:
    kind: str  # product | variant
    sku: str
    store_id: int
    images: list[StoreImage]  # first = featured
    ids_hash: str


# Uploads recorded per transaction while the step runs.
COMMIT_EVERY = 20


class ImagePush:
    def __init__(self, job: PushJob) -> None:
        self.job = job
        self.run = job.run
        self.tasks: list[ImageTask] = []
        self.writes_path: bool | None = None  # does this UnoPim write an uploaded path itself (2.1+)?
        self._probe = asyncio.Lock()  # the first upload finds out `writes_path`; the others wait for it
        self._queue: asyncio.Queue[ImageTask | None] | None = None
        self._workers: list[asyncio.Task[None]] = []
        self._http: httpx.AsyncClient | None = None
        self._writes: list[LinkWrite] = []

    def _targets(self) -> tuple[str, str] | None:
        """The Featured Image and Gallery attribute codes (None: Featured Image is not mapped)."""
        core = self.job.m.view.core
        featured = self.job.m.view.attributes.get(core.get("image", ""))
        gallery = self.job.m.view.attributes.get(core.get("gallery", ""))
        return (featured.code, gallery.code if gallery else "") if featured is not None else None

    def start(self) -> None:
        """Upload in the background from now on (never in a dry run, nor with no Featured Image mapped)."""
        if self._queue is not None or self.job.options.dry_run or self._targets() is None:
            return
        self._queue = asyncio.Queue()
        # The store's pictures, over the store's own TLS setting (verified unless the store names a CA file),
        # each download retried and within a total deadline like every other request of the run.
        self._http = make_async_client(max_connections=self.job.options.in_flight,
                                       verify=tls_verify(self.job.adapter.connection.verify_tls))
        self._workers = [asyncio.create_task(self._worker()) for _ in range(self.job.options.in_flight)]
        for task in self.tasks:
            self._queue.put_nowait(task)

    def consider(self, kind: str, sku: str, store_id: int | None, images: list[StoreImage]) -> None:
        """Queue the pictures of a product or variant that UnoPim holds now, if they changed in the store."""
        if not images or store_id is None or not sku or not self.job.options.images:
            return
        h = store_ids_hash(images)
        link = self.job.link(IMAGES_KIND, f"{kind}:{sku}")
        if link and link.store_hash == h:
            return
        task = ImageTask(kind, sku, store_id, images, h)
        self.tasks.append(task)
        self.run.grow("images")
        if self._queue is not None:
            self._queue.put_nowait(task)

    async def _worker(self) -> None:
        assert self._queue is not None and self._http is not None
        targets = self._targets()
        assert targets is not None
        while (task := await self._queue.get()) is not None:
            # Not `self._writes += await …`: that reads the list before the await, and a worker that committed
            # and replaced it meanwhile would have this upload's records land in the list already committed.
            done = await self._upload(self._http, task, *targets)
            self._writes.extend(done)
            if len(self._writes) >= COMMIT_EVERY:
                # Recorded as they go: a run stopped half way (a kill, a crash) uploads again only what it
                # had not recorded yet, not every picture of the step.
                writes, self._writes = self._writes, []
                await self.job.commit(writes)

    async def aclose(self) -> None:
        """Stop the background uploads (a failed or cancelled run): what was not uploaded is retried next time."""
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers = []
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def step_images(self) -> None:
        self.run.step_total("images", len(self.tasks))
        if not self.tasks:
            await self.aclose()
            return
        if self._targets() is None:
            self.run.log("Images not pushed: map Featured Image (and Gallery) on the Core Fields tab.",
                         entity_kind="image")
            return
        if self.job.options.dry_run:
            for t in self.tasks:
                self.run.log(f"dry-run: would upload {len(t.images)} image(s) of {t.sku} to UnoPim",
                             entity_kind="image", entity=t.sku, action="would upload")
                self.run.count("image", "updated")
            self.run.advance("images", len(self.tasks))
            return
        self.start()
        assert self._queue is not None
        for _ in self._workers:
            self._queue.put_nowait(None)  # one stop mark per worker, behind every queued upload
        try:
            await asyncio.gather(*self._workers)
        finally:
            self._workers = []
            await self.aclose()
        writes, self._writes = self._writes, []
        await self.job.commit(writes)

    async def _upload(self, http: httpx.AsyncClient, task: ImageTask, featured: str, gallery: str) -> list[LinkWrite]:
        client = self.job.client
        ordered = sorted(task.images, key=lambda i: i.position)
        targets = [(featured, ordered[:1])]
        if gallery and len(ordered) > 1:
            targets.append((gallery, ordered[1:]))
        wanted: dict[str, str | None] = {featured: None}
        if gallery:
            wanted[gallery] = None  # the store shows no gallery: UnoPim should hold none either
        try:
            for attribute, images in targets:
                files = []
                for img in images:
                    response = await download(http, img.src, server=self._server(img.src))
                    name = img.src.rsplit("/", 1)[-1].split("?")[0] or f"{task.sku}.png"
                    files.append((name, response.content, response.headers.get("content-type", "image/png")))
                # The job's channel and locale: UnoPim writes the upload into their bucket of a scoped
                # attribute (its default channel's when none is sent, unopim-api §13.5).
                data = await client.upload_product_media_files(task.sku, attribute, files, channel=self.job.channel.code,
                                                                locale=self.job.m.locale)
                wanted[attribute] = ",".join(p for p in str(data.get("filePath") or "").split(",") if p) or None
            await self._write_paths(task.sku, wanted)
        except (ApiError, httpx.HTTPError) as exc:
            self.run.count("image", "failed")
            self.run.advance("images")
            self.run.log(f"Images of {task.kind} {task.sku} not uploaded to UnoPim ({exc}); they will be retried "
                         "on the next push.", level="warning", entity_kind="image", entity=task.sku, action="failed",
                         http_status=getattr(exc, "status", None) or None,
                         server_text=server_text(exc) if isinstance(exc, ApiError) else str(exc))
            return []
        self.run.wrote("image", task.sku, "updated", f"{len(task.images)} image(s) of {task.kind} {task.sku} "
                       "uploaded to UnoPim.")
        self.run.advance("images")
        media = self.job.m.view.media_url
        paths = [p for value in (wanted.get(featured), wanted.get(gallery) if gallery else None) if value
                 for p in value.split(",")]
        return [
            LinkWrite(IMAGES_KIND, f"{task.kind}:{task.sku}", task.store_id, store_hash=task.ids_hash),
            # The next pull computes this hash from UnoPim's values: equal means nothing to send back.
            LinkWrite(task.kind, task.sku, task.store_id, image_hash=image_hash([media_src(p, media) for p in paths])),
        ]

    def _server(self, url: str) -> str:
        """Who a picture comes from, as a time-out's message names it."""
        host = httpx.URL(url).host or url
        return f"The {store_kind(self.job.adapter.kind).display_name} store “{self.job.label}” (pictures at {host})"

    async def _write_paths(self, sku: str, wanted: dict[str, str | None]) -> None:
        """UnoPim 2.1+ writes an uploaded path into the product itself, 1.x does not (§7.11); a gallery the
        store no longer shows is cleared. One PATCH with only what the product does not hold yet.

        The first upload of a run tells which kind of UnoPim this is; after that, on 2.1+, only a gallery
        to clear still needs a look at the product."""
        if self.writes_path and all(v is not None for v in wanted.values()):
            return
        if self.writes_path is None:
            async with self._probe:  # one look decides it for every later upload of the run
                if self.writes_path is None:
                    await self._patch_paths(sku, wanted)
                    return
            if self.writes_path and all(v is not None for v in wanted.values()):
                return
        await self._patch_paths(sku, wanted)

    async def _patch_paths(self, sku: str, wanted: dict[str, str | None]) -> None:
        client = self.job.client
        current = await client.get_product(sku)
        configurable = False
        if current is None:
            current = await client.get_product(sku, configurable_path=self.job.configurable_path)
            configurable = current is not None
        if current is None:
            return
        fragments = []
        for code, value in wanted.items():
            attr = self.job.m.view.attributes.get(code)
            if attr is None or (self.job.m.view.read(current, attr) or None) == value:
                continue
            fragments.append(self.job.m.wrap(attr, value))
        if self.writes_path is None and any(v is not None for v in wanted.values()):
            self.writes_path = not any(
                self.job.m.view.attributes.get(c) is not None and v is not None
                and (self.job.m.view.read(current, self.job.m.view.attributes[c]) or None) != v
                for c, v in wanted.items())
        if not fragments:
            return
        await client.update_product(sku, {"values": merge_values(*fragments)}, partial=True,
                                    configurable_path=self.job.configurable_path if configurable else None)
