"""What the app's services announce: `Changed(kinds)` after they saved something, on the same event bus
as the engine's events. The window's tabs redraw on the kinds they show; the CLI ignores them."""

from __future__ import annotations

from dataclasses import dataclass

# The kinds of state a service can change.
CONNECTION = "connection"  # the saved UnoPim connection (address, credentials, status)
STORES = "stores"  # store connections
CHANNELS = "channels"  # the channel list and each channel's sync settings
MAPPING = "mapping"  # core, attribute and category mappings
SETTINGS = "settings"  # general settings
LOGS = "logs"  # rows were added to the Logs
SCHEDULE = "schedule"  # the scheduled jobs: paused or resumed, triggered, their next run
KINDS = frozenset({CONNECTION, STORES, CHANNELS, MAPPING, SETTINGS, LOGS, SCHEDULE})


@dataclass(frozen=True)
class Changed:
    kinds: frozenset[str]

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - KINDS
        if unknown:
            raise ValueError(f"unknown change kind(s): {', '.join(sorted(unknown))}")


def changed(*kinds: str) -> Changed:
    return Changed(frozenset(kinds))
