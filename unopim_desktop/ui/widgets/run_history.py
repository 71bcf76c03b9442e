"""The last runs' summaries, from `sync_repo.recent_runs`: one row per channel run, newest first."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from unopim_desktop.app.activity import local_time
from unopim_desktop.app.jobs import RUN_TITLES
from unopim_desktop.sync.engine import JobOutcome
from unopim_desktop.sync.run import OUTCOMES

COLUMNS = ("Started", "Job", "Channel", "Store", "Status", *(o.capitalize() for o in OUTCOMES), "Message")
STATUS_COLOURS = {"done": "#1e7e34", "partial": "#8a6d00", "held": "#8a6d00", "failed": "#a61b1b",
                  "refused": "#a61b1b", "cancelled": "#555555", "interrupted": "#555555", "running": "#1b4f8a"}
NO_CHANNELS_TEXT = "No channels yet: click Refresh channels on Channels & Stores and pick a store for each channel."


def job_title(job: str) -> str:
    return RUN_TITLES.get(job, job.replace("_", " ").title())


def run_totals(summary: dict[str, dict[str, int]]) -> dict[str, int]:
    """created/updated/… summed over every kind (products, variants, categories, …)."""
    out = dict.fromkeys(OUTCOMES, 0)
    for counts in summary.values():
        for outcome in OUTCOMES:
            out[outcome] += int(counts.get(outcome, 0))
    return out


def breakdown(summary: dict[str, dict[str, int]]) -> str:
    lines = []
    for kind, counts in summary.items():
        shown = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
        if shown:
            lines.append(f"{kind}: {shown}")
    return "\n".join(lines) or "Nothing to do."


class RunHistoryTable(QTableWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setObjectName("runHistory")
        self.setHorizontalHeaderLabels(COLUMNS)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)
        self.runs: list[dict[str, Any]] = []

    def set_runs(self, runs: list[dict[str, Any]]) -> None:
        self.runs = runs
        self.setRowCount(len(runs))
        for i, r in enumerate(runs):
            totals = run_totals(r.get("summary") or {})
            job = job_title(r["job"]) + (" (dry run)" if r.get("dry_run") else "")
            started = local_time(r["started_at"]).strftime("%Y-%m-%d %H:%M:%S")
            cells = (started, job, r["channel"], r["store"], r["status"],
                     *(str(totals[o]) for o in OUTCOMES), r.get("message") or "")
            tip = breakdown(r.get("summary") or {}) + (f"\n\n{r['message']}" if r.get("message") else "")
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(f"UTC {r['started_at']}" if j == 0 else tip)
                self.setItem(i, j, item)
            colour = STATUS_COLOURS.get(r["status"])
            if colour:
                self.item(i, 4).setForeground(QBrush(QColor(colour)))

    def row_texts(self, row: int) -> dict[str, str]:
        """One row as {column title: text}."""
        return {COLUMNS[j]: self.item(row, j).text() for j in range(len(COLUMNS))}


def outcome_message(name: str, outcome: JobOutcome) -> tuple[str, str]:
    """(banner kind, text) for a finished job."""
    ran = [c for c in outcome.channels if c.status != "skipped"]
    if not ran:
        reasons = "; ".join(f"{c.channel}: {c.message}" for c in outcome.channels)
        return "warning", f"Nothing ran. {reasons or NO_CHANNELS_TEXT}"
    totals = run_totals(outcome.totals())
    counts = ", ".join(f"{totals[o]} {o}" for o in OUTCOMES)
    status = outcome.status
    notes = [c.message for c in ran if c.message]
    skipped = [c for c in outcome.channels if c.status == "skipped"]
    if skipped:
        notes.append("Not run: " + " ".join(f"{c.channel}: {c.message}" for c in skipped))
    kind = {"done": "success", "partial": "warning", "cancelled": "warning", "held": "warning"}.get(status, "error")
    return kind, " ".join([f"{name} {status}: {counts}.", *notes])
