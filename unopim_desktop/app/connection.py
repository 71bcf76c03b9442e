"""The Connection use case shared by the Connection tab and `unopim-desktop connect`:
check the form, sign in with what was typed, store secrets on success, explain failures."""

from __future__ import annotations

import enum
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

from unopim_desktop.app.context import AppContext
from unopim_desktop.app.events import CONNECTION, LOGS, changed
from unopim_desktop.clients.addresses import field_problem, idna_ok, port_problem, shown, split, text_problem
from unopim_desktop.clients.errors import (
    ApiError,
    AuthError,
    BadPayload,
    Forbidden,
    NotAcceptable,
    NotFound,
    RateLimited,
    RouteNotFound,
    ServerError,
    TimedOut,
    Unreachable,
)
from unopim_desktop.clients.http import RetryPolicy, form_policy, valid_host
from unopim_desktop.clients.unopim import UnoPimClient, UnoPimCredentials
from unopim_desktop.secrets import SecretsUnreadable
from unopim_desktop.state import repo
from unopim_desktop.sync.events import EventBus

log = logging.getLogger(__name__)

CLIENT_SECRET = "client_secret"
PASSWORD = "password"
# Sign-in from the form (and `status --check`): fail fast and tell the merchant, rather than retry for
# minutes: two tries, ~20 s in all against a server that never answers (clients.http.FORM_DEADLINE_S).
FORM_RETRY: RetryPolicy = form_policy(max_retry_after=5.0)


class Badge(enum.Enum):
    CONNECTED = "Connected"
    REFRESHING = "Token expired — refreshing"
    NOT_CONNECTED = "Not connected"
    DISABLED = "Disabled"

    @property
    def colour(self) -> str:
        return {
            Badge.CONNECTED: "green",
            Badge.REFRESHING: "yellow",
            Badge.NOT_CONNECTED: "red",
            Badge.DISABLED: "grey",
        }[self]


class AddressError(ValueError):
    pass


def normalize_address(raw: str) -> str:
    """The bare UnoPim address, or AddressError with a sentence showing the address to use."""
    text = (raw or "").strip()
    if not text:
        raise AddressError("Enter the UnoPim address, for example https://pim.example.com.")
    problem = text_problem(text, "https://pim.example.com")
    if problem:
        raise AddressError(problem)
    try:
        parts = split(text)
    except ValueError as exc:
        raise AddressError(str(exc)) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.netloc:
        raise AddressError(
            f"“{shown(text)}” is not a web address. Start it with https:// or http://, for example "
            "https://pim.example.com."
        )
    host = (parts.hostname or "").lower()
    if not host:
        raise AddressError(f"“{shown(text)}” has no host name. Use an address like https://pim.example.com.")
    if not valid_host(host) or not idna_ok(host):
        raise AddressError(f"“{shown(host)}” is not a valid host name (letters, digits, dots and hyphens). Use an "
                           "address like https://pim.example.com.")
    if parts.username or parts.password:
        raise AddressError("Don't put a user name or password in the address; use the fields below.")
    try:
        port = parts.port
    except ValueError:
        raise AddressError(f"“{shown(text)}” has an invalid port number.") from None
    problem = port_problem(text, port)
    if problem:
        raise AddressError(problem)
    default_port = {"http": 80, "https": 443}[scheme]
    netloc = f"[{host}]" if ":" in host else host
    if port and port != default_port:
        netloc = f"{netloc}:{port}"
    bare = f"{scheme}://{netloc}"
    if parts.path == "/" and not parts.query and not parts.fragment:
        raise AddressError(f"Remove the trailing slash: use {bare}")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise AddressError(
            f"Use just the bare UnoPim address, with no path: {bare} (a path gives HTTP 404)."
        )
    return bare


# UnoPim keeps a client ID and a user's e-mail in 255-character columns; a longer value is a paste gone
# wrong, refused with its length rather than sent (or echoed back whole).
MAX_FIELD_CHARS = 255


def text_field_problem(label: str, value: str) -> str | None:
    return field_problem(label, value, MAX_FIELD_CHARS)


@dataclass
class ConnectionForm:
    address: str
    client_id: str
    client_secret: str = field(default="", repr=False)
    username: str = ""
    password: str = field(default="", repr=False)


