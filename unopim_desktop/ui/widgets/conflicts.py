"""Sync → Conflicts: fields changed on both sides since they last agreed (entity, field, base, UnoPim's
value, the store's, when), with Keep UnoPim / Take store on each open row. A choice runs at once: a pull
or a push of just that product (see `app.conflicts`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from unopim_desktop.app.conflicts import ConflictService
from unopim_desktop.ui.widgets.banner import Banner
from unopim_desktop.ui.widgets.editing import describe_error

COLUMNS = ("When (UTC)", "Store", "Entity", "Code", "Field", "Base", "UnoPim", "Store value", "Status", "")
EMPTY = ("No conflicts. A field changed in UnoPim and in the store since the last sync shows up here; "
         "General settings → On conflict says who wins by default.")
STATUS_TEXT = {"open": "waiting for you", "unopim": "UnoPim's value kept", "store": "store's value taken"}


def shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


class ConflictsPanel(QWidget):
    def __init__(self, service: ConflictService, start: Callable[[Coroutine[Any, Any, Any]], Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflicts")
        self.service = service
        self._start = start  # the Sync tab's Tab.start, so wait_idle and shutdown see the task
        self.rows: list[dict[str, Any]] = []
        self.banner = Banner()
        self.banner.setObjectName("conflictsBanner")
        self.title = QLabel(EMPTY)
        self.title.setWordWrap(True)
        self.show_settled = QCheckBox("Show settled ones too")
        self.show_settled.setObjectName("conflictsShowSettled")
        self.show_settled.toggled.connect(lambda _on: self._start(self.load()))
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("conflictsTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.show_settled)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)

    async def load(self) -> None:
        try:
            self.rows = await self.service.list(status=None if self.show_settled.isChecked() else "open")
        except LookupError:
            self.rows = []
        waiting = sum(1 for r in self.rows if r["status"] == "open")
        self.title.setText(f"{waiting} field(s) changed on both sides wait for your choice." if waiting
                           else EMPTY if not self.rows else "Nothing waits for your choice.")
        self._render()

    def _render(self) -> None:
        self.table.setRowCount(len(self.rows))
        for i, r in enumerate(self.rows):
            cells = (r["detected_at"], r["store"], r["kind"], r["code"], r["field"], shown(r["base"]),
                     shown(r["unopim"]), shown(r["store_value"]), STATUS_TEXT.get(r["status"], r["status"]))
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(i, j, item)
            self.table.setCellWidget(i, len(COLUMNS) - 1, self._choices(r) if r["status"] == "open" else None)

    def _choices(self, row: dict[str, Any]) -> QWidget:
        box = QWidget()
        line = QHBoxLayout(box)
        line.setContentsMargins(2, 0, 2, 0)
        for keep, text, tip in (("unopim", "Keep UnoPim", "The store gets UnoPim's value (a pull of this product)."),
                                ("store", "Take store", "UnoPim gets the store's value (a push of this product).")):
            button = QPushButton(text)
            button.setObjectName(f"conflict{'KeepUnopim' if keep == 'unopim' else 'TakeStore'}")
            button.setToolTip(tip)
            button.clicked.connect(lambda _c=False, k=keep, cid=row["id"]: self._start(self.resolve([cid], k)))
            line.addWidget(button)
        return box

    async def resolve(self, ids: list[int], keep: str) -> None:
        self.table.setEnabled(False)
        try:
            outcomes = await self.service.resolve(ids, keep)
        except Exception as exc:  # noqa: BLE001 (shown to the merchant)
            self.banner.show_message("error", f"Not settled: {describe_error(exc)}")
            return
        finally:
            self.table.setEnabled(True)
        trouble = [f"{c.channel}: {c.message or c.status}" for o in outcomes for c in o.channels
                   if c.status not in ("done",)]
        side = "UnoPim's value was written into the store" if keep == "unopim" else \
            "the store's value was written into UnoPim"
        if trouble:
            self.banner.show_message("warning", f"Choice saved, but the run did not finish: {'; '.join(trouble)}. "
                                                "The next run carries it over.")
        else:
            self.banner.show_message("success", f"Settled: {side}.")
        await self.load()
