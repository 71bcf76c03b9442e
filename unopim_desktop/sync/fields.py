"""What the pull's and the push's field merges share: the rule and the fields' directions (from the
mapping), each link's base, the conflicts found, and the one-time base for links from before schema 5."""

from __future__ import annotations

from typing import Any

from unopim_desktop.state import conflicts_repo, mapping_repo, sync_repo
from unopim_desktop.sync.job import JobPart
from unopim_desktop.sync.merge import FieldConflict, Merge, fields_of, owner_of, three_way


class FieldBases(JobPart):
    """One run's merges (`side` is the pull or the push): call `prepare` before the first, `finish` after."""

    side = ""

    def __init__(self, job: Any) -> None:
        super().__init__(job)
        self.rule = getattr(job.options, "on_conflict", "unopim")
        self.direction = owner_of({}, {})
        self.missing = 0  # links with no base yet (from before schema 5)
        self.established = 0  # bases this run took from the current state, writing nothing for them
        self._conflicts: list[dict[str, Any]] = []

    async def prepare(self) -> None:
        job = self.job
        core = await job.lane.run(mapping_repo.core_directions, job.address)
        locale = job.channel.default_locale or (job.channel.locales or ["en_US"])[0]
        rows = await job.lane.run(mapping_repo.attribute_mapping, job.address, job.channel.code, locale)
        self.direction = owner_of(core, {r.store_attribute: r.direction for r in rows if r.direction != "both"})
        self.missing = await job.lane.run(sync_repo.count_missing_bases, job.address, job.label)

    async def bases(self, kind: str, codes: list[str]) -> dict[str, dict[str, Any] | None]:
        if not codes:
            return {}
        return await self.job.lane.run(sync_repo.bases, self.job.address, self.job.label, kind, codes)

    def merge(self, kind: str, code: str, base: dict[str, Any], ours: Any, theirs: Any) -> Merge:
        """The three-way merge of one entity; its conflicts are logged, counted and kept for `finish`."""
        merged = three_way(base, fields_of(ours), fields_of(theirs), side=self.side, rule=self.rule,
                           direction=self.direction)
        for c in merged.conflicts:
            self._conflict(kind, code, c)
        return merged

    def _conflict(self, kind: str, code: str, c: FieldConflict) -> None:
        outcome = {"unopim": "UnoPim's value was kept", "store": "the store's value was taken",
                   "open": "nothing was written; choose in Sync → Conflicts"}[c.status]
        self.run.count(kind, "conflicts")
        self.run.log(f"Conflict on {kind} {code}, field {c.field}: UnoPim has {c.unopim!r}, the store has "
                     f"{c.store!r} (both changed since {c.base!r}); {outcome}.", level="warning",
                     entity_kind=kind, entity=code, action="conflict")
        self._conflicts.append({"kind": kind, "code": code, "field": c.field, "base": c.base, "unopim": c.unopim,
                                "store": c.store, "status": c.status})

    async def finish(self) -> None:
        """Record the conflicts (not on a dry run) and say once that old links got their base."""
        job = self.job
        if self._conflicts and not job.options.dry_run:
            conflicts, self._conflicts = self._conflicts, []
            await job.lane.run(conflicts_repo.record_conflicts, job.address, job.label, conflicts)
        if self.established:
            self.run.log(f"{self.established} linked product(s) and variant(s) had no field base yet (the first run "
                         "after an upgrade): it was taken from the current state, and nothing was written for "
                         "that.")
            self.established = 0
