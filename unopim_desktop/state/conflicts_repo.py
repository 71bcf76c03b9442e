"""Conflicts: fields changed on both sides since they last agreed, as a run found them (settled by the
General setting's rule, or left open), and the merchant's choice for an open one, which moves the link's
field base so the next run of that product carries the chosen value over (see `sync.merge`)."""

from __future__ import annotations

import json
from typing import Any

from unopim_desktop.state.models import Conflict, Link, Store, database_proxy, utcnow
from unopim_desktop.state.sync_repo import _instance, _store


def record_conflicts(address: str, label: str, rows: list[dict[str, Any]]) -> None:
    """Conflicts found by a run: an open one replaces the open one of the same field."""
    inst, store = _instance(address), _store(address, label)
    with database_proxy.atomic():
        for r in rows:
            Conflict.delete().where((Conflict.target == store) & (Conflict.entity_kind == r["kind"])
                                    & (Conflict.code == r["code"]) & (Conflict.field == r["field"])
                                    & (Conflict.status == "open")).execute()
            Conflict.create(instance=inst, target=store, entity_kind=r["kind"], code=r["code"], field=r["field"],
                            base=_dump(r.get("base")), unopim_value=_dump(r.get("unopim")),
                            store_value=_dump(r.get("store")), status=r.get("status", "open"),
                            resolved_by="rule" if r.get("status", "open") != "open" else "",
                            resolved_at=None if r.get("status", "open") == "open" else utcnow())


def conflicts(address: str, *, status: str | None = None, limit: int = 500) -> list[dict[str, Any]]:
    q = Conflict.select(Conflict, Store.label).join(Store).where(Conflict.instance == _instance(address))
    if status:
        q = q.where(Conflict.status == status)
    return [{"id": c.id, "store": c.target.label, "kind": c.entity_kind, "code": c.code, "field": c.field,
             "base": _load(c.base), "unopim": _load(c.unopim_value), "store_value": _load(c.store_value),
             "detected_at": c.detected_at.isoformat(sep=" ", timespec="seconds"), "status": c.status,
             "resolved_by": c.resolved_by}
            for c in q.order_by(Conflict.id.desc()).limit(limit)]


def resolve_conflict(conflict_id: int, keep: str) -> dict[str, Any]:
    """The merchant's choice for an open conflict: `keep` is "unopim" or "store". The link's base moves so
    the next run for that entity carries the chosen value over (see `sync.merge`); returns the conflict."""
    c = Conflict.get_by_id(conflict_id)
    with database_proxy.atomic():
        link = Link.get_or_none((Link.target == c.target) & (Link.kind == c.entity_kind) & (Link.code == c.code))
        if link is not None:
            base = json.loads(link.base) if link.base else {}
            # Keep UnoPim: the store's value counts as seen, so UnoPim's is the change the pull writes.
            # Take the store: UnoPim's counts as seen, so the store's is the change the push writes.
            base[c.field] = _load(c.store_value if keep == "unopim" else c.unopim_value)
            link.base = json.dumps(base, sort_keys=True, default=str)
            link.content_hash = ""  # the next pull of it compares it, whatever its hash said
            link.store_hash = ""  # and so does the next push
            link.save()
        c.status, c.resolved_by, c.resolved_at = keep, "merchant", utcnow()
        c.save()
    return {"kind": c.entity_kind, "code": c.code, "field": c.field, "store": c.target.label}


def _dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _load(text: str) -> Any:
    return json.loads(text) if text else None
