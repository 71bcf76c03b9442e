"""Desktop conventions every tab follows: Enter submits the form it is typed in, combo boxes and spin boxes
inside a scrolled page ignore the mouse wheel unless they have the focus (scrolling the page must never change
a value under the pointer), and a folder opens in the system's file manager."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QWidget,
)

GUARDED = "wheelGuarded"


class _WheelGuard(QObject):
    """Drops a wheel event on an unfocused combo or spin box inside a scroll area and lets it scroll the
    page instead (an ignored event travels on to the parent)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Wheel and isinstance(watched, QWidget) and not watched.hasFocus() \
                and _inside_scroll_area(watched):
            event.ignore()
            return True
        return False


def _inside_scroll_area(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


_guard: _WheelGuard | None = None


def _the_guard() -> _WheelGuard:
    global _guard
    if _guard is None or not shiboken6.isValid(_guard):
        _guard = _WheelGuard()
    return _guard


def guard_wheel(widget: QWidget) -> None:
    """One combo or spin box: the wheel needs a click (focus) first. Idempotent."""
    if widget.property(GUARDED):
        return
    widget.setProperty(GUARDED, True)
    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the wheel alone does not give it the focus
    widget.installEventFilter(_the_guard())


def guard_wheels(root: QWidget) -> None:
    """Every combo and spin box under `root` (call again after adding rows)."""
    for widget in root.findChildren(QComboBox) + root.findChildren(QAbstractSpinBox):
        guard_wheel(widget)


class _EnterSubmits(QObject):
    def __init__(self, submit: Callable[[], object], parent: QObject) -> None:
        super().__init__(parent)
        self.submit = submit

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):  # type: ignore[attr-defined]
            if isinstance(watched, QComboBox) and watched.view().isVisible():
                return False  # Enter picks from the open list
            self.submit()
            return True
        return False


def submit_on_enter(button: QAbstractButton, fields: list[QWidget]) -> None:
    """Enter in any of `fields` clicks `button` (when it is enabled), as a dialog's default button would; the
    button is drawn as the default."""
    def submit() -> None:
        if button.isEnabled():
            button.click()

    if hasattr(button, "setAutoDefault"):
        button.setAutoDefault(True)
        button.setDefault(True)  # type: ignore[attr-defined]
    watcher = _EnterSubmits(submit, button)
    for field in fields:
        targets = [field]
        if isinstance(field, (QAbstractSpinBox, QComboBox)):
            targets += field.findChildren(QLineEdit)
        for target in targets:
            target.installEventFilter(watcher)


def open_folder(path: Path) -> bool:
    """Show a folder in the file manager (created first if missing)."""
    path.mkdir(parents=True, exist_ok=True)
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
