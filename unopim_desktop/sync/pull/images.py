"""Pull step 14: images, transferred to the store in the background.

Products are written without their pictures (a slow image never holds up a product); their images are
queued here and a worker sets them in groups. An image that fails keeps its link's old image hash, so
the next run tries it again. Variation images travel with their variations and are not queued here.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from typing import TYPE_CHECKING, Any

import httpx

from unopim_desktop.clients.errors import ApiError
from unopim_desktop.clients.http import download, make_async_client
from unopim_desktop.domain import BatchResult, ItemResult, StoreImage
from unopim_desktop.state.sync_repo import LinkWrite
from unopim_desktop.sync.changes import image_hash
from unopim_desktop.sync.job import record_store_images

if TYPE_CHECKING:
    from unopim_desktop.sync.pull.job import PullJob

IMAGE_GROUP = 50
# Products are written faster than the store fetches their pictures: an unbounded queue grew to tens of
# thousands of entries on a large catalogue. A full queue makes the product writers wait instead.
IMAGE_QUEUE_MAX = IMAGE_GROUP * 8


class ImageTransfer:
    def __init__(self, job: PullJob) -> None:
        self.job = job
        self.run = job.run
        self.pending: asyncio.Queue[tuple[str, Any]] = asyncio.Queue(IMAGE_QUEUE_MAX)
        self.worker: asyncio.Task[None] | None = None
        self.mode_logged = False
        self.total = 0
        self.stopping = False

    def start(self) -> None:
        self.worker = asyncio.ensure_future(self._loop())

    async def join(self) -> None:
        """Until every queued image is transferred (or has failed)."""
        await self.pending.join()

    async def queue(self, kind: str, sku: str, store_id: int, images: list[StoreImage], *,
                    parent_id: int | None = None) -> None:
        """Queue a product's images unless the store already has this list (waits while the queue is full)."""
        if not self.job.options.images:
            return  # image sync is off (General settings)
        srcs = [i.src for i in images]
        link = self.job.link(kind, sku)
        if link and link.image_hash == image_hash(srcs):
            return
        if not images and (link is None or not link.image_hash):
            return
        if self.stopping:
            return  # the run is stopping: the image waits for the next run (its hash is old)
        first = link is None or not link.image_hash  # the store never had this item's images: created
        self.run.grow("images")
        await self.pending.put((kind, (sku, store_id, images, parent_id, image_hash(srcs), first)))

    async def finish(self) -> None:
        """The products are written: transfer what is queued, then stop the worker."""
        await self.pending.put(("stop", None))
        if self.worker is not None:
            await self.worker

    async def stop(self) -> None:
        """After a cancel or a failure: the group being written finishes and is recorded (or the store
        would hold images the links don't know, and the next run would add them twice); images still
        queued wait for the next run (their hashes are old)."""
        worker = self.worker
        if worker is None or worker.done():
            return
        self.stopping = True
        with contextlib.suppress(asyncio.QueueFull):  # a full queue wakes the worker anyway
            self.pending.put_nowait(("stop", None))
        try:
            await asyncio.wait_for(asyncio.shield(worker), timeout=60)
        except TimeoutError:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker

    async def _loop(self) -> None:
        stop = False
        while not stop:
            group = [await self.pending.get()]
            while not self.pending.empty() and len(group) < IMAGE_GROUP * 4:
                group.append(self.pending.get_nowait())
            stop = self.stopping or any(kind == "stop" for kind, _ in group)
            work = [item for kind, item in group if kind == "product"]
            variants = [item for kind, item in group if kind == "variant"]
            self.total += len(work) + len(variants)
            try:
                await self._write(work, variants)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the worker must outlive one bad group, or the queue never drains
                self.run.count("image", "failed", len(work) + len(variants))
                self.run.advance("images", len(work) + len(variants))
                self.run.log(f"Images could not be transferred ({type(exc).__name__}: {exc}); they will be "
                             "retried on the next run.", level="warning", entity_kind="image", action="failed",
                             http_status=getattr(exc, "status", None) or None)
            finally:
                for _ in group:
                    self.pending.task_done()

    async def _write(self, products: list[Any], variants: list[Any]) -> None:
        if not products and not variants:
            return
        if self.job.options.dry_run:
            for sku, _sid, images, _p, _h, first in (*products, *variants):
                self.run.log(f"dry-run: would set {len(images)} image(s) on {sku}", entity_kind="image", entity=sku,
                             action="would set")
                self.run.count("image", "created" if first else "updated")
            self.run.advance("images", len(products) + len(variants))
            return
        self._log_image_mode()
        calls = []
        if products:
            made = self.job.products.fresh if self.job.products is not None else set()
            calls.append(self.job.adapter.set_product_images([(sku, sid, imgs) for sku, sid, imgs, *_ in products],
                                                             bare={sku for sku, *_ in products if sku in made}))
        by_parent: dict[int, list[Any]] = defaultdict(list)
        for v in variants:
            by_parent[v[3]].append(v)
        for pid, group in by_parent.items():
            calls.append(self.job.adapter.set_variant_images(
                pid, [(sku, sid, imgs[0] if imgs else StoreImage()) for sku, sid, imgs, *_ in group]))
        results = await asyncio.gather(*calls, return_exceptions=True)
        answers: dict[str, ItemResult] = {}
        for res in results:
            if isinstance(res, BaseException):
                if not isinstance(res, ApiError):
                    raise res
                continue  # every item of that call stays pending and is retried next run
            answers.update(answers_by_key(res))
        writes = []
        for kind, group in (("product", products), ("variant", variants)):
            for sku, sid, images, pid, h, first in group:
                outcome = "created" if first else "updated"
                r = answers.get(sku)
                if r is not None and r.ok and not r.image_error:
                    writes.append(LinkWrite(kind, sku, sid, image_hash=h))
                    if r.image_ids or r.image_urls:  # so the next push knows these pictures came from UnoPim
                        writes.append(record_store_images(kind, sku, sid, r.image_ids or r.image_urls))
                    self.run.wrote("image", sku, outcome, f"{len(images)} image(s) of {kind} {sku} {outcome}.")
                    continue
                fixed = await self._upload_instead(kind, sku, sid, images, pid, r)
                if fixed:
                    writes.append(LinkWrite(kind, sku, sid, image_hash=h))
                    self.run.count("image", outcome)
                    continue
                self.run.count("image", "failed")
                reason = (r.image_error or r.error) if r else "the store gave no answer"
                self.run.log(f"Images of {kind} {sku} not transferred ({reason}); they will be retried on the next "
                             "run.", level="warning", entity_kind="image", entity=sku, action="failed",
                             http_status=r.status if r and r.status != 200 else None,
                             server_text=reason if r else "")
        await self.job.commit(writes)
        self.run.advance("images", len(products) + len(variants))

    def _log_image_mode(self) -> None:
        if self.mode_logged:
            return
        self.mode_logged = True
        self.run.log("Images: the store downloads them from UnoPim's media URLs "
                     f"({self.job.address}/storage/…); where it cannot, they are uploaded through the "
                     "WordPress media endpoint when an application password is set.", entity_kind="image")

    async def _upload_instead(self, kind: str, sku: str, sid: int, images: list[StoreImage], pid: int | None,
                              answer: ItemResult | None) -> bool:
        """The store could not fetch the URLs: fetch them here and upload them (WordPress media)."""
        adapter = self.job.adapter
        upload = getattr(adapter, "upload_media", None)
        if upload is None or not getattr(adapter.connection, "wp_app_password", "") or not images:
            return False
        try:
            uploaded = []
            # UnoPim's pictures: retried like any read, within a total deadline (a trickling server cannot
            # hold the run), TLS verified.
            async with make_async_client() as http:
                for img in images:
                    response = await download(http, img.src, server=f"UnoPim at {self.job.address}")
                    name = img.src.rsplit("/", 1)[-1] or "image.png"
                    media = await upload(name, response.content, response.headers.get("content-type", "image/png"))
                    uploaded.append(StoreImage(store_id=media.store_id, src=media.src, position=img.position))
            if kind == "product":
                result = await adapter.set_product_images([(sku, sid, uploaded)])
            else:
                result = await adapter.set_variant_images(pid or 0, [(sku, sid, uploaded[0])])
        except (ApiError, httpx.HTTPError) as exc:
            self.run.log(f"Upload of the images of {sku} through WordPress media failed too: {exc}",
                         level="warning", entity_kind="image", entity=sku)
            return False
        ok = all(r.ok and not r.image_error for r in (*result.updated, *result.created))
        if ok:
            self.run.log(f"Images of {sku}: the store could not fetch UnoPim's URL, so they were uploaded through "
                         "WordPress media.", entity_kind="image", entity=sku)
        return ok



def answers_by_key(result: BatchResult) -> dict[str, ItemResult]:
    return {r.key: r for r in (*result.created, *result.updated, *result.deleted)}
