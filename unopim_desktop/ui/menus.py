"""The window's menu bar: File (Quit), Sync (Pull Full, Pull Delta, Push Changed, Cancel, each with its
shortcut, enabled exactly when the Sync tab's button is), Go (the tabs, Ctrl+1…7) and Help (Getting
started, Troubleshooting, Open data folder, About)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractButton

if TYPE_CHECKING:
    from unopim_desktop.ui.main_window import MainWindow

SHORTCUTS = {"pull_full": "Ctrl+Shift+F", "pull_delta": "Ctrl+Shift+D", "push_changed": "Ctrl+Shift+U",
             "cancel": "Ctrl+."}


@dataclass
class Menus:
    quit: QAction
    sync: dict[str, QAction]  # pull_full, pull_delta, push_changed, cancel
    tabs: list[QAction]
    getting_started: QAction
    troubleshooting: QAction
    data_folder: QAction
    about: QAction


def _action(window: MainWindow, menu, text: str, slot: Callable[[], object], shortcut: str | QKeySequence | None = None,  # type: ignore[no-untyped-def]
            tip: str = "", name: str = "") -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    if name:
        action.setObjectName(name)
    action.triggered.connect(lambda _checked=False: slot())
    menu.addAction(action)
    return action


def build_menus(window: MainWindow) -> Menus:
    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    quit_action = _action(window, file_menu, "&Quit", window.close, QKeySequence.StandardKey.Quit, name="actionQuit")
    quit_action.setShortcut(QKeySequence("Ctrl+Q"))  # also where the platform has no standard Quit key

    sync_menu = bar.addMenu("&Sync")
    tab = window.sync_tab
    sync = {
        "pull_full": _action(window, sync_menu, "Pull &Full", lambda: window.run_from_menu(tab.pull_full_button),
                             SHORTCUTS["pull_full"], name="actionPullFull"),
        "pull_delta": _action(window, sync_menu, "Pull &Delta", lambda: window.run_from_menu(tab.pull_delta_button),
                              SHORTCUTS["pull_delta"], name="actionPullDelta"),
        "push_changed": _action(window, sync_menu, "Push &Changed",
                                lambda: window.run_from_menu(tab.push_changed_button), SHORTCUTS["push_changed"],
                                name="actionPushChanged"),
    }
    sync_menu.addSeparator()
    sync["cancel"] = _action(window, sync_menu, "C&ancel", tab.on_cancel, SHORTCUTS["cancel"], name="actionCancel")

    go_menu = bar.addMenu("&Go")
    tabs = []
    for i in range(window.tabs.count()):
        title = window.tabs.tabText(i).replace("&&", "\0").replace("&", "").replace("\0", "&&")
        tabs.append(_action(window, go_menu, title, lambda i=i: window.tabs.setCurrentIndex(i), f"Ctrl+{i + 1}"))

    help_menu = bar.addMenu("&Help")
    getting_started = _action(window, help_menu, "&Getting started", window.show_guide, QKeySequence.StandardKey.HelpContents,
                              "Show the first-run guide again.", name="actionGettingStarted")
    troubleshooting = _action(window, help_menu, "&Troubleshooting", window.show_troubleshooting,
                              tip="What a message means and what fixes it.", name="actionTroubleshooting")
    data_folder = _action(window, help_menu, "Open &data folder", window.open_data_folder,
                          tip="The database, the log file and the backups.", name="actionDataFolder")
    help_menu.addSeparator()
    about = _action(window, help_menu, "&About UnoPim Desktop", window.show_about, name="actionAbout")
    menus = Menus(quit_action, sync, tabs, getting_started, troubleshooting, data_folder, about)
    tab.actions_changed.connect(lambda: follow_buttons(menus, window))
    follow_buttons(menus, window)
    return menus


def follow_buttons(menus: Menus, window: MainWindow) -> None:
    """Each Sync action is on exactly when its button is, with the button's tooltip (why not, when off)."""
    tab = window.sync_tab
    buttons: dict[str, QAbstractButton] = {"pull_full": tab.pull_full_button, "pull_delta": tab.pull_delta_button,
                                           "push_changed": tab.push_changed_button, "cancel": tab.cancel_button}
    for key, button in buttons.items():
        action = menus.sync[key]
        action.setEnabled(button.isEnabled())
        action.setToolTip(button.toolTip())
        action.setStatusTip(button.toolTip())
