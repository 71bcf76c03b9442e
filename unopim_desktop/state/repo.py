"""Units of work on the database. Synchronous and await-free: run them on the `DbLane`."""

from __future__ import annotations

from dataclasses import dataclass

from unopim_desktop.state import logs_repo
from unopim_desktop.state.models import Channel, Instance, Setting, database_proxy, utcnow

ACTIVE_INSTANCE_KEY = "active_instance"


@dataclass(frozen=True)
class InstanceInfo:
    """What the UI and CLI show about a connection; never holds a secret."""

    address: str
    client_id: str
    username: str
    status: str
    last_error: str
    channels: int
    channels_all_off: bool

    @property
    def disabled(self) -> bool:
        return self.status == "connected" and self.channels_all_off


def _instance(address: str) -> Instance | None:
    return Instance.get_or_none(Instance.address == address)


def get_or_create_instance(address: str) -> Instance:
    inst, _ = Instance.get_or_create(address=address)
    return inst


def active_address() -> str | None:
    row = Setting.get_or_none((Setting.instance.is_null()) & (Setting.key == ACTIVE_INSTANCE_KEY))
    return row.value if row and row.value else None


def set_active_address(address: str) -> None:
    # SQLite treats NULLs as distinct in a unique index, so an upsert on (NULL, key) would duplicate.
    with database_proxy.atomic():
        Setting.delete().where((Setting.instance.is_null()) & (Setting.key == ACTIVE_INSTANCE_KEY)).execute()
        Setting.create(instance=None, key=ACTIVE_INSTANCE_KEY, value=address)


def record_connection(address: str, *, client_id: str, username: str, ok: bool, error: str = "") -> None:
    """After a Test & Save. A failure keeps what was stored before and only records the error."""
    with database_proxy.atomic():
        inst = get_or_create_instance(address)
        if ok:
            inst.client_id = client_id
            inst.username = username
            inst.status = "connected"
            inst.last_error = ""
            inst.last_connected_at = utcnow()
            set_active_address(address)
        else:
            # The badge says the last sign-in failed; the stored ids and secrets stay as they were.
            inst.last_error = error
            inst.status = "not_connected"
        inst.updated_at = utcnow()
        inst.save()


def set_status(address: str, status: str, error: str = "") -> None:
    inst = _instance(address)
    if inst is None:
        return
    inst.status = status
    if error:
        inst.last_error = error
    inst.updated_at = utcnow()
    inst.save()


def instance_info(address: str | None = None) -> InstanceInfo | None:
    address = address or active_address()
    if not address:
        return None
    inst = _instance(address)
    if inst is None:
        return None
    channels = list(Channel.select().where(Channel.instance == inst))
    all_off = bool(channels) and all(not c.pull_enabled and not c.push_enabled for c in channels)
    return InstanceInfo(
        address=inst.address,
        client_id=inst.client_id,
        username=inst.username,
        status=inst.status,
        last_error=inst.last_error,
        channels=len(channels),
        channels_all_off=all_off,
    )


def add_log(
    address: str | None,
    message: str,
    *,
    level: str = "info",
    category: str = "general",
    entity_kind: str = "",
    entity: str = "",
    job_id: int | None = None,
    channel: str = "",
    direction: str = "",
    action: str = "",
    http_status: int | None = None,
    server_text: str = "",
) -> None:
    logs_repo.add_logs(address, [{
        "message": message, "level": level, "category": category, "entity_kind": entity_kind, "entity": entity,
        "run": job_id, "channel": channel, "direction": direction, "action": action, "http_status": http_status,
        "server_text": server_text,
    }])


def recent_logs(address: str | None, limit: int = 500) -> list[dict]:
    """The newest rows (see `logs_repo.page` for filters and paging)."""
    return logs_repo.page(address, limit=limit)


# -- app-wide values (window size and place, last tab, the guide, the last Logs trim) ------------------
def app_value(key: str) -> str:
    row = Setting.get_or_none((Setting.instance.is_null()) & (Setting.key == key))
    return row.value if row else ""


def set_app_values(values: dict[str, str]) -> None:
    with database_proxy.atomic():
        for key, value in values.items():
            Setting.delete().where((Setting.instance.is_null()) & (Setting.key == key)).execute()
            Setting.create(instance=None, key=key, value=value)


def erase_instance(address: str) -> dict[str, int]:
    """Everything this app keeps for one UnoPim address, gone from the database: its settings, stores,
    channels, mappings, links, checkpoints, runs with their previews, and Logs rows (the rows hang off the
    instance and go with it). The active address is forgotten when it was this one. What went, by kind."""
    from unopim_desktop.state.models import LogEntry, PlannedChange, Store, SyncRun

    inst = _instance(address)
    if inst is None:
        return {}
    with database_proxy.atomic():
        runs = [r.id for r in SyncRun.select(SyncRun.id).where(SyncRun.instance == inst)]
        gone = {
            "stores": Store.select().where(Store.instance == inst).count(),
            "runs": len(runs),
            "log rows": LogEntry.select().where(LogEntry.instance == inst).count(),
        }
        for start in range(0, len(runs), 500):
            PlannedChange.delete().where(PlannedChange.run.in_(runs[start:start + 500])).execute()
        inst.delete_instance(recursive=False)  # ON DELETE CASCADE takes every row that hangs off it
        if active_address() == address:
            Setting.delete().where((Setting.instance.is_null()) & (Setting.key == ACTIVE_INSTANCE_KEY)).execute()
    return gone
