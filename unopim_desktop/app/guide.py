"""The first-run guide and what may run now: Connection → Refresh channels → Stores → Mapping → Preview →
Pull Full, each step done or not, read from what is saved (the window's guide strip and the Sync actions'
tooltips say the same thing)."""

from __future__ import annotations

from dataclasses import dataclass

from unopim_desktop.app.context import AppContext
from unopim_desktop.state import checkpoints_repo, mapping_repo, repo, stores_repo, sync_repo

CONNECT = "Connect to UnoPim first: Connection tab → Test & Save."
REFRESH = "Fetch the channels first: Channels & Stores → Refresh channels."
NO_TARGET = "No channel syncs to a store yet: add a store and pick it for a channel on Channels & Stores, then Save channels."
NO_PUSH_TARGET = "No channel with Push on has a store: switch Push on for a channel on Channels & Stores."
NO_MAPPING = "Save a field mapping first: Mapping tab → Apply defaults → Save mapping."
NO_PULL_YET = "Pull Delta compares with the last pull: run Pull Full first."


@dataclass(frozen=True)
class GuideStep:
    key: str  # connection | channels | stores | mapping | preview | pull
    title: str
    done: bool
    todo: str  # what to do, in the window's words


@dataclass(frozen=True)
class Readiness:
    """Why each Sync action cannot run now ("" when it can)."""

    pull_full: str = ""
    pull_delta: str = ""
    push: str = ""

    @property
    def pull_ready(self) -> bool:
        return not self.pull_full


class GuideService:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def _facts(self) -> dict[str, bool]:
        """On the database's thread: every fact the guide and the Sync actions need, in one go."""
        address = repo.active_address()
        info = repo.instance_info(address) if address else None
        if info is None:
            return {"connected": False}
        channels = stores_repo.list_channels(address)
        stores = stores_repo.list_stores(address)
        active = {s.label for s in stores if s.active}
        pulls = sync_repo.finished_pulls(address)
        targets = [c for c in channels if c.store_label in active]
        return {
            # Saved credentials: a later failed sign-in turns the badge red, but the step was done.
            "connected": bool(info.client_id),
            "channels": bool(channels),
            "stores": bool(stores),
            "pull_target": any(c.pull_enabled for c in targets),
            "push_target": any(c.push_enabled for c in targets),
            "mapping": bool(mapping_repo.core_mapping(address)),
            "previewed": pulls["previewed"],
            "pulled": pulls["pulled"],
            "any_pull": any(checkpoints_repo.watermark(address, c.store_label, c.code)
                            for c in targets if c.pull_enabled),
        }

    async def facts(self) -> dict[str, bool]:
        return await self.ctx.lane.run(self._facts)

    async def steps(self) -> list[GuideStep]:
        return steps_from(await self.facts())

    async def readiness(self) -> Readiness:
        return readiness_from(await self.facts())


def steps_from(f: dict[str, bool]) -> list[GuideStep]:
    pulled = f.get("pulled", False)
    return [
        GuideStep("connection", "Connection", f.get("connected", False),
                  "Fill in the Connection tab and click Test & Save."),
        GuideStep("channels", "Refresh channels", f.get("channels", False),
                  "On Channels & Stores, click Refresh channels to fetch channels, locales and currencies."),
        GuideStep("stores", "Stores", f.get("stores", False) and f.get("pull_target", False),
                  "On Channels & Stores, add your WooCommerce site or BigCommerce store, pick it for a channel and "
                  "click Save channels."),
        GuideStep("mapping", "Mapping", f.get("mapping", False),
                  "On the Mapping tab, click Apply defaults (auto-map), check the rows, then Save mapping."),
        GuideStep("preview", "Preview", f.get("previewed", False) or pulled,
                  "On the Sync tab, tick Dry run and click Pull Full: the Preview lists every change, nothing is "
                  "written."),
        GuideStep("pull", "Pull Full", pulled,
                  "On the Sync tab, click Pull Full: the store receives the catalogue."),
    ]


def readiness_from(f: dict[str, bool]) -> Readiness:
    if not f.get("connected"):
        return Readiness(CONNECT, CONNECT, CONNECT)
    if not f.get("channels"):
        return Readiness(REFRESH, REFRESH, REFRESH)
    mapping = "" if f.get("mapping") else NO_MAPPING
    pull = "" if f.get("pull_target") else NO_TARGET
    push = "" if f.get("push_target") else NO_PUSH_TARGET
    full = pull or mapping
    return Readiness(pull_full=full, pull_delta=full or ("" if f.get("any_pull") else NO_PULL_YET),
                     push=push or mapping)
