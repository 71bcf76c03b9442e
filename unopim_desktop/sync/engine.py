"""The sync engine: runs jobs (Pull Full, Pull Delta, …) channel by channel, one at a time, emitting
events for the window and the CLI. No Qt here."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from unopim_desktop.clients.errors import ApiError
from unopim_desktop.clients.unopim import UnoPimClient
from unopim_desktop.domain import ChannelRow, StoreRow
from unopim_desktop.mapping.i18n import store_settings
from unopim_desktop.memory import release_free_memory
from unopim_desktop.state import repo, stores_repo, sync_repo
from unopim_desktop.state.db import DbLane
from unopim_desktop.stores.base import StoreAdapter
from unopim_desktop.sync.events import EventBus, RunFinished, RunStarted
from unopim_desktop.sync.job import StepFailed, api_error_text, server_text
from unopim_desktop.sync.locks import RunLocks, RunRefused
from unopim_desktop.sync.mapping_check import MappingRefused
from unopim_desktop.sync.pull.job import STEPS, PullJob, PullOptions
from unopim_desktop.sync.push.job import ENTITIES, PushJob, PushOptions
from unopim_desktop.sync.push.job import STEPS as PUSH_STEPS
from unopim_desktop.sync.run import Cancelled, CancelToken, RunContext

log = logging.getLogger(__name__)

PULL_JOBS = ("pull_full", "pull_delta")


class EngineBusy(RuntimeError):
    pass


@dataclass
class ChannelOutcome:
    channel: str
    store: str
    # done | partial | held (a guard kept something back) | refused (nothing written: the mapping cannot
    # work, or another run holds the channel) | failed | cancelled | skipped (switched off)
    status: str
    summary: dict[str, dict[str, int]] = field(default_factory=dict)
    message: str = ""
    run_id: int | None = None
    fix: str = ""  # what to do about a refused or held run
    action: str = ""  # what the window offers: "mapping" (open the Mapping tab), "allow_deletes" (confirm)
    held_items: list[str] = field(default_factory=list)  # the entities a guard kept back


@dataclass
class JobOutcome:
    job: str
    channels: list[ChannelOutcome] = field(default_factory=list)

    @property
    def status(self) -> str:
        statuses = {c.status for c in self.channels if c.status != "skipped"}
        for s in ("failed", "refused", "cancelled", "held", "partial"):
            if s in statuses:
                return s
        return "done" if statuses else "skipped"

    def totals(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for c in self.channels:
            for kind, counts in c.summary.items():
                slot = out.setdefault(kind, dict.fromkeys(counts, 0))
                for k, v in counts.items():
                    slot[k] = slot.get(k, 0) + v
        return out


# What the engine is given to reach the two sides: the UnoPim client of the saved connection (built on
# first use), and a new adapter for a store, by its label (closed by the engine after the run).
ClientSource = Callable[[], Awaitable[UnoPimClient]]
AdapterSource = Callable[[str], Awaitable[StoreAdapter]]


class SyncEngine:
    def __init__(self, lane: DbLane, bus: EventBus, unopim_client: ClientSource, adapter_for: AdapterSource, *,
                 locks: RunLocks, in_flight: int = 8, page_size: int = 100) -> None:
        self.lane = lane
        self.bus = bus
        self.unopim_client = unopim_client
        self.adapter_for = adapter_for
        self.locks = locks
        self.in_flight = in_flight
        self.page_size = page_size
        self.push_batch_size = 50  # store records per push batch (the connector's default)
        self._cancel: CancelToken | None = None
        self._apply_of: dict[str, int] = {}  # channel → the dry run this run applies
        self._lock = asyncio.Lock()

    @property
    def running(self) -> bool:
        return self._lock.locked()

    async def _compare_with_preview(self, run: RunContext, preview: int) -> str:
        """Whether this run did exactly what the dry run `preview` showed, entity by entity."""
        await run.flush_logs()
        planned = await self.lane.run(sync_repo.change_set, preview)
        done = await self.lane.run(sync_repo.change_set, run.run_id)
        if planned == done:
            return f"Applied exactly the previewed changes ({len(done)})."
        differ = len(planned ^ done)
        return (f"The data changed since the preview, so this was a fresh run: {differ} change(s) differ from the "
                "preview (see the Logs).")

    async def unlinked_stores(self, channel: str | None = None) -> list[str]:
        """The stores a Pull Full would write into for the first time while they already hold products (this
        app linked none of them): those with a UnoPim SKU would be adopted and overwritten."""
        address = await self.lane.run(repo.active_address)
        if not address:
            return []
        out = []
        for ch in await self.lane.run(stores_repo.list_channels, address):
            if (channel is not None and ch.code != channel) or not ch.pull_enabled or not ch.store_label:
                continue
            if await self.lane.run(sync_repo.count_links, address, ch.store_label, "product"):
                continue
            adapter = await self.adapter_for(ch.store_label)
            try:
                if await adapter.has_products():
                    out.append(ch.store_label)
            finally:
                await adapter.aclose()
        return sorted(set(out))

    async def recover_interrupted(self) -> int:
        """Mark runs left "running" by a process that is gone (its channel's lock is free) as interrupted;
        how many. The next run of the job resumes from its checkpoint."""
        address = await self.lane.run(repo.active_address)
        if not address:
            return 0
        marked = 0
        for channel in await self.lane.run(sync_repo.running_channels, address):
            if self.locks.is_free(channel):
                marked += await self.lane.run(sync_repo.mark_interrupted, address, channel)
        return marked

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.cancel()

    async def pull(self, *, full: bool, channel: str | None = None, dry_run: bool | None = None,
                   allow_deletes: bool = False, apply_of: dict[str, int] | None = None,
                   only: list[str] | None = None, log_skips: bool = True) -> JobOutcome:
        """Pull Full or Pull Delta; `allow_deletes` lets deletes beyond Max delete through (the merchant
        confirmed them); `apply_of` (channel → the dry run previewed) makes the run say whether it did
        exactly what the Preview showed; `log_skips=False`: the caller writes the Logs row of a channel
        skipped or refused (the scheduler's names its next try), so the event is one row, not two."""
        async def one(address: str, ch: ChannelRow, store: StoreRow, dry: bool,
                      settings: dict[str, str]) -> ChannelOutcome:
            return await self._pull_channel(address, ch, store, full=full, dry_run=dry,
                                            on_delete=settings["on_delete"], allow_deletes=allow_deletes,
                                            max_delete=_max_delete(settings),
                                            on_conflict=settings.get("on_conflict", "unopim"), only=tuple(only or ()),
                                            images=settings.get("sync_images", "1") == "1")

        return await self._exclusive("pull_full" if full else "pull_delta", "pull", channel, dry_run, one, apply_of,
                                     log_skips=log_skips)

    async def _exclusive(self, job: str, direction: str, only: str | None, dry_run: bool | None,
                         run_channel, apply_of: dict[str, int] | None = None,  # type: ignore[no-untyped-def]
                         *, log_skips: bool = True) -> JobOutcome:
        """One job at a time, channel by channel; a channel whose switch for this direction is off, with
        no store, or with an inactive store is skipped with an info row."""
        if self._lock.locked():
            raise EngineBusy("A sync is already running; wait for it or cancel it.")
        async with self._lock:
            self._cancel = CancelToken()
            self._apply_of = apply_of or {}
            try:
                return await self._each_channel(job, direction, only, dry_run, run_channel, log_skips)
            finally:
                self._cancel = None
                self._apply_of = {}
                # A large run leaves its freed pages in the C heap; give them back (off this thread).
                await asyncio.to_thread(release_free_memory)

    async def _each_channel(self, job: str, direction: str, only: str | None, dry_run: bool | None,
                            run_channel, log_skips: bool = True) -> JobOutcome:  # type: ignore[no-untyped-def]
        address = await self.lane.run(repo.active_address)
        if not address:
            raise LookupError("Connect to UnoPim first (Connection tab).")
        settings = await self.lane.run(sync_repo.general_settings, address)
        dry = settings["dry_run"] == "1" if dry_run is None else dry_run
        channels = await self.lane.run(stores_repo.list_channels, address)
        if only is not None and only not in {c.code for c in channels}:
            raise LookupError(f"Unknown channel “{only}”; click Refresh channels.")
        stores = {s.label: s for s in await self.lane.run(stores_repo.list_stores, address)}
        outcome = JobOutcome(job)
        for ch in channels:
            if only is not None and ch.code != only:
                continue
            skip = None
            if not (ch.pull_enabled if direction == "pull" else ch.push_enabled):
                skip = f"{direction.capitalize()} is off for this channel (Channels & Stores)."
            elif not ch.store_label:
                skip = "No target store is set for this channel (Channels & Stores)."
            elif not stores[ch.store_label].active:
                skip = f"Store “{ch.store_label}” is inactive."
            if skip:
                if log_skips:
                    await self.lane.run(repo.add_log, address, f"{job.replace('_', ' ').capitalize()} of channel "
                                            f"{ch.code} skipped: {skip}", category=direction, entity_kind="channel",
                                            entity=ch.code, channel=ch.code, direction=direction, action="skipped")
                outcome.channels.append(ChannelOutcome(ch.code, ch.store_label or "", "skipped", message=skip))
                continue
            try:
                with self.locks.hold(ch.code, job):
                    outcome.channels.append(await run_channel(address, ch, stores[ch.store_label], dry, settings))
            except RunRefused as exc:
                if log_skips:
                    await self.lane.run(repo.add_log, address, f"{_title(job)} of channel {ch.code} refused: {exc}",
                                        level="warning", category=direction, entity_kind="channel", entity=ch.code,
                                        channel=ch.code, direction=direction, action="refused")
                outcome.channels.append(ChannelOutcome(ch.code, ch.store_label or "", "refused", message=str(exc),
                                                       fix="Wait for it to finish, or stop it there."))
                continue
            if outcome.channels[-1].status == "cancelled":
                break
        return outcome

    async def _pull_channel(self, address: str, ch: ChannelRow, store: StoreRow, *, full: bool, dry_run: bool,
                            on_delete: str, allow_deletes: bool, max_delete: int, on_conflict: str,
                            only: tuple[str, ...] = (), images: bool = True) -> ChannelOutcome:
        def make(run: RunContext, client: Any, adapter: Any) -> PullJob:
            return PullJob(run, client, adapter, store_label=store.label, channel=ch,
                           options=PullOptions(full=full, dry_run=dry_run, on_delete=on_delete,
                                               allow_deletes=allow_deletes, max_delete=max_delete,
                                               on_conflict=on_conflict, only=only, in_flight=self.in_flight,
                                               page_size=self.page_size, images=images),
                           debounce_s=ch.debounce_s, store_currency=_store_currency(store),
                           store_settings=store_settings(store.info))

        return await self._run_channel(
            address, ch, store, job="pull_full" if full else "pull_delta", steps=STEPS, dry_run=dry_run,
            started=f"of channel {ch.code} into “{store.label}” started.",
            cancelled="Cancelled; the next run resumes where this one stopped.", make=make)

    async def _run_channel(self, address: str, ch: ChannelRow, store: StoreRow, *,
                           job: str, steps: tuple[str, ...], dry_run: bool, started: str, cancelled: str,
                           make: Callable[[RunContext, Any, Any], Any]) -> ChannelOutcome:
        """One job on one channel (its lock held): its run record, start and finish events, the adapter's
        lifetime, and the outcome (done, partial, held, refused, cancelled, failed) with a summary row in the
        Logs."""
        # This process holds the channel's lock: a run of it still marked "running" died with its process.
        interrupted = await self.lane.run(sync_repo.mark_interrupted, address, ch.code)
        run_id = await self.lane.run(sync_repo.start_run, address, job, ch.code, store.label, dry_run)
        assert self._cancel is not None
        run = RunContext(self.lane, self.bus, address=address, run_id=run_id, job=job, channel=ch.code,
                         dry_run=dry_run, cancel=self._cancel)
        preview = None if dry_run else self._apply_of.get(ch.code)
        run.track_changes = run.track_changes or preview is not None
        self.bus.emit(RunStarted(run_id, job, ch.code, store.label, dry_run, steps))
        run.log(f"{'Dry run: ' if dry_run else ''}{job.replace('_', ' ').capitalize()} {started}")
        if interrupted:
            run.log(f"{interrupted} earlier run(s) of channel {ch.code} stopped before finishing (the process "
                    "ended); marked interrupted. This run picks up from their checkpoint.", level="warning")
        adapter = None
        status, message, fix, action = "done", "", "", ""
        http_status, said = None, ""  # what a server answered when it stopped the run
        try:
            client = await self.unopim_client()
            adapter = await self.adapter_for(store.label)
            job_of_run = make(run, client, adapter)
            try:
                await job_of_run.execute()
            finally:
                job_of_run.release()
            if run.failed:
                status, message = "partial", f"{run.failed} item(s) failed; see the Logs."
            if run.held:
                status, action = "held", "allow_deletes"
                message = f"{run.held} {message}".strip()
            if preview is not None:
                message = f"{message} {await self._compare_with_preview(run, preview)}".strip()
        except MappingRefused as exc:
            status, message, fix, action = "refused", exc.reason, exc.fix, "mapping"
        except Cancelled:
            status, message = "cancelled", cancelled
        except (StepFailed, LookupError) as exc:
            status, message = "failed", str(exc)
        except ApiError as exc:
            status, message = "failed", f"Stopped: {api_error_text(exc)}"
            http_status, said = exc.status or None, server_text(exc)
        except asyncio.CancelledError:
            # The task itself was cancelled (the window closing): the row must not stay "running".
            await self.lane.run(sync_repo.finish_run, run_id, "cancelled", run.summary(),
                                "Stopped when the app closed; the next run resumes from here.")
            raise
        except Exception as exc:
            # Not a sync error (unreadable secrets, no keychain, a bug): the caller says it in its words,
            # but the run row still ends instead of staying "running".
            message = f"Stopped: {str(exc).strip() or type(exc).__name__}"
            await self.lane.run(sync_repo.finish_run, run_id, "failed", run.summary(), message)
            self.bus.emit(RunFinished(run_id, job, ch.code, "failed", run.summary(), message))
            raise
        finally:
            if adapter is not None:
                await adapter.aclose()
        shown = f"{message} {fix}".strip()
        run.log(_summary_line(job, ch.code, status, run.summary(), shown),
                level={"failed": "error", "refused": "error", "partial": "warning", "held": "warning"}.get(status, "info"),
                action=status, http_status=http_status, server_text=said)
        await run.flush_logs()
        await self.lane.run(sync_repo.finish_run, run_id, status, run.summary(), shown)
        self.bus.emit(RunFinished(run_id, job, ch.code, status, run.summary(), shown))
        return ChannelOutcome(ch.code, store.label, status, run.summary(), message, run_id, fix=fix, action=action,
                              held_items=list(run.held_items))

    # -- push (store → UnoPim) -----------------------------------------------------------------------
    async def push(self, *, changed: bool, entity: str | None = None, channel: str | None = None,
                   dry_run: bool | None = None, reconcile: bool = False, allow_deletes: bool = False,
                   apply_of: dict[str, int] | None = None, only: list[str] | None = None,
                   log_skips: bool = True) -> JobOutcome:
        """Push All (`changed=False`) or Push Changed, for one entity (products, categories, attributes)
        or all three, channel by channel; a channel with Push off is skipped with an info row.
        `reconcile` makes a changed push compare everything now (else it does when one is due)."""
        if entity is not None and entity not in ENTITIES:
            raise LookupError(f"Unknown entity “{entity}”; use one of {', '.join(ENTITIES)}.")

        async def one(address: str, ch: ChannelRow, store: StoreRow, dry: bool,
                      settings: dict[str, str]) -> ChannelOutcome:
            return await self._push_channel(address, ch, store, changed=changed, entity=entity, dry_run=dry,
                                            writeback_delete=settings.get("writeback_delete") == "1",
                                            reconcile=reconcile, reconcile_hours=_reconcile_hours(settings),
                                            allow_deletes=allow_deletes, max_delete=_max_delete(settings),
                                            on_conflict=settings.get("on_conflict", "unopim"), only=tuple(only or ()),
                                            images=settings.get("sync_images", "1") == "1")

        return await self._exclusive("push_changed" if changed else "push_all", "push", channel, dry_run, one,
                                     apply_of, log_skips=log_skips)

    async def _push_channel(self, address: str, ch: ChannelRow, store: StoreRow, *,
                            changed: bool, entity: str | None, dry_run: bool, writeback_delete: bool,
                            reconcile: bool = False, reconcile_hours: int = 24, allow_deletes: bool = False,
                            max_delete: int = 10, on_conflict: str = "unopim",
                            only: tuple[str, ...] = (), images: bool = True) -> ChannelOutcome:
        def make(run: RunContext, client: Any, adapter: Any) -> PushJob:
            return PushJob(run, client, adapter, store_label=store.label, channel=ch,
                           options=PushOptions(changed=changed, entity=entity, dry_run=dry_run,
                                               writeback_delete=writeback_delete, in_flight=self.in_flight,
                                               allow_deletes=allow_deletes, max_delete=max_delete,
                                               on_conflict=on_conflict, only=only, reconcile=reconcile,
                                               reconcile_hours=reconcile_hours,
                                               batch_size=self.push_batch_size, images=images),
                           debounce_s=ch.debounce_s, store_currency=_store_currency(store),
                           store_settings=store_settings(store.info))

        what = f" ({entity})" if entity else ""
        return await self._run_channel(
            address, ch, store, job="push_changed" if changed else "push_all", steps=PUSH_STEPS, dry_run=dry_run,
            started=f"{what} of channel {ch.code} from “{store.label}” started.".lstrip(),
            cancelled="Cancelled; what was pushed stays, the next run compares the rest.", make=make)


def _title(job: str) -> str:
    return job.replace("_", " ").capitalize()


def _max_delete(settings: dict[str, str]) -> int:
    try:
        return sync_repo.max_delete_value(settings.get("max_delete", "10"))
    except ValueError:
        return 10  # a value saved by hand outside the app: the default


def _reconcile_hours(settings: dict[str, str]) -> int:
    try:
        return sync_repo.reconcile_hours_value(settings.get("reconcile_hours", "24"))
    except ValueError:
        return 24  # a value saved by hand outside the app: the default


def _store_currency(store: StoreRow) -> str:
    return store.default_currency or str(store.info.get("currency") or "")


def _summary_line(job: str, channel: str, status: str, summary: dict[str, dict[str, int]], message: str) -> str:
    parts = []
    for kind, c in summary.items():
        shown = ", ".join(f"{v} {k}" for k, v in c.items() if v)
        if shown:
            parts.append(f"{kind}: {shown}")
    text = f"{job.replace('_', ' ').capitalize()} of {channel} {status}. " + ("; ".join(parts) or "Nothing to do.")
    return f"{text} {message}".strip()
