"""The Logs' storage: schema 5's columns and indexes, keyset paging newest first, every filter, a capped
count, the detail row with its run, and the daily trim. Every filter's query walks an index (read from
SQLite's plan, not timed), so a million rows page like a hundred."""

from __future__ import annotations

import datetime as dt

import pytest

from unopim_desktop.domain import LogFilter
from unopim_desktop.state import logs_repo, repo, sync_repo
from unopim_desktop.state.db import open_database

A, B = "https://a.example.com", "https://b.example.com"
NOW = dt.datetime(2026, 11, 20, 12, 0, 0)


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "logs.sqlite3")
    repo.get_or_create_instance(A)
    repo.get_or_create_instance(B)
    yield database
    database.close()


def _rows(n: int, **kw) -> list[dict]:
    out = []
    for i in range(n):
        out.append({
            "message": f"row {i} " + ("Price must be a number" if i % 10 == 3 else "written"),
            "level": "error" if i % 10 == 3 else ("warning" if i % 10 == 5 else "info"),
            "category": "pull" if i % 2 else "push", "direction": "pull" if i % 2 else "push",
            "channel": "web" if i % 3 else "b2b", "entity_kind": "product" if i % 4 else "category",
            "entity": f"SKU-{i % 25}", "action": "failed" if i % 10 == 3 else "updated", "run": 7 if i < 50 else 8,
            "http_status": 422 if i % 10 == 3 else None, "server_text": '{"message":"price invalid"}' if i % 10 == 3 else "",
            "created_at": NOW - dt.timedelta(minutes=n - i), **kw,
        })
    return out


def test_schema_5_has_the_columns_and_the_indexes(db):
    columns = {c.name for c in db.get_columns("logentry")}
    assert {"channel", "direction", "action", "http_status", "server_text", "job_id"} <= columns
    indexes = {i.name for i in db.get_indexes("logentry")}
    assert {"logentry_instance_level", "logentry_instance_channel", "logentry_instance_direction",
            "logentry_instance_entity", "logentry_instance_created", "logentry_job"} <= indexes


def test_pages_go_newest_first_by_id_and_stay_within_one_address(db):
    logs_repo.add_logs(A, _rows(120))
    logs_repo.add_logs(B, _rows(5))
    first = logs_repo.page(A, limit=50)
    assert len(first) == 50 and first[0]["message"].startswith("row 119 ")
    second = logs_repo.page(A, before=first[-1]["id"], limit=50)
    assert second[0]["id"] == first[-1]["id"] - 1 and len(second) == 50
    everything = [r["id"] for chunk in logs_repo.iterate(A, chunk=33) for r in chunk]
    assert len(everything) == 120 and everything == sorted(everything, reverse=True)
    newer = logs_repo.add_logs(A, [{"message": "live"}])
    assert newer == 1
    assert [r["message"] for r in logs_repo.page(A, after=first[0]["id"])] == ["live"]
    assert all(r["message"] != "live" for r in logs_repo.page(B))


@pytest.mark.parametrize("f, check", [
    (LogFilter(level="error"), lambda r: r["level"] == "error"),
    (LogFilter(channel="b2b"), lambda r: r["channel"] == "b2b"),
    (LogFilter(direction="push"), lambda r: r["direction"] == "push"),
    (LogFilter(entity_kind="category"), lambda r: r["entity_kind"] == "category"),
    (LogFilter(entity_kind="product", entity="SKU-7"), lambda r: (r["entity_kind"], r["entity"]) == ("product", "SKU-7")),
    (LogFilter(run=8), lambda r: r["run"] == 8),
    (LogFilter(since=NOW - dt.timedelta(minutes=30)), lambda r: r["created_at"] >= "2026-11-20 11:30:00"),
    (LogFilter(until=NOW - dt.timedelta(minutes=100)), lambda r: r["created_at"] < "2026-11-20 10:20:00"),
    (LogFilter(text="PRICE must"), lambda r: "Price must" in r["message"]),
    (LogFilter(text="sku-1"), lambda r: r["entity"].startswith("SKU-1")),
    (LogFilter(level="error", channel="web", direction="pull"),
     lambda r: (r["level"], r["channel"], r["direction"]) == ("error", "web", "pull")),
])
def test_each_filter_keeps_only_matching_rows_and_counts_them(db, f, check):
    logs_repo.add_logs(A, _rows(120))
    rows = [r for chunk in logs_repo.iterate(A, f) for r in chunk]
    assert rows and all(check(r) for r in rows)
    everything = [r for chunk in logs_repo.iterate(A) for r in chunk]
    assert len(rows) == sum(1 for r in everything if check(r))
    assert logs_repo.count(A, f) == len(rows)


