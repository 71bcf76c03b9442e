"""The General setting that paces push reconciliations: `reconcile_hours` (default 24, 0 = every time)."""

from __future__ import annotations

import pytest

from unopim_desktop.state import sync_repo


def test_reconcile_hours_default_is_a_day():
    assert sync_repo.GENERAL_DEFAULTS["reconcile_hours"] == "24"


@pytest.mark.parametrize("raw, hours", [("0", 0), ("24", 24), (" 6 ", 6), (48, 48)])
def test_reconcile_hours_accepts_whole_non_negative_numbers(raw, hours):
    assert sync_repo.reconcile_hours_value(raw) == hours


@pytest.mark.parametrize("raw", ["-1", "1.5", "", "two", "²"])
def test_reconcile_hours_refuses_anything_else(raw):
    with pytest.raises(ValueError, match="whole number"):
        sync_repo.reconcile_hours_value(raw)