@dataclass
class FormProblem:
    field: str  # address | client_id | client_secret | username | password
    message: str


def check_form(form: ConnectionForm, *, stored_secret: bool, stored_password: bool) -> list[FormProblem]:
    """Everything that can be said before any request. Secrets are optional only on a re-save."""
    problems: list[FormProblem] = []
    try:
        normalize_address(form.address)
    except AddressError as exc:
        problems.append(FormProblem("address", str(exc)))
    if not form.client_id.strip():
        problems.append(FormProblem("client_id", "Enter the Client ID of the UnoPim API integration."))
    elif text_field_problem("Client ID", form.client_id):
        problems.append(FormProblem("client_id", text_field_problem("Client ID", form.client_id) or ""))
    if not form.client_secret and not stored_secret:
        problems.append(FormProblem("client_secret", "Enter the Client Secret (required on the first save)."))
    if not form.username.strip():
        problems.append(FormProblem("username", "Enter the Admin Username (a UnoPim user with API access)."))
    elif text_field_problem("Admin Username", form.username):
        problems.append(FormProblem("username", text_field_problem("Admin Username", form.username) or ""))
    if not form.password and not stored_password:
        problems.append(FormProblem("password", "Enter the Admin Password (required on the first save)."))
    return problems


@dataclass
class Outcome:
    ok: bool
    badge: Badge
    reason: str = ""
    fix: str = ""
    status: int | None = None
    problems: list[FormProblem] = field(default_factory=list)
    address: str = ""

    @property
    def text(self) -> str:
        if self.ok:
            return "Connected"
        return f"{self.reason} {self.fix}".strip()


def explain(error: Exception) -> tuple[str, str]:
    """(reason, fix) for a failed sign-in, following the connector's troubleshooting table."""
    if isinstance(error, TimedOut):  # the message names UnoPim's address and the limit
        return (
            f"HTTP 0: {error.message}.",
            "Check that the UnoPim address opens in a browser; if it does, UnoPim is busy or slow: try again "
            "in a few minutes.",
        )
    if isinstance(error, Unreachable) and error.code == "tls":
        # It was reached: telling the merchant to check a firewall would send them the wrong way.
        return (
            "HTTP 0: the secure (HTTPS) connection to UnoPim failed: its certificate could not be verified "
            f"({_certificate_problem(error.message)}).",
            "Check that the address is right and that UnoPim has a valid certificate. For a test server with a "
            "self-signed certificate, install its certificate on this computer.",
        )
    if isinstance(error, Unreachable):
        return (
            f"HTTP 0: UnoPim cannot be reached at all ({error.message}).",
            "Check that the UnoPim address opens in a browser, and that this computer may connect to it "
            "(firewall, VPN or proxy).",
        )
    if isinstance(error, AuthError):
        if error.party == "client":
            # UnoPim finds no client when the username is not the admin the integration belongs to
            # (ClientRepository::find), so `invalid_client` also means "another user's credentials".
            return (
                f"HTTP {error.status}: the Client ID or Client Secret is wrong, or the Admin Username is not the "
                f"user this integration belongs to ({error.message}).",
                "Copy the Client ID and Secret again from UnoPim → Configuration → Integrations, and use the "
                "e-mail and password of the user that integration is assigned to (on UnoPim 3.x, the "
                "integration's own API user).",
            )
        if error.party == "user":
            return (
                f"HTTP {error.status}: the Admin Username or Password is wrong ({error.message}).",
                "Check the user's e-mail and password inside UnoPim, and that the user is active.",
            )
        return (
            f"HTTP {error.status}: wrong credentials ({error.message}).",
            "Re-paste all five fields and verify the client ID, secret, username and password inside UnoPim.",
        )
    if isinstance(error, NotFound):
        return (
            "HTTP 404: there is no UnoPim sign-in at this address.",
            "Use just the bare admin address, e.g. https://pim.example.com, with no path.",
        )
    if isinstance(error, Forbidden):
        return (
            f"HTTP 403: the user may not use the API ({error.message}).",
            "Inside UnoPim, give the integration's user a role with API access.",
        )
    if isinstance(error, NotAcceptable):
        return (f"HTTP 406: {error.message}.", "This is a client bug; please report it.")
    if isinstance(error, RateLimited):
        wait = f" Wait {int(error.retry_after)} s" if error.retry_after else " Wait a minute"
        return ("HTTP 429: UnoPim is limiting how often you may sign in.", f"{wait} and try again.".strip())
    if isinstance(error, ServerError):
        return (
            f"HTTP {error.status}: something went wrong on UnoPim's side ({error.message}).",
            "Check UnoPim's own logs (storage/logs/laravel.log), then try again.",
        )
    if isinstance(error, BadPayload):
        return (
            f"{error.message} (HTTP {error.status}): this address is not answering as the UnoPim API — "
            "perhaps a login page, a proxy or a different site.",
            "Check the address is the UnoPim admin address itself and that no proxy or single sign-on page "
            "stands in front of it.",
        )
    if isinstance(error, ApiError):
        return (f"HTTP {error.status}: {error.message}", "Check the five fields and try again.")
    return (f"Unexpected error: {type(error).__name__}", "Try again; if it persists, see the log file.")


