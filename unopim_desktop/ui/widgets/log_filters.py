"""The Logs' filter bar: level, channel, direction, entity kind, run, time range, free text. Every filter
combines with the others and is applied on the database (`LogFilter`); typing waits for a pause."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDateTime, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from unopim_desktop.app.activity import ENTITY_KINDS, local_time
from unopim_desktop.app.jobs import RUN_TITLES
from unopim_desktop.domain import LogFilter

LEVELS = (("All levels", ""), ("Errors", "error"), ("Warnings", "warning"), ("Info", "info"))
DIRECTION_CHOICES = (("Both directions", ""), ("UnoPim → store (pull)", "pull"), ("Store → UnoPim (push)", "push"))
TIMES = (("Any time", None), ("Last hour", dt.timedelta(hours=1)), ("Last 24 hours", dt.timedelta(days=1)),
         ("Last 7 days", dt.timedelta(days=7)), ("Last 30 days", dt.timedelta(days=30)), ("Custom range…", "custom"))
TYPING_PAUSE_MS = 300


def _combo(name: str, items: Any, tip: str) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    combo.setToolTip(tip)
    for text, data in items:
        combo.addItem(text, data)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    return combo


def run_text(run: dict[str, Any]) -> str:
    started = local_time(run["started_at"]).strftime("%m-%d %H:%M")
    dry = " (dry run)" if run.get("dry_run") else ""
    return f"#{run['id']} {RUN_TITLES.get(run['job'], run['job'])}{dry} · {run['channel']} · {started} · {run['status']}"


class LogFilters(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.level = _combo("logLevel", LEVELS, "Only rows of this level.")
        self.channel = _combo("logChannel", (("All channels", ""),), "Only rows of this UnoPim channel.")
        self.direction = _combo("logDirection", DIRECTION_CHOICES, "Pull (UnoPim → store) or push (store → UnoPim).")
        self.kind = _combo("logKind", (("All kinds", ""), *((k.replace("_", " ").capitalize(), k) for k in ENTITY_KINDS)),
                           "Only rows about this kind of entity.")
        self.run = _combo("logRun", (("All runs", None),), "Only the rows of one run.")
        self.run.setMinimumContentsLength(14)
        self.run.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.time = _combo("logTime", TIMES, "Only rows this recent (in this computer's local time).")
        self.since = QDateTimeEdit(QDateTime.currentDateTime().addDays(-1))
        self.until = QDateTimeEdit(QDateTime.currentDateTime())
        for edit, name in ((self.since, "logSince"), (self.until, "logUntil")):
            edit.setObjectName(name)
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
            edit.hide()
        self.entity = ""  # one code or SKU (History of …), shown in the search box as the code
        self.search = QLineEdit(placeholderText="Search message or code / SKU")
        self.search.setObjectName("logSearch")
        self.search.setClearButtonEnabled(True)
        self.clear_button = QPushButton("C&lear filters")
        self.clear_button.setObjectName("clearLogFilters")
        self.clear_button.clicked.connect(self.clear)
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(TYPING_PAUSE_MS)
        self._typing.timeout.connect(self.changed.emit)
        self.search.textEdited.connect(lambda _t: self._typed())
        for combo in (self.level, self.channel, self.direction, self.kind, self.run):
            combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.time.currentIndexChanged.connect(lambda _i: self._time_changed())
        self.since.dateTimeChanged.connect(lambda _d: self.changed.emit())
        self.until.dateTimeChanged.connect(lambda _d: self.changed.emit())

        first = QHBoxLayout()
        first.setContentsMargins(0, 0, 0, 0)
        for w in (self.level, self.channel, self.direction, self.kind, self.run):
            first.addWidget(w)
        first.addStretch(1)
        second = QHBoxLayout()
        second.setContentsMargins(0, 0, 0, 0)
        second.addWidget(self.time)
        self.since_label, self.until_label = QLabel("from"), QLabel("to")
        for w in (self.since_label, self.since, self.until_label, self.until):
            second.addWidget(w)
        self.since_label.hide()
        self.until_label.hide()
        second.addWidget(self.search, 1)
        second.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(first)
        layout.addLayout(second)

    def _typed(self) -> None:
        self.entity = ""  # typing replaces a History of … filter
        self._typing.start()

    def _time_changed(self) -> None:
        custom = self.time.currentData() == "custom"
        for w in (self.since_label, self.since, self.until_label, self.until):
            w.setVisible(custom)
        self.changed.emit()

    # -- choices ---------------------------------------------------------------------------------------
    def set_channels(self, codes: list[str]) -> None:
        self._refill(self.channel, [("All channels", ""), *((c, c) for c in codes)])

    def set_runs(self, runs: list[dict[str, Any]]) -> None:
        self._refill(self.run, [("All runs", None), *((run_text(r), r["id"]) for r in runs)])

    @staticmethod
    def _refill(combo: QComboBox, items: list[tuple[str, Any]]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        for text, data in items:
            combo.addItem(text, data)
        index = combo.findData(current)
        if index < 0 and current not in (None, ""):
            combo.addItem(str(current), current)  # keep a choice that is no longer listed
            index = combo.count() - 1
        combo.setCurrentIndex(max(0, index))
        combo.blockSignals(False)

    # -- the filter ----------------------------------------------------------------------------------------
    def value(self, now: dt.datetime | None = None) -> LogFilter:
        now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
        since = until = None
        span = self.time.currentData()
        if isinstance(span, dt.timedelta):
            since = now - span
        elif span == "custom":
            since = _utc(self.since.dateTime())
            until = _utc(self.until.dateTime())
        text = self.search.text().strip()
        return LogFilter(level=self.level.currentData() or "", channel=self.channel.currentData() or "",
                         direction=self.direction.currentData() or "", entity_kind=self.kind.currentData() or "",
                         entity=self.entity, run=self.run.currentData(), since=since, until=until,
                         text="" if self.entity else text)

    def show_entity(self, kind: str, code: str) -> None:
        """The history of one entity: every row about it, whatever else was filtered."""
        self._set_quietly(kind=kind)
        self.entity = code
        self.search.setText(code)
        self.changed.emit()

    def show_run(self, run_id: int, text: str = "") -> None:
        self._set_quietly()
        if self.run.findData(run_id) < 0:
            self.run.addItem(text or f"#{run_id}", run_id)
        self.run.blockSignals(True)
        self.run.setCurrentIndex(self.run.findData(run_id))
        self.run.blockSignals(False)
        self.changed.emit()

    def clear(self) -> None:
        self._set_quietly()
        self.changed.emit()

    def _set_quietly(self, *, kind: str = "") -> None:
        for combo in (self.level, self.channel, self.direction, self.kind, self.run, self.time):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.kind.blockSignals(True)
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
        self.kind.blockSignals(False)
        for w in (self.since_label, self.since, self.until_label, self.until):
            w.hide()
        self.entity = ""
        self.search.clear()
        self._typing.stop()

    @property
    def active(self) -> bool:
        return not self.value().empty


def _utc(value: QDateTime) -> dt.datetime:
    local = dt.datetime.fromtimestamp(value.toSecsSinceEpoch()).astimezone()
    return local.astimezone(dt.UTC).replace(tzinfo=None)
