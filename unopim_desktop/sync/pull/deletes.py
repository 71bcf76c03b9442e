"""Pull: products gone from UnoPim, per the On delete policy (trash, delete, skip), after a complete
full listing and within Max delete unless the merchant confirmed; a deleted product takes its variant,
image and association links along."""

from __future__ import annotations

from typing import TYPE_CHECKING

from unopim_desktop.sync.job import delete_guard, links_of_product, translation_store_ids

if TYPE_CHECKING:
    from unopim_desktop.sync.pull.job import PullJob


async def apply_deletes(job: PullJob) -> None:
    """Products gone from UnoPim, per the On delete policy. Only after a complete full listing, and
    within Max delete unless the merchant confirmed (`allow_deletes`); a deleted product takes its
    variant, image and association links along."""
    options, run = job.options, job.run
    if not options.full or not job.state.complete_listing:
        return
    linked = [code for (kind, code) in job.links if kind == "product"]
    gone = [(code, job.links[("product", code)]) for code in linked if code not in job.state.seen_products]
    if not gone:
        return
    policy = options.on_delete
    if policy == "skip":
        for code, _ in gone:
            run.wrote("product", code, "skipped", f"Product {code} was deleted in UnoPim; ignored (On delete: Skip).")
        return
    held = delete_guard(len(gone), len(linked), len(job.state.seen_products), options.max_delete,
                        side="UnoPim")
    if held and not options.allow_deletes:
        run.hold(("Dry run: " if options.dry_run else "") + held, [code for code, _ in gone])
        for code, _ in gone:
            run.wrote("product", code, "skipped", f"Product {code} is no longer listed by UnoPim; kept in the store "
                      "until the deletes are confirmed.")
        return
    outcome = "deleted" if policy == "delete" else "trashed"
    verb = "delete" if policy == "delete" else "trash"
    if options.dry_run:
        for code, link in gone:
            run.log(f"dry-run: would {verb} product {code} (deleted in UnoPim; On delete: {policy.capitalize()})",
                    entity_kind="product", entity=code, action=f"would {verb}")
            run.record_change("product", code, verb, None, str(link.store_id))
            run.count("product", outcome)
        return
    # A WPML translation is a product of its own: it goes with its original.
    copies = [tid for code, _ in gone for tid in translation_store_ids(job.links, "product", code).values()]
    result = await job.adapter.delete_products([link.store_id for _, link in gone] + copies,
                                               force=policy == "delete")
    answers = {r.store_id: r for r in result.deleted}
    deletes: list[tuple[str, str]] = []
    for code, link in gone:
        r = answers.get(link.store_id)
        if r is not None and r.ok:
            deletes += links_of_product(job.links, code)
            run.record_change("product", code, verb, None, str(link.store_id))
            run.wrote("product", code, outcome, f"Product {code} was deleted in UnoPim: {r.note or policy}")
        else:
            run.failed_item("product", code, f"Product {code} could not be removed from the store: "
                            f"{r.error if r else 'no answer'}", status=r.status if r else None,
                            server_text=r.error if r else "")
    await job.commit([], deletes=deletes)
