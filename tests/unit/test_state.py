import sqlite3

from unopim_desktop.state import migrations, repo
from unopim_desktop.state.db import open_database
from unopim_desktop.state.models import Channel, Instance


def test_database_is_wal_and_at_head(tmp_path):
    db = open_database(tmp_path / "a.sqlite3")
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert migrations.current_version(db) == migrations.HEAD_VERSION
    db.close()


def test_reopening_does_not_migrate_again_or_back_up(tmp_path):
    db = open_database(tmp_path / "a.sqlite3", backups=tmp_path / "bk")
    db.close()
    db = open_database(tmp_path / "a.sqlite3", backups=tmp_path / "bk")
    db.close()
    assert not (tmp_path / "bk").exists()


def test_file_is_copied_before_a_migration(tmp_path, monkeypatch):
    path = tmp_path / "a.sqlite3"
    db = open_database(path)
    repo.get_or_create_instance("https://pim.example.com")
    db.close()

    head = migrations.HEAD_VERSION

    def next_step(db):
        db.execute_sql("CREATE TABLE extra (id INTEGER PRIMARY KEY)")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, (head + 1, next_step)])
    from unopim_desktop.state import db as dbmod

    monkeypatch.setattr(dbmod, "MIGRATIONS", migrations.MIGRATIONS)
    monkeypatch.setattr(dbmod, "HEAD_VERSION", head + 1)
    db = open_database(path, backups=tmp_path / "bk")
    assert migrations.current_version(db) == head + 1
    db.close()
    backups = list((tmp_path / "bk").iterdir())
    assert len(backups) == 1
    old = sqlite3.connect(backups[0])
    assert old.execute("SELECT address FROM instance").fetchall() == [("https://pim.example.com",)]
    assert old.execute("SELECT MAX(version) FROM schemaversion").fetchone()[0] == head


V1_SCHEMA = """
CREATE TABLE schemaversion (id INTEGER PRIMARY KEY, version INTEGER NOT NULL, applied_at DATETIME NOT NULL);
CREATE TABLE instance (id INTEGER PRIMARY KEY, address VARCHAR(255) NOT NULL UNIQUE, client_id VARCHAR(255) NOT NULL,
  username VARCHAR(255) NOT NULL, status VARCHAR(255) NOT NULL, last_error TEXT NOT NULL,
  last_connected_at DATETIME, created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL);
CREATE TABLE setting (id INTEGER PRIMARY KEY, instance_id INTEGER REFERENCES instance (id) ON DELETE CASCADE,
  key VARCHAR(255) NOT NULL, value TEXT NOT NULL);
CREATE TABLE channel (id INTEGER PRIMARY KEY, instance_id INTEGER NOT NULL REFERENCES instance (id) ON DELETE CASCADE,
  code VARCHAR(255) NOT NULL, labels TEXT NOT NULL, root_category VARCHAR(255) NOT NULL, locales TEXT NOT NULL,
  currencies TEXT NOT NULL, pull_enabled INTEGER NOT NULL, push_enabled INTEGER NOT NULL, refreshed_at DATETIME NOT NULL);
CREATE TABLE logentry (id INTEGER PRIMARY KEY, instance_id INTEGER REFERENCES instance (id) ON DELETE CASCADE,
  created_at DATETIME NOT NULL, level VARCHAR(255) NOT NULL, category VARCHAR(255) NOT NULL,
  entity_kind VARCHAR(255) NOT NULL, entity VARCHAR(255) NOT NULL, message TEXT NOT NULL, job_id INTEGER);
INSERT INTO schemaversion (version, applied_at) VALUES (1, '2026-11-01 00:00:00');
INSERT INTO instance (address, client_id, username, status, last_error, created_at, updated_at)
  VALUES ('https://pim.example.com', 'cid', 'admin@example.com', 'connected', '', '2026-11-01', '2026-11-01');
INSERT INTO channel (instance_id, code, labels, root_category, locales, currencies, pull_enabled, push_enabled, refreshed_at)
  VALUES (1, 'default', '{}', 'root', '["en_US"]', '["USD"]', 1, 0, '2026-11-01');
"""


def test_the_oldest_schema_migrates_to_head_keeping_its_rows(tmp_path):
    path = tmp_path / "old.sqlite3"
    raw = sqlite3.connect(path)
    raw.executescript(V1_SCHEMA)
    raw.close()
    db = open_database(path, backups=tmp_path / "bk")
    assert migrations.current_version(db) == migrations.HEAD_VERSION
    channel = Channel.get(code="default")
    assert channel.pull_enabled and not channel.push_enabled
    assert channel.sync_interval == "1h" and channel.debounce_s == 60 and channel.store_id is None
    db.close()
    assert len(list((tmp_path / "bk").iterdir())) == 1


def test_data_is_isolated_per_address_and_restored_on_switch_back(tmp_path):
    db = open_database(tmp_path / "a.sqlite3")
    a, b = "https://a.example.com", "https://b.example.com"
    repo.record_connection(a, client_id="ca", username="ua", ok=True)
    Channel.create(instance=Instance.get(address=a), code="default")
    repo.add_log(a, "only for a")
    repo.record_connection(b, client_id="cb", username="ub", ok=True)
    assert repo.active_address() == b
    info_b = repo.instance_info()
    assert info_b.client_id == "cb" and info_b.channels == 0
    assert [r["message"] for r in repo.recent_logs(b)] == []
    repo.record_connection(a, client_id="ca", username="ua", ok=True)
    info_a = repo.instance_info()
    assert info_a.address == a and info_a.channels == 1
    assert [r["message"] for r in repo.recent_logs(a)] == ["only for a"]
    db.close()


