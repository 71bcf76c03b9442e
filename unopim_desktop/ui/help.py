"""Help menu windows: About (the version, where the data lives) and Troubleshooting (what a symptom means and
what fixes it). Both open without blocking the window (`open()`/`show()`, never a nested `exec()`)."""

from __future__ import annotations

import html
import platform

from PySide6 import __version__ as qt_binding_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox, QTextBrowser, QVBoxLayout, QWidget

from unopim_desktop import __version__
from unopim_desktop.ui.icon import app_icon

TROUBLESHOOTING = (
    ("Connection", (
        ("HTTP 0", "UnoPim cannot be reached.", "Check the address opens in a browser; firewall, VPN, proxy."),
        ("HTTP 0: did not answer within …", "UnoPim accepts the connection but does not answer.",
         "If the address opens in a browser, UnoPim is busy: try again later."),
        ("HTTP 400/401", "Wrong credentials: the banner says whether the client (ID/secret) or the user is wrong.",
         "Copy them again from UnoPim → Configuration → Integrations."),
        ("HTTP 404", "Wrong address.", "Use the bare admin address, e.g. https://pim.example.com, no path."),
        ("HTTP 5xx", "A problem on UnoPim's side.", "Check UnoPim's own logs, then try again."),
        ("not JSON", "A login page, a proxy or another site answers.", "Use the UnoPim address itself."),
        ("Connected, but no channels", "The API user may not read channels.",
         "Give the UnoPim user a role with channel read access, then Refresh channels."),
    )),
    ("Sync", (
        ("Pull Full refused", "The field mapping cannot work (never saved, or an attribute gone from UnoPim).",
         "Mapping tab: fix the rows the message names, Save mapping, run again."),
        ("Run held", "It would delete more than Max delete allows, or the other side listed nothing.",
         "Check the products listed; confirm on the Sync tab, or raise Max delete on the Settings tab."),
        ("Another run holds the channel", "The window or a command is already syncing that channel.",
         "Wait for it to finish, or cancel it there."),
        ("A product failed", "The store refused it; the Logs row has the HTTP status and the store's own words.",
         "Logs tab: select the row (History of … shows its earlier runs), fix the value in UnoPim, Pull Delta."),
        ("Images missing", "The store could not fetch UnoPim's media URL.",
         "Make the UnoPim media URLs public, or set a WordPress application password on the store; failed "
         "images are retried on the next run."),
        ("A store edit bounced back", "Pull and push both wrote the product within the cooldown.",
         "Keep the channel's cooldown at 60 s or more (Channels & Stores)."),
    )),
)


def troubleshooting_html() -> str:
    parts = ["<p>What a message means and what fixes it. Every run's rows are on the Logs tab; select one for "
             "the whole message and what the server answered.</p>"]
    for section, rows in TROUBLESHOOTING:
        parts.append(f"<h3>{html.escape(section)}</h3><table cellpadding='4'>"
                     "<tr><th align='left'>You see</th><th align='left'>Likely cause</th><th align='left'>Fix</th></tr>")
        parts += [f"<tr><td><b>{html.escape(a)}</b></td><td>{html.escape(b)}</td><td>{html.escape(c)}</td></tr>"
                  for a, b, c in rows]
        parts.append("</table>")
    return "".join(parts)


def show_troubleshooting(parent: QWidget) -> QDialog:
    dialog = QDialog(parent)
    dialog.setObjectName("troubleshooting")
    dialog.setWindowTitle("Troubleshooting — UnoPim Desktop")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    text = QTextBrowser()
    text.setHtml(troubleshooting_html())
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.close)
    layout = QVBoxLayout(dialog)
    layout.addWidget(text)
    layout.addWidget(buttons)
    dialog.resize(760, 520)
    dialog.show()
    return dialog


def about_text(data_folder: str) -> str:
    return (f"<h3>UnoPim Desktop {html.escape(__version__)}</h3>"
            "<p>Keeps a UnoPim catalogue in sync with WooCommerce and BigCommerce stores.</p>"
            f"<p>Data folder: {html.escape(data_folder)}<br>"
            f"Python {html.escape(platform.python_version())}, Qt {html.escape(qVersion())} "
            f"(PySide6 {html.escape(qt_binding_version)}), {html.escape(platform.system())}</p>"
            "<p>MIT licence.</p>")


def show_about(parent: QWidget, data_folder: str) -> QMessageBox:
    box = QMessageBox(parent)
    box.setObjectName("about")
    box.setWindowTitle("About UnoPim Desktop")
    box.setIconPixmap(app_icon().pixmap(64, 64))
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(about_text(data_folder))
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
