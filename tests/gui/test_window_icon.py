"""The window carries the application icon from the package's data (every PNG size)."""

from __future__ import annotations

from unopim_desktop.ui.main_window import MainWindow


def test_the_window_has_the_application_icon(qtbot, qloop, app):
    window = MainWindow(app)
    qtbot.addWidget(window)
    sizes = {(s.width(), s.height()) for s in window.windowIcon().availableSizes()}
    assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= sizes