def explain_api_error(error: Exception) -> tuple[str, str]:
    """(reason, fix) for a failed API call after sign-in (refresh, sync), where a 404 or 403 means a
    missing resource or permission rather than a wrong address."""
    if isinstance(error, Forbidden):
        return (
            f"HTTP 403: the UnoPim user may not read or write {_resource(error)} ({error.message}).",
            "Inside UnoPim, give the integration's role access to it (Configuration → Integrations → Edit).",
        )
    if isinstance(error, RouteNotFound):
        return (
            f"HTTP 404 from UnoPim for {_resource(error)}: this UnoPim has no such API route ({error.message}).",
            "An older UnoPim lacks it (several routes came with 2.1 or 3.0); update UnoPim or do this in its admin.",
        )
    if isinstance(error, NotFound):
        return (
            f"HTTP 404 from UnoPim for {_resource(error)}: {error.message}",
            "Check that the item exists in UnoPim, then refresh and try again.",
        )
    return explain(error)


def _certificate_problem(message: str) -> str:
    """OpenSSL's own words ("self-signed certificate", "certificate has expired"), without its jargon."""
    match = re.search(r"certificate verify failed: ([^(]+)", message)
    return match.group(1).strip() if match else "the server's certificate was refused"


def _resource(error: ApiError) -> str:
    path = error.url.split("/api/v1/rest", 1)[-1] if "/api/v1/rest" in error.url else error.url
    return path or "this resource"


ClientFactory = Callable[[UnoPimCredentials], UnoPimClient]


def _default_client(credentials: UnoPimCredentials) -> UnoPimClient:
    # FORM_RETRY is looked up at each call, so a test may set a shorter one.
    return UnoPimClient(credentials, retry=FORM_RETRY, http=None)


