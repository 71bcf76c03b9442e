"""One sentence for any error a service call can raise, for the window's banners and the CLI; never a
traceback."""

from __future__ import annotations

from unopim_desktop.app.channels import ChannelSettingsError
from unopim_desktop.app.guide import CONNECT as CONNECT_FIRST
from unopim_desktop.app.mapping import MappingRefused
from unopim_desktop.app.session import NotConnected
from unopim_desktop.clients.errors import ApiError
from unopim_desktop.secrets import SecretStoreError


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, MappingRefused):
        return str(exc)
    if isinstance(exc, NotConnected):
        return CONNECT_FIRST
    if isinstance(exc, LookupError):
        return str(exc).strip("'\"")
    if isinstance(exc, (ChannelSettingsError, SecretStoreError)):
        return str(exc)
    if isinstance(exc, ApiError):
        if exc.status == 0:
            return f"Could not reach the server: {exc.message}"
        return f"The server refused the request ({exc}). Check the connection and try again."
    return f"Unexpected error: {exc}"