def test_a_text_filter_matches_percent_and_underscore_literally(db):
    logs_repo.add_logs(A, [{"message": "100% done"}, {"message": "1000 done"}, {"message": "a_b"}, {"message": "axb"}])
    assert [r["message"] for r in logs_repo.page(A, LogFilter(text="100%"))] == ["100% done"]
    assert [r["message"] for r in logs_repo.page(A, LogFilter(text="a_b"))] == ["a_b"]


def test_the_count_stops_at_its_cap(db):
    logs_repo.add_logs(A, _rows(120))
    assert logs_repo.count(A, cap=50) == 51
    assert logs_repo.count(A) == 120


@pytest.mark.parametrize("f", [
    LogFilter(), LogFilter(level="error"), LogFilter(channel="web"), LogFilter(direction="pull"),
    LogFilter(entity_kind="product", entity="SKU-3"), LogFilter(run=8),
    LogFilter(since=NOW - dt.timedelta(hours=1)),
])
def test_every_filter_walks_an_index(db, f):
    logs_repo.add_logs(A, _rows(300))
    db.execute_sql("ANALYZE")
    sql, params = logs_repo.query(A, f).limit(200).sql()
    plan = " | ".join(str(r[-1]) for r in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall())
    assert "TEMP B-TREE" not in plan, plan  # rows come in id order: a page never sorts the table
    if f.empty:
        assert plan in ("SCAN t1", "SEARCH t1 USING INDEX logentry_instance_id (instance_id=?)"), plan
    else:
        assert "USING INDEX" in plan or "USING INTEGER PRIMARY KEY" in plan, plan


def test_the_detail_row_names_its_run(db):
    run_id = sync_repo.start_run(A, "pull_full", "web", "Shop", False)
    logs_repo.add_logs(A, [{"message": "Product X failed: HTTP 422", "level": "error", "entity_kind": "product",
                            "entity": "X", "run": run_id, "http_status": 422, "server_text": "x" * 9000}])
    row = logs_repo.page(A)[0]
    detail = logs_repo.entry(A, row["id"])
    assert detail["run_job"] == "pull_full" and detail["run_store"] == "Shop" and detail["http_status"] == 422
    assert len(detail["server_text"]) == logs_repo.SERVER_TEXT_MAX  # cut, not refused
    assert logs_repo.entry(B, row["id"]) is None  # another address's row


def test_trim_removes_only_older_rows_in_chunks(db, monkeypatch):
    monkeypatch.setattr(logs_repo, "TRIM_CHUNK", 7)
    old = [{"message": "old", "created_at": NOW - dt.timedelta(days=40)} for _ in range(30)]
    logs_repo.add_logs(A, old + [{"message": "new", "created_at": NOW - dt.timedelta(days=2)}])
    logs_repo.add_logs(B, [{"message": "b old", "created_at": NOW - dt.timedelta(days=40)}])
    logs_repo.add_logs(None, [{"message": "before any connection", "created_at": NOW - dt.timedelta(days=40)}])
    assert logs_repo.trim(A, NOW - dt.timedelta(days=30)) == 31
    assert [r["message"] for r in logs_repo.page(A)] == ["new"]
    assert [r["message"] for r in logs_repo.page(B)] == ["b old"]  # B keeps its own retention
