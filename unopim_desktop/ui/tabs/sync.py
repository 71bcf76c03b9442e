"""Sync tab: Pull Full / Pull Delta / Push for all channels or one, Cancel, the live view of a run (a bar per
step with done/total, the run's ETA, the tail of its log rows), the last runs and the Preview of a dry run.

Actions that cannot run now are disabled, their tooltip saying why (not connected, no store for a channel,
no mapping saved, no earlier pull); the app's guide service says the same thing the first-run guide shows.
The engine runs on the qasync loop; its events arrive through the bridge (`RunPanel` repaints on a timer).
General settings live on their own tab; this tab reads the saved Dry run from the settings service.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from unopim_desktop.app.events import CHANNELS, CONNECTION, MAPPING, SETTINGS, STORES
from unopim_desktop.app.guide import Readiness
from unopim_desktop.sync.engine import EngineBusy, JobOutcome
from unopim_desktop.sync.events import RunFinished, RunStarted
from unopim_desktop.sync.pull.job import STEPS
from unopim_desktop.ui.bridge import EventBridge
from unopim_desktop.ui.tabs.base import Tab
from unopim_desktop.ui.widgets.banner import Banner
from unopim_desktop.ui.widgets.confirm_bar import ConfirmBar
from unopim_desktop.ui.widgets.conflicts import ConflictsPanel
from unopim_desktop.ui.widgets.editing import CONNECT_FIRST, describe_error
from unopim_desktop.ui.widgets.preview import PreviewPanel
from unopim_desktop.ui.widgets.run_history import (
    NO_CHANNELS_TEXT,
    RunHistoryTable,
    job_title,
    outcome_message,
)
from unopim_desktop.ui.widgets.run_panel import RunPanel

if TYPE_CHECKING:
    from unopim_desktop.app.application import App

log = logging.getLogger(__name__)

HISTORY_LIMIT = 20
ALL_CHANNELS = "All channels"
PUSH_NOTE = ("Sends what the store holds to UnoPim, in batches, through every gate: Push enabled, "
             "cooldown, Default family.")
PUSH_CHANGED_NOTE = ("Sends what the store changed since the last push (and compares everything when the last "
                     "full comparison is older than Reconcile every … h on the Settings tab).")
NO_CHANNELS = NO_CHANNELS_TEXT
RUNNING = "A sync is running: wait for it, or click Cancel."
_DRY_STYLE = "QLabel { color: #8a6d00; background: #fff4cc; border-radius: 3px; padding: 2px 6px; }"
_WET_STYLE = "QLabel { color: #555; padding: 2px 6px; }"
TIPS = {"pull_full": "Everything, in the documented order. Resumes an interrupted full pull.",
        "pull_delta": "Only what changed in UnoPim since the last successful pull.",
        "push": PUSH_NOTE, "push_changed": PUSH_CHANGED_NOTE}


class SyncTab(Tab):
    shows = frozenset({CONNECTION, CHANNELS, STORES, MAPPING, SETTINGS})
    # The buttons' state changed (running, readiness): the window's Sync menu follows.
    actions_changed = Signal()

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self.engine = app.engine
        self.address: str | None = None
        self.busy = False  # a run started from this tab (or seen through the bus) is going
        self.held = False  # something else is setting the app up (the demo): no run may start yet
        self.saved_dry_run = False  # General settings → Dry run
        self.readiness = Readiness()
        self.last_outcome: JobOutcome | None = None
        self.run_task: asyncio.Task[JobOutcome | None] | None = None

        self.banner = Banner()
        self.banner.setObjectName("syncBanner")
        # What a run or a click asks of the merchant: confirm Push All, confirm held deletes, fix the mapping.
        self.action_bar = ConfirmBar("OK", "Cancel", name="syncAction")
        self.channel = QComboBox()
        self.channel.setObjectName("syncChannel")
        self.channel.addItem(ALL_CHANNELS, None)
        self.channel.setMinimumContentsLength(16)
        self.channel.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)  # "code → store" in full
        channel_label = QLabel("C&hannel")
        channel_label.setBuddy(self.channel)
        self.pull_full_button = QPushButton("Pull &Full")
        self.pull_full_button.setObjectName("pullFull")
        self.pull_full_button.clicked.connect(lambda: self.request_pull(full=True))
        self.pull_delta_button = QPushButton("Pull &Delta")
        self.pull_delta_button.setObjectName("pullDelta")
        self.pull_delta_button.clicked.connect(lambda: self.request_pull(full=False))
        self.cancel_button = QPushButton("&Cancel")
        self.cancel_button.setObjectName("cancelRun")
        self.cancel_button.setToolTip("Stops after the current batch; the next run resumes from there.")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.on_cancel)
        self.dry_run_override = QCheckBox("Dr&y run (this run)")
        self.dry_run_override.setObjectName("dryRunOverride")
        self.dry_run_override.setToolTip("For the next run only; the Settings tab holds the default.")
        self.dry_run_override.toggled.connect(lambda _on: self._show_dry_run())
        self.dry_run_label = QLabel("")
        self.dry_run_label.setObjectName("dryRunIndicator")
        self.dry_run_label.setWordWrap(True)  # wraps on a narrow window instead of widening it

        self.push_box = self._build_push_box()
        self.live = RunPanel(STEPS)
        self.live.running = lambda: self.running
        self.run_title, self.progress, self.tail = self.live.title, self.live.progress, self.live.tail
        self.history = RunHistoryTable()

        controls = QHBoxLayout()
        controls.addWidget(channel_label)
        controls.addWidget(self.channel)
        for b in (self.pull_full_button, self.pull_delta_button, self.cancel_button):
            controls.addWidget(b)
        controls.addSpacing(12)
        controls.addWidget(self.dry_run_override)
        controls.addWidget(self.dry_run_label, 1)

        self.preview = PreviewPanel()
        self.preview.apply_requested.connect(self.on_apply_preview)
        self._apply: Callable[[], None] | None = None  # runs the previewed job for real
        self.lower = QTabWidget()
        self.lower.addTab(self.history, "Recent runs")
        self.lower.addTab(self.preview, "Preview")
        self.conflicts = ConflictsPanel(app.conflicts, self.start)
        self.lower.addTab(self.conflicts, "Conflicts")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.live)
        split.addWidget(self.lower)
        split.setStretchFactor(0, 5)
        split.setStretchFactor(1, 2)
        split.setSizes([500, 200])  # the run's bars first; the runs and the Preview below
        split.setChildrenCollapsible(False)

        # The engine's run events, as Qt signals (whoever started the run: this tab, a schedule).
        self.bridge = EventBridge(app.bus, self)
        self.bridge.run_started.connect(self.on_run_started)
        self.bridge.step_progress.connect(self.live.step)
        self.bridge.log_row.connect(self.live.row)
        self.bridge.run_finished.connect(self.on_run_finished)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.action_bar)
        layout.addLayout(controls)
        layout.addWidget(self.push_box)
        layout.addWidget(split, 1)
        self._show_dry_run()
        self._apply_readiness()

    def _build_push_box(self) -> QGroupBox:
        box = QGroupBox("Push (store → UnoPim)")
        box.setObjectName("pushBox")
        row = QHBoxLayout(box)
        self.push_buttons = []
        for entity, title in (("products", "Push All &Products"), ("categories", "Push All Ca&tegories"),
                              ("attributes", "Push All &Attributes")):
            button = QPushButton(title)
            button.clicked.connect(lambda _c=False, e=entity: self.request_push(entity=e))
            self.push_buttons.append(button)
            row.addWidget(button)
        self.push_changed_button = QPushButton("Push C&hanged")
        self.push_changed_button.setObjectName("pushChanged")
        self.push_changed_button.clicked.connect(lambda _c=False: self.request_push(entity=None, changed=True))
        self.push_buttons.append(self.push_changed_button)
        row.addWidget(self.push_changed_button)
        row.addStretch(1)
        box.setToolTip(PUSH_NOTE)
        return box

    # -- loading -------------------------------------------------------------------------------------
    def on_changed(self, kinds: frozenset[str]) -> None:
        if CONNECTION in kinds:
            self.start(self.load())
            return
        if SETTINGS in kinds:
            self.start(self.reload_settings())
        if kinds & {CHANNELS, STORES}:
            self.start(self.reload_channels())
        self.start(self.reload_readiness())

    def detach(self) -> None:
        super().detach()
        self.bridge.close()

    async def load(self) -> None:
        self.address = await self.app.connection.address()
        await self.reload_readiness()
        if not self.address:
            self.banner.show_message("info", CONNECT_FIRST)
            self.history.set_runs([])
            return
        if self.banner.text() == CONNECT_FIRST:
            self.banner.clear_message()
        await self.reload_settings()
        await self.reload_channels()
        if not self.running:
            # Runs a killed window or command left "running" (their channel lock is free): interrupted.
            await self.engine.recover_interrupted()
        await self.reload_history()

    async def reload_settings(self) -> None:
        try:
            self.saved_dry_run = (await self.app.settings.load()).get("dry_run") == "1"
        except LookupError:
            self.saved_dry_run = False
        if not self.running:
            self._reset_dry_run()

    async def reload_readiness(self) -> None:
        self.readiness = await self.app.guide.readiness()
        self._apply_readiness()

    async def reload_channels(self) -> None:
        if not self.address:
            return
        rows = await self.app.channels.channels()
        self.preview.default_locales = {r.default_locale for r in rows}  # the Preview's "default" changes
        chosen = self.channel.currentData()
        self.channel.blockSignals(True)
        self.channel.clear()
        self.channel.addItem(ALL_CHANNELS, None)
        for r in rows:
            if not r.store_label:
                note = " (no store)"
            elif not r.pull_enabled:
                note = f" → {r.store_label} (pull off)"
            else:
                note = f" → {r.store_label}"
            self.channel.addItem(f"{r.code}{note}", r.code)
        self.channel.setCurrentIndex(max(0, self.channel.findData(chosen)))
        self.channel.blockSignals(False)
        if not rows and not self.banner.isVisibleTo(self):
            self.banner.show_message("info", NO_CHANNELS)
        elif rows and self.banner.text() == NO_CHANNELS:
            self.banner.clear_message()

    async def reload_history(self) -> None:
        if not self.address:
            return
        self.history.set_runs(await self.app.activity.recent_runs(self.address, HISTORY_LIMIT))
        await self.conflicts.load()

    def select_channel(self, code: str | None) -> None:
        self.channel.setCurrentIndex(max(0, self.channel.findData(code)))

    # -- dry run -------------------------------------------------------------------------------------
    def _reset_dry_run(self) -> None:
        """The override lasts one run: back to what General settings say."""
        self.dry_run_override.setChecked(self.saved_dry_run)
        self._show_dry_run()

    def _show_dry_run(self) -> None:
        dry, saved = self.dry_run_override.isChecked(), self.saved_dry_run
        if dry and saved:
            text = "Dry run is ON (Settings tab): nothing will be written."
        elif dry:
            text = "Dry run for the next run only: nothing will be written."
        elif saved:
            text = "Dry run is on in the Settings tab, but the next run WILL write."
        else:
            text = "Dry run off: runs write to the store."
        self.dry_run_label.setText(text)
        self.dry_run_label.setStyleSheet(_DRY_STYLE if dry else _WET_STYLE)

    def dry_run_choice(self) -> bool | None:
        """None follows General settings; a bool is the one-run override."""
        dry = self.dry_run_override.isChecked()
        return None if dry == self.saved_dry_run else dry

    # -- running -------------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.busy or self.engine.running

    def hold(self, held: bool) -> None:
        """Keep the pull buttons off while the app is being set up behind them (demo preparation)."""
        self.held = held
        self._set_running(self.busy)

    def _set_running(self, running: bool) -> None:
        self.busy = running
        self.cancel_button.setEnabled(running)
        self.cancel_button.setText("&Cancel")
        self._apply_readiness()
        if running:
            self.live.poke()

    def _apply_readiness(self) -> None:
        """Each action on or off, its tooltip saying what it does or why it cannot run now."""
        blocked = RUNNING if self.running else ("Wait: the demo is being prepared." if self.held else "")
        r = self.readiness
        for button, key, why in ((self.pull_full_button, "pull_full", r.pull_full),
                                 (self.pull_delta_button, "pull_delta", r.pull_delta),
                                 *((b, "push_changed" if b is self.push_changed_button else "push", r.push)
                                   for b in self.push_buttons)):
            reason = blocked or why
            button.setEnabled(not reason)
            button.setToolTip(f"Not now: {reason}" if reason else TIPS[key])
        for w in (self.channel, self.dry_run_override):
            w.setEnabled(not blocked)
        self.actions_changed.emit()

    def request_pull(self, *, full: bool, allow_deletes: bool = False, dry: bool | None = None,
                     apply_of: dict[str, int] | None = None, confirmed: bool = False) -> None:
        if self.running or self.held:
            return  # one run at a time; a second click does nothing
        self.action_bar.hide()
        # Disable at once, before the task's first step runs, so a double click cannot queue a second run.
        self._set_running(True)
        if full and not confirmed and not self.dry_run_override.isChecked() and apply_of is None:
            self.run_task = self.start(self._first_pull_check(allow_deletes))
            return
        self.run_task = self.start(self.pull(full=full, allow_deletes=allow_deletes, dry=dry, apply_of=apply_of))

    async def _first_pull_check(self, allow_deletes: bool) -> None:
        """A first Pull Full into a store that already holds products offers the Preview first."""
        try:
            stores = await self.engine.unlinked_stores(self.channel.currentData())
        except Exception as exc:  # noqa: BLE001 (the run itself will say what is wrong)
            log.info("could not check the store before the first pull: %s", exc)
            stores = []
        self._set_running(False)
        if not stores:
            self.request_pull(full=True, allow_deletes=allow_deletes, confirmed=True)
            return
        names = ", ".join(f"“{s}”" for s in stores)
        self.ask(f"{names} already holds products that UnoPim Desktop has not linked. A Pull Full adopts those with "
                 "the SKU of a UnoPim product and overwrites their fields with UnoPim's values. See what would "
                 "change first?", confirm="Preview first", keep="Pull Full now",
                 then=lambda: self.request_pull(full=True, dry=True, confirmed=True),
                 on_keep=lambda: self.request_pull(full=True, allow_deletes=allow_deletes, confirmed=True))

    def request_push(self, *, entity: str | None, changed: bool = False, confirmed: bool = False,
                     allow_deletes: bool = False, apply_of: dict[str, int] | None = None) -> None:
        if self.running or self.held:
            return
        if not changed and not confirmed:
            # Push All writes to UnoPim, the system of record: say what it does and ask first.
            channel = self.channel.currentData()
            what = (entity or "records").capitalize()
            self.ask(f"Push All {what} sends every store {(entity or 'record').rstrip('s')} of "
                     f"{channel or 'every channel with Push on'} to UnoPim: where the store's value differs, it "
                     "replaces UnoPim's. Push them now?", confirm=f"Push All {what}",
                     then=lambda: self.request_push(entity=entity, confirmed=True))
            return
        self.action_bar.hide()
        self._set_running(True)
        self.run_task = self.start(self.push(entity=entity, changed=changed, allow_deletes=allow_deletes,
                                             apply_of=apply_of))

    def ask(self, question: str, *, confirm: str, then: Callable[[], object], keep: str = "Cancel",
            on_keep: Callable[[], object] | None = None) -> None:
        """An inline question under the banner; `then` runs on the confirm button, `on_keep` on the other."""
        self.action_bar.ask(question, confirm=confirm, keep=keep, then=then, otherwise=on_keep)

    def on_apply_preview(self) -> None:
        if self._apply is not None and not self.running and not self.held:
            self._apply()

    async def push(self, *, entity: str | None, changed: bool = False, allow_deletes: bool = False,
                   apply_of: dict[str, int] | None = None) -> JobOutcome | None:
        name = "Push Changed" if changed else f"Push All {(entity or 'records').capitalize()}"
        channel = self.channel.currentData()
        dry_run = False if apply_of is not None else self.dry_run_choice()
        dry = self.dry_run_override.isChecked() if apply_of is None else False
        outcome = await self._run_job(name, channel, lambda: self.engine.push(
            changed=changed, entity=entity, channel=channel, dry_run=dry_run, allow_deletes=allow_deletes,
            apply_of=apply_of))
        self._offer_next_step(outcome, lambda: self.request_push(entity=entity, changed=changed, confirmed=True,
                                                                 allow_deletes=True))
        await self._show_preview(name, outcome, dry, lambda runs: self.request_push(
            entity=entity, changed=changed, confirmed=True, apply_of=runs))
        return outcome

    async def pull(self, *, full: bool, allow_deletes: bool = False, dry: bool | None = None,
                   apply_of: dict[str, int] | None = None) -> JobOutcome | None:
        name = job_title("pull_full" if full else "pull_delta")
        channel = self.channel.currentData()
        dry_run = dry if dry is not None else (False if apply_of is not None else self.dry_run_choice())
        shown_dry = dry if dry is not None else (self.dry_run_override.isChecked() and apply_of is None)
        outcome = await self._run_job(name, channel, lambda: self.engine.pull(
            full=full, channel=channel, dry_run=dry_run, allow_deletes=allow_deletes, apply_of=apply_of))
        self._offer_next_step(outcome, lambda: self.request_pull(full=full, allow_deletes=True, confirmed=True))
        await self._show_preview(name, outcome, shown_dry, lambda runs: self.request_pull(
            full=full, dry=False, apply_of=runs, confirmed=True))
        return outcome

    async def _show_preview(self, name: str, outcome: JobOutcome | None, dry: bool,
                            apply: Callable[[dict[str, int]], Any]) -> None:
        """After a dry run: its changes in the Preview, and Apply ready to run them for real."""
        if outcome is None or not dry:
            return
        ran = [c for c in outcome.channels if c.run_id is not None and c.status not in ("refused", "failed")]
        changes = {c.channel: (c.run_id, await self.app.activity.run_changes(c.run_id)) for c in ran}
        self.preview.show_changes(name, changes)  # type: ignore[arg-type]
        runs = dict(self.preview.runs)
        self._apply = lambda: apply(runs)
        self.lower.setCurrentWidget(self.preview)

    def _offer_next_step(self, outcome: JobOutcome | None, again_with_deletes: Callable[[], None]) -> None:
        """A refused run points at what to fix; a held one asks whether to delete after all."""
        if outcome is None:
            return
        refused = next((c for c in outcome.channels if c.status == "refused" and c.action == "mapping"), None)
        held = [c for c in outcome.channels if c.status == "held" and c.action == "allow_deletes"]
        if refused is not None:
            self.ask(f"{refused.message}\n{refused.fix}", confirm="Open Mapping", keep="Close",
                     then=lambda: self.navigate.emit("mapping"))
        elif held:
            items = [code for c in held for code in c.held_items]
            shown = ", ".join(items[:20]) + (f" and {len(items) - 20} more" if len(items) > 20 else "")
            self.ask(" ".join(c.message for c in held) + f"\nKept: {shown}.\nDelete (or trash, per On delete) "
                     f"these {len(items)} product(s) now?", confirm=f"Delete {len(items)}", keep="Keep them",
                     then=again_with_deletes)

    async def _run_job(self, name: str, channel: str | None, job) -> JobOutcome | None:  # type: ignore[no-untyped-def]
        self._set_running(True)
        self.live.begin(name)
        self.banner.show_message("info", f"{name} running{' (dry run)' if self.dry_run_override.isChecked() else ''}"
                                 f" for {channel or 'all channels'}…")
        outcome = None
        try:
            outcome = await job()
        except EngineBusy as exc:
            self.banner.show_message("warning", str(exc))
            self.live.did_not_run(f"{name} did not start: {exc}")
        except Exception as exc:  # noqa: BLE001 (shown to the merchant, logged for us)
            log.warning("%s failed: %s", name, exc)
            self.banner.show_message("error", f"{name} did not run: {describe_error(exc)}")
            self.live.did_not_run(f"{name} did not run.")
        finally:
            self._finish_run()
        if outcome is not None:
            self.last_outcome = outcome
            kind, text = outcome_message(name, outcome)
            self.banner.show_message(kind, text)
            if outcome.status in ("refused", "skipped") or not any(c.run_id for c in outcome.channels):
                # Nothing was written: the panel says so instead of "starting…" or stale bars.
                self.live.did_not_run(f"{name} {outcome.status}: nothing was written.")
        await self.reload_history()
        await self.reload_readiness()
        return outcome

    def _finish_run(self) -> None:
        self.live.flush()
        self.live.stop_spinning()
        self._set_running(False)
        self._reset_dry_run()

    def on_cancel(self) -> None:
        if not self.running:
            return
        self.engine.cancel()
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Cancelling…")
        self.banner.show_message("info", "Cancelling: the run stops after the current batch; the next run "
                                         "resumes from there.")

    # -- engine events (through the bridge) ----------------------------------------------------------
    def on_run_started(self, event: RunStarted) -> None:
        if not self.busy:  # a run this tab did not start (a schedule): show it all the same
            self._set_running(True)
        self.live.started(event)

    def on_run_finished(self, event: RunFinished) -> None:
        self.live.finished(event)
        self.start(self.reload_history())
        # A run that this tab did not start ends with the engine's lock; look once it is released.
        QTimer.singleShot(0, self._after_foreign_run)

    def _after_foreign_run(self) -> None:
        own_run_going = self.run_task is not None and not self.run_task.done()
        if self.busy and not own_run_going:
            if self.engine.running:  # still closing (its run row, the lock): look again shortly
                QTimer.singleShot(50, self._after_foreign_run)
                return
            self._finish_run()
            self.start(self.reload_readiness())

    def flush(self) -> None:
        self.live.flush()

    @property
    def run_id(self) -> int | None:
        return self.live.run_id
