"""A million Logs rows written fast (for the Logs tab's test and `benchmarks/logs_ui.py`): SQLite writes them
itself with a recursive CTE, seconds where a million Python dicts through `add_logs` took half a minute."""

from __future__ import annotations

import datetime as dt

from unopim_desktop.app.context import AppContext
from unopim_desktop.state import repo
from unopim_desktop.state.models import database_proxy

ADDRESS = "https://pim.example.com"
ROWS = 1_000_000
SPACING_S = 2  # a million rows in 23 days: inside the default 30 days' retention, so the daily trim keeps them

# The rows are what add_logs writes; one in 1,000 is an error of SKU-ERR-n (n = 0…999, the newest last).
FILL = """
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ? - 1)
INSERT INTO logentry (instance_id, created_at, level, category, entity_kind, entity, message, job_id, channel,
                      direction, action, http_status, server_text)
SELECT ?, datetime(?, '+' || (? * i) || ' seconds'),
       CASE WHEN i % 1000 = 999 THEN 'error' ELSE 'info' END, 'pull', 'product',
       CASE WHEN i % 1000 = 999 THEN 'SKU-ERR-' || (i / 1000) ELSE printf('SKU-%05d', i % 20000) END,
       CASE WHEN i % 1000 = 999 THEN 'Product SKU-ERR-' || (i / 1000) || ' failed: refused.'
            ELSE printf('Product SKU-%05d updated in “Shop” (id %d).', i % 20000, i) END,
       NULL, 'default', 'pull', CASE WHEN i % 1000 = 999 THEN 'failed' ELSE 'updated' END, NULL, ''
FROM n
"""


def fill(ctx: AppContext, rows: int = ROWS) -> None:
    """`rows` Logs rows for ADDRESS (connected), the newest a minute ago."""
    ctx.lane.run_sync(repo.record_connection, ADDRESS, client_id="id", username="u", ok=True)
    start = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0) - dt.timedelta(seconds=SPACING_S * rows + 60)

    def insert() -> None:
        instance = repo.get_or_create_instance(ADDRESS)
        with database_proxy.atomic():
            database_proxy.execute_sql(FILL, (rows, instance.id, start.strftime("%Y-%m-%d %H:%M:%S"), SPACING_S))

    ctx.lane.run_sync(insert)
