"""Push step: deletes (store → UnoPim). `ProductPush` lists the store's products and notes what it saw;
what it did not see was deleted in the store (or is in its trash)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from unopim_desktop.clients.errors import ApiError, NotFound, RouteNotFound
from unopim_desktop.sync.job import JobPart, delete_guard, links_of_product

if TYPE_CHECKING:
    from unopim_desktop.sync.push.job import PushJob
    from unopim_desktop.sync.push.products import ProductPush


class DeletePush(JobPart):
    job: PushJob

    def __init__(self, job: PushJob, products: ProductPush) -> None:
        super().__init__(job)
        self.products = products  # what the listing saw

    async def step_deletes(self) -> None:
        """Products gone from a complete store listing (Push All, reconciliation): trashed (intent only)
        or deleted permanently (deleted in UnoPim when Write-back deletes is on); variations gone from
        their listed parent (they have no trash)."""
        job = self.job
        if not self.products.complete_listing or not job.reconciling:
            return
        await self._deleted_variants()
        linked = [code for (kind, code) in job.links if kind == "product"]
        gone = [(code, job.links[("product", code)]) for code in linked
                if job.links[("product", code)].store_id not in self.products.seen_ids]
        deleted_in_store: list[str] = []
        for code, link in gone:
            self.run.cancel.check()
            found = await job.adapter.get_product(link.store_id)
            if found is not None and found.status != "trash":
                continue  # not listed for another reason (e.g. a status the listing leaves out)
            if found is not None:
                self.run.log(f"Product {code} is in the store's trash: the intent is recorded, nothing is deleted "
                             "in UnoPim until it is deleted permanently.", entity_kind="product", entity=code,
                             action="skipped")
                self.run.count("product", "skipped")
                continue
            deleted_in_store.append(code)
        held = ""
        if job.options.writeback_delete and not job.options.allow_deletes:
            held = delete_guard(len(deleted_in_store), len(linked), len(self.products.seen_ids),
                                job.options.max_delete, side="The store")
        if held:
            self.run.hold(("Dry run: " if job.options.dry_run else "") + held, deleted_in_store)
            for code in deleted_in_store:
                self.run.log(f"Product {code} is gone from the store; UnoPim keeps it until the deletes are "
                             "confirmed.", entity_kind="product", entity=code, action="skipped")
                self.run.count("product", "skipped")
            self.run.advance("deletes", len(gone))
            return
        deletes: list[tuple[str, str]] = []
        for code in deleted_in_store:
            if not self._may_delete("product", code, "deleted permanently in the store"):
                continue
            if await self._delete(code):
                deletes += links_of_product(job.links, code)
        await job.commit([], deletes=deletes)
        self.run.advance("deletes", len(gone))

    def _may_delete(self, kind: str, code: str, why: str) -> bool:
        """Whether to delete in UnoPim what the store deleted (else the skip or the dry-run row is logged)."""
        job = self.job
        if not job.options.writeback_delete:
            job.skipped(kind, code, "deleted in the store; UnoPim keeps it (Write-back deletes is off on the "
                        "Settings tab)")
            return False
        if job.options.dry_run:
            self.run.record_change(kind, code, "delete")
            self.run.log(f"dry-run: would delete {kind} {code} in UnoPim ({why})", entity_kind=kind, entity=code)
            self.run.count(kind, "deleted")
            return False
        return True

    async def _deleted_variants(self) -> None:
        job = self.job
        gone = [code for (kind, code), link in job.links.items()
                if kind == "variant" and link.parent_code in self.products.listed_parents and link.store_id not in self.products.variant_ids]
        deletes: list[tuple[str, str]] = []
        for code in gone:
            self.run.cancel.check()
            if not self._may_delete("variant", code, "deleted in the store"):
                continue
            try:
                await self.client.delete_product(code)
            except RouteNotFound as exc:
                job.item_failed("variant", code, exc, " (delete)")
                continue
            except NotFound:
                pass  # already gone: only the link is left to drop
            except ApiError as exc:
                job.item_failed("variant", code, exc, " (delete)")
                continue
            self.run.count("variant", "deleted")
            self.run.log(f"Variant {code} deleted in UnoPim: it was deleted in the store.", entity_kind="variant",
                         entity=code, action="deleted")
            deletes.append(("variant", code))
        await job.commit([], deletes=deletes)

    async def _delete(self, sku: str) -> bool:
        """`DELETE /products/{sku}` finds every product type, a configurable one included (its variants go
        with it), in 1.x and 3.x alike: its 404 means gone. The configurable route is never needed (and 1.x
        has none: the router's 405 comes back as a 500)."""
        try:
            await self.client.delete_product(sku)
        except RouteNotFound as exc:
            self.job.item_failed("product", sku, exc, " (delete)")
            return False
        except NotFound:
            self.run.log(f"Product {sku} was already gone from UnoPim.", entity_kind="product", entity=sku,
                         action="deleted")
            return True
        except ApiError as exc:
            self.job.item_failed("product", sku, exc, " (delete)")
            return False
        self.run.count("product", "deleted")
        self.run.record_change("product", sku, "delete")
        self.run.log(f"Product {sku} deleted in UnoPim: it was deleted permanently in the store.",
                     entity_kind="product", entity=sku, action="deleted")
        return True
