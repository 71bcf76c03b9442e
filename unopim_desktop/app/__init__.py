"""The app floor: the use cases the window and the CLI share, built once by `App.open` (Qt-free).

`from unopim_desktop.app import App` loads the whole app (services, engine, clients); the modules of
this package can be imported one by one without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from unopim_desktop.app.application import App

__all__ = ["App"]


def __getattr__(name: str) -> Any:
    if name == "App":
        from unopim_desktop.app.application import App

        return App
    raise AttributeError(name)
