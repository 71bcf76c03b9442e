"""The live tail of a run's log rows: bounded, newest at the bottom, errors in red.

Rows are queued by `add` (cheap) and written by `flush`, which the Sync tab calls from its repaint timer,
so a burst of rows costs one repaint. Like Picard's log view, it follows the newest row only while the
merchant has not scrolled up to read an older one.
"""

from __future__ import annotations

import datetime as dt
import html
from collections import deque

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from unopim_desktop.sync.events import LogRow

DEFAULT_LIMIT = 500
LEVEL_COLOURS = {"error": "#a61b1b", "warning": "#8a6d00"}
DRY_RUN_COLOUR = "#1b4f8a"


def row_colour(row: LogRow) -> str:
    if row.level in LEVEL_COLOURS:
        return LEVEL_COLOURS[row.level]
    if row.message.startswith("dry-run"):
        return DRY_RUN_COLOUR
    return ""


class LogTail(QPlainTextEdit):
    def __init__(self, limit: int = DEFAULT_LIMIT, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.limit = limit
        self.setReadOnly(True)
        self.setMaximumBlockCount(limit)  # Qt drops the oldest lines itself
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)  # the pane is narrow; messages are not
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.setFont(font)
        self.setPlaceholderText("The rows of the running pull appear here.")
        # What the widget shows, as data: the same bound, for callers that want the rows themselves.
        self.rows: deque[LogRow] = deque(maxlen=limit)
        self._pending: deque[tuple[str, LogRow]] = deque(maxlen=limit)

    def add(self, row: LogRow) -> None:
        stamp = dt.datetime.now().strftime("%H:%M:%S")
        self._pending.append((stamp, row))
        self.rows.append(row)

    @property
    def dirty(self) -> bool:
        return bool(self._pending)

    def flush(self) -> None:
        if not self._pending:
            return
        bar = self.verticalScrollBar()
        follow = bar.value() >= bar.maximum() - 4
        pending, self._pending = self._pending, deque(maxlen=self.limit)
        for stamp, row in pending:
            level = f"{row.level.upper()}: " if row.level in LEVEL_COLOURS else ""
            text = html.escape(f"{stamp}  {level}{row.message}")
            colour = row_colour(row)
            self.appendHtml(f'<span style="color:{colour}">{text}</span>' if colour else text)
        if follow:
            bar.setValue(bar.maximum())

    def clear_rows(self) -> None:
        self.clear()
        self.rows.clear()
        self._pending.clear()

    def lines(self) -> list[str]:
        return self.toPlainText().splitlines()