def test_failed_attempt_keeps_stored_ids_but_marks_not_connected(tmp_path):
    db = open_database(tmp_path / "a.sqlite3")
    a = "https://a.example.com"
    repo.record_connection(a, client_id="ca", username="ua", ok=True)
    repo.record_connection(a, client_id="other", username="other", ok=False, error="HTTP 401")
    info = repo.instance_info(a)
    assert (info.client_id, info.username, info.status) == ("ca", "ua", "not_connected")
    db.close()


def test_disabled_when_every_channel_has_pull_and_push_off(tmp_path):
    db = open_database(tmp_path / "a.sqlite3")
    a = "https://a.example.com"
    repo.record_connection(a, client_id="ca", username="ua", ok=True)
    inst = Instance.get(address=a)
    Channel.create(instance=inst, code="default", pull_enabled=False, push_enabled=False)
    assert repo.instance_info(a).disabled
    Channel.create(instance=inst, code="mobile", pull_enabled=True, push_enabled=False)
    assert not repo.instance_info(a).disabled
    db.close()


def _store_for_links(tmp_path):
    from unopim_desktop.state.models import Store

    db = open_database(tmp_path / "links.sqlite3")
    inst = repo.get_or_create_instance("https://pim.example.com")
    Store.create(instance=inst, label="Shop", kind="woocommerce", url="https://shop.example.com")
    return db


def test_link_batch_inserts_updates_and_leaves_unset_fields_as_stored(tmp_path):
    from unopim_desktop.state import sync_repo
    from unopim_desktop.state.sync_repo import LinkWrite

    db = _store_for_links(tmp_path)
    address = "https://pim.example.com"
    sync_repo.commit_batch(address, "Shop", [
        LinkWrite("product", f"SKU-{i}", 100 + i, content_hash=f"c{i}", image_hash="i0", pulled=True)
        for i in range(200)  # more than one multi-row statement
    ] + [LinkWrite("variant", "V-1", 7, parent_code="SKU-1", content_hash="v")])
    # An image-only write must keep the content hash; a later write to the same link in the batch wins.
    sync_repo.commit_batch(address, "Shop", [
        LinkWrite("product", "SKU-3", 103, image_hash="i1"),
        LinkWrite("product", "SKU-4", 104, store_hash="s4", pushed=True),
        LinkWrite("product", "SKU-4", 444, store_hash="s4b"),
        LinkWrite("variant", "V-1", 8),
    ])
    links = sync_repo.load_links(address, "Shop")
    assert len(links) == 201
    assert (links[("product", "SKU-3")].content_hash, links[("product", "SKU-3")].image_hash) == ("c3", "i1")
    four = links[("product", "SKU-4")]
    assert (four.store_id, four.store_hash, four.content_hash) == (444, "s4b", "c4")
    assert four.pushed_at is not None and four.pulled_at is not None
    assert links[("product", "SKU-5")].pushed_at is None
    variant = links[("variant", "V-1")]
    assert (variant.store_id, variant.parent_code, variant.content_hash) == (8, "SKU-1", "v")
    db.close()


def test_loaded_links_are_rows_with_dates_and_stay_out_of_the_collector(tmp_path):
    import gc

    from unopim_desktop.state import sync_repo
    from unopim_desktop.state.sync_repo import LinkRow, LinkWrite

    db = _store_for_links(tmp_path)
    sync_repo.commit_batch("https://pim.example.com", "Shop", [LinkWrite("product", "A", 1, pulled=True)])
    links = sync_repo.load_links("https://pim.example.com", "Shop")
    row = links[("product", "A")]
    assert isinstance(row, LinkRow) and row.store_id == 1 and row.pulled_at is not None and row.pushed_at is None
    assert links.get(("product", "B")) is None and len(links) == 1
    links[("variant", "V")] = row._replace(kind="variant", code="V")
    assert dict(links.items())[("variant", "V")].code == "V"
    gc.collect()
    # What the table keeps per link must not be scanned by every full collection (window stalls).
    assert not any(gc.is_tracked(raw) for raw in links.raw_rows())
    db.close()


def test_link_table_mirrors_a_committed_batch():
    import datetime as dt

    from unopim_desktop.state.sync_repo import LinkTable, LinkWrite

    links = LinkTable()
    first, later = dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 2)
    links.apply([LinkWrite("product", "A", 1, content_hash="c", image_hash="i", pulled=True),
                 LinkWrite("images", "product:A", 1, store_hash="s")], now=first, skip_kinds=frozenset({"images"}))
    assert list(links) == [("product", "A")]  # the skipped kind is not held
    links.apply([LinkWrite("product", "A", 2, image_hash="j", pushed=True)], now=later)
    row = links[("product", "A")]
    assert (row.store_id, row.content_hash, row.image_hash, row.pulled_at, row.pushed_at) == (2, "c", "j", first, later)
    links.apply([], [("product", "A")], now=later)
    assert len(links) == 0