class ConnectionService:
    """Test & Save and the connection's status, for one app context."""

    def __init__(self, ctx: AppContext, bus: EventBus | None = None, *,
                 client_factory: ClientFactory | None = None) -> None:
        self.ctx = ctx
        self.bus = bus or EventBus()
        self.client_factory = client_factory or _default_client
        # Called after new credentials are saved (the app resets its UnoPim session there).
        self.on_saved: Callable[[], Awaitable[None]] | None = None

    async def address(self) -> str | None:
        """The saved connection's address, or None before the first Test & Save."""
        return await self.ctx.lane.run(repo.active_address)

    async def saved(self, address: str | None = None) -> repo.InstanceInfo | None:
        return await self.ctx.lane.run(repo.instance_info, address)

    async def check_saved(self, address: str) -> tuple[bool, str, str]:
        """Sign in now with the stored credentials and record the result: (ok, reason, fix); reason ""
        with ok False means the secrets are missing."""
        creds = await self.credentials(address)
        if creds is None:
            return False, "", ""
        async with self.client_factory(creds) as client:
            try:
                await client.sign_in()
            except ApiError as exc:
                reason, fix = explain(exc)
                await self.ctx.lane.run(repo.set_status, address, "not_connected", reason)
                return False, reason, fix
        await self.ctx.lane.run(repo.set_status, address, "connected")
        return True, "", ""

    async def secret_warning(self) -> str:
        """Why secrets are not in the OS keychain ("" when they are)."""
        return await self.ctx.secrets.awarning()

    async def stored_secrets(self, address: str) -> tuple[bool, bool]:
        """Whether a client secret and a password are stored; (False, False) when the secrets file cannot
        be read, so that the form asks for both and the save repairs the file."""
        secrets = self.ctx.secrets
        try:
            return (
                bool(await secrets.aget(address, CLIENT_SECRET)),
                bool(await secrets.aget(address, PASSWORD)),
            )
        except SecretsUnreadable:
            return False, False

    async def test_and_save(self, form: ConnectionForm) -> Outcome:
        try:
            address = normalize_address(form.address)
        except AddressError as exc:
            return Outcome(False, await self.badge(), reason=str(exc), problems=[FormProblem("address", str(exc))])
        has_secret, has_password = await self.stored_secrets(address)
        problems = check_form(form, stored_secret=has_secret, stored_password=has_password)
        if problems:
            return Outcome(
                False, await self.badge(), reason=problems[0].message, problems=problems, address=address
            )
        secret = form.client_secret or await self.ctx.secrets.aget(address, CLIENT_SECRET) or ""
        password = form.password or await self.ctx.secrets.aget(address, PASSWORD) or ""
        creds = UnoPimCredentials(address, form.client_id.strip(), secret, form.username.strip(), password)
        client = self.client_factory(creds)
        try:
            await client.sign_in()
        except (ApiError, httpx.HTTPError) as exc:
            reason, fix = explain(exc)
            status = exc.status if isinstance(exc, ApiError) else None
            saved = await self.address()
            if saved is None or saved == address:
                # The saved connection's own sign-in failed: its badge says so.
                await self.ctx.lane.run(
                    repo.record_connection, address, client_id=creds.client_id, username=creds.username,
                    ok=False, error=reason,
                )
                await self.ctx.lane.run(repo.add_log, address, f"Sign-in failed: {reason}", level="error",
                                        category="connection", http_status=status or None, action="failed")
                badge = Badge.NOT_CONNECTED
            else:
                # A new address that was never saved: the saved connection is untouched, and so is its badge.
                await self.ctx.lane.run(repo.add_log, saved, f"Test of {address} failed: {reason} The saved "
                                        f"connection to {saved} is unchanged.", level="warning",
                                        category="connection", http_status=status or None, action="failed")
                badge = await self.badge(saved)
            log.warning("sign-in to %s failed: %s", address, reason)
            self.bus.emit(changed(LOGS))
            return Outcome(False, badge, reason=reason, fix=fix, status=status, address=address)
        finally:
            await client.aclose()
        # Secrets first: if the keychain refuses, nothing claims a connection that cannot be reused. An
        # unreadable secrets file (its key lost or damaged) is set aside first, so the new ones can be saved.
        await self.ctx.secrets.arepair()
        if form.client_secret:
            await self.ctx.secrets.aset(address, CLIENT_SECRET, form.client_secret)
        if form.password:
            await self.ctx.secrets.aset(address, PASSWORD, form.password)
        await self.ctx.lane.run(
            repo.record_connection, address, client_id=creds.client_id, username=creds.username, ok=True
        )
        await self.ctx.lane.run(repo.add_log, address, f"Connected to {address} as {creds.username}.",
                                category="connection")
        log.info("connected to %s", address)
        if self.on_saved is not None:
            await self.on_saved()
        self.bus.emit(changed(CONNECTION, LOGS))
        return Outcome(True, await self.badge(address), address=address)

    async def badge(self, address: str | None = None) -> Badge:
        info = await self.ctx.lane.run(repo.instance_info, address)
        return badge_for(info)

    async def credentials(self, address: str | None = None) -> UnoPimCredentials | None:
        """The stored connection with its secrets, for the engine. None when not fully saved."""
        info = await self.ctx.lane.run(repo.instance_info, address)
        if info is None or not info.client_id:
            return None
        secret = await self.ctx.secrets.aget(info.address, CLIENT_SECRET)
        password = await self.ctx.secrets.aget(info.address, PASSWORD)
        if not secret or not password:
            return None
        return UnoPimCredentials(info.address, info.client_id, secret, info.username, password)


def badge_for(info: repo.InstanceInfo | None) -> Badge:
    if info is None or info.status == "not_connected":
        return Badge.NOT_CONNECTED
    if info.status == "refreshing":
        return Badge.REFRESHING
    if info.disabled:
        return Badge.DISABLED
    return Badge.CONNECTED
