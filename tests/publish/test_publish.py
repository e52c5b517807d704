"""The published copy: consistent, atomic, read-only, and readable while a run writes."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from toy_warehouse import build_version  # tests/publish/, on sys.path for its tests

from pipelines import publish as publishing
from pipelines.defs.pool import POOL
from pipelines.paths import DEMO_DIR, REPO_ROOT
from pipelines.publish import (
    PUBLICATION_TABLE,
    NothingToPublish,
    connect_published,
    current_version,
    expired_versions,
    publish,
    published_path,
    read_publication,
    version_name,
)

READER = Path(__file__).with_name("reader.py")


@pytest.fixture
def live(tmp_path) -> Path:
    path = tmp_path / "live" / "impetus.duckdb"
    path.parent.mkdir()
    with duckdb.connect(str(path)) as conn:
        build_version(conn, 1)
    return path


def test_published_path_defaults_beside_the_warehouse_and_follows_the_env(monkeypatch, tmp_path):
    monkeypatch.delenv("IMPETUS_PUBLISHED", raising=False)
    monkeypatch.delenv("IMPETUS_WAREHOUSE", raising=False)
    assert published_path() == REPO_ROOT / "data/warehouse/published/impetus.duckdb"
    assert published_path(tmp_path / "w.duckdb") == tmp_path / "published" / "w.duckdb"
    monkeypatch.setenv("IMPETUS_WAREHOUSE", str(tmp_path / "x" / "y.duckdb"))
    assert published_path() == tmp_path / "x" / "published" / "y.duckdb"
    monkeypatch.setenv("IMPETUS_PUBLISHED", str(tmp_path / "for_bi.duckdb"))
    assert published_path(tmp_path / "w.duckdb") == tmp_path / "for_bi.duckdb"


def test_publish_stamps_the_copy_and_leaves_nothing_behind(live, tmp_path):
    target = tmp_path / "pub" / "impetus.duckdb"
    publication = publish(live, target, run_id="run-1")
    assert publication.path == target
    assert publication.row_counts == {"marts.pillar_score": 31, "staging.things": 1}
    assert sorted(p.name for p in target.parent.iterdir()) == ["impetus.duckdb", "versions"]
    # the published path is a relative link to the one version file, which is read-only
    assert target.is_symlink()
    assert os.readlink(target) == f"versions/{publication.version.name}"
    assert list((target.parent / "versions").iterdir()) == [publication.version]
    assert re.fullmatch(r"impetus-\d{8}T\d{12}Z-run_1\.duckdb", publication.version.name)
    assert current_version(target) == publication.version
    assert stat.S_IMODE(publication.version.stat().st_mode) == 0o444
    stamp = read_publication(target)
    assert stamp["run_id"] == "run-1"
    assert stamp["row_counts"] == publication.row_counts
    with connect_published(target) as conn:
        assert conn.execute(
            f"select count(distinct published_at) from {PUBLICATION_TABLE}"
        ).fetchone() == (1,)
        comment = conn.execute(
            "select comment from duckdb_tables() where schema_name = 'meta'"
        ).fetchone()[0]
        assert "row count" in comment
    # the live warehouse is untouched: no meta schema there
    with duckdb.connect(str(live), read_only=True) as conn:
        assert conn.execute(
            "select count(*) from duckdb_tables() where schema_name = 'meta'"
        ).fetchone() == (0,)


def test_a_reader_with_the_old_file_open_keeps_the_old_version(live, tmp_path):
    target = tmp_path / "pub.duckdb"
    publish(live, target, run_id="v1")
    old = connect_published(target)
    with duckdb.connect(str(live)) as conn:
        build_version(conn, 3)
        publish(live, target, conn=conn, run_id="v2")
    assert old.execute("select count(*) from marts.pillar_score").fetchone() == (31,)
    assert old.execute(f"select distinct run_id from {PUBLICATION_TABLE}").fetchall() == [("v1",)]
    old.close()
    assert read_publication(target)["run_id"] == "v2"
    assert read_publication(target)["row_counts"]["marts.pillar_score"] == 93


def test_a_reader_that_resolved_the_link_before_a_swap_still_opens_its_version(live, tmp_path):
    target = tmp_path / "pub.duckdb"
    publish(live, target, run_id="v1")
    resolved = current_version(target)  # ... and then, before it opens the file, two more runs
    before = (resolved.stat().st_ino, resolved.stat().st_mtime_ns, resolved.read_bytes())
    publish(live, target, run_id="v2")
    publish(live, target, run_id="v3")
    # the version file was not replaced or written: what DuckDB reads in its several opens of
    # one connection is the same bytes
    assert (resolved.stat().st_ino, resolved.stat().st_mtime_ns, resolved.read_bytes()) == before
    assert read_publication(resolved)["run_id"] == "v1"
    assert read_publication(target)["run_id"] == "v3"
    assert len(list((tmp_path / "versions").iterdir())) == 3


def test_superseded_versions_go_once_their_successor_is_older_than_the_grace_period(tmp_path):
    pointer = tmp_path / "impetus.duckdb"
    versions = tmp_path / "versions"
    versions.mkdir()
    t0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    names = {}
    for minutes, run in ((0, "a"), (10, "b"), (30, "c"), (50, "d"), (52, "e")):
        path = versions / version_name(pointer, t0 + timedelta(minutes=minutes), run)
        path.write_bytes(b"")
        names[run] = path
    os.symlink(f"versions/{names['d'].name}", pointer)  # e: a failed publication, never current
    (versions / "impetus-not-a-version.duckdb").write_bytes(b"")  # not ours: left alone
    stale_tmp = versions / f".{names['e'].name}.0123.tmp"
    stale_tmp.write_bytes(b"")
    os.utime(stale_tmp, (t0.timestamp(), t0.timestamp()))

    now = t0 + timedelta(minutes=52, seconds=1)
    keep = timedelta(minutes=15)
    # a was superseded by b 42 min ago, b by c 22 min ago: both go; c by d 2 min ago: kept
    assert sorted(expired_versions(pointer, now=now, keep_for=keep)) == sorted(
        [names["a"], names["b"], stale_tmp]
    )
    later = t0 + timedelta(hours=2)
    # the current version d stays however old its successor e is; e has no successor
    assert sorted(expired_versions(pointer, now=later, keep_for=keep)) == sorted(
        [names["a"], names["b"], names["c"], stale_tmp]
    )


def test_publish_removes_expired_versions_and_keeps_the_current(live, tmp_path, monkeypatch):
    target = tmp_path / "pub.duckdb"
    monkeypatch.setattr(publishing, "SUPERSEDED_VERSIONS_KEPT_FOR", timedelta(0))
    for k in range(4):
        last = publish(live, target, run_id=f"v{k}")
    assert list((tmp_path / "versions").iterdir()) == [last.version]
    assert read_publication(target)["run_id"] == "v3"


@pytest.mark.parametrize(
    ("step", "failure"),
    [("_stamp", "disk full"), ("_point", "no symlinks here")],
    ids=["stamping", "swapping the link"],
)
def test_a_failed_publication_leaves_the_previous_copy_and_no_files(
    live, tmp_path, monkeypatch, step, failure
):
    target = tmp_path / "pub.duckdb"
    publish(live, target, run_id="good")

    def broken(*args, **kwargs):
        raise OSError(failure)

    monkeypatch.setattr(publishing, step, broken)
    with pytest.raises(OSError, match=failure):
        publish(live, target, run_id="bad")
    assert read_publication(target)["run_id"] == "good"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["live", "pub.duckdb", "versions"]
    assert list((tmp_path / "versions").iterdir()) == [current_version(target)]


def test_an_empty_warehouse_is_not_published_over_the_last_good_copy(live, tmp_path):
    target = tmp_path / "pub.duckdb"
    publish(live, target, run_id="good")
    empty = tmp_path / "empty" / "impetus.duckdb"
    empty.parent.mkdir()
    duckdb.connect(str(empty)).close()
    with pytest.raises(NothingToPublish, match="holds no tables yet: run `impetus materialize`"):
        publish(empty, target, run_id="empty")
    assert read_publication(target)["run_id"] == "good"
    assert list((tmp_path / "versions").iterdir()) == [current_version(target)]


def test_publishing_over_a_plain_file_of_an_earlier_release_replaces_it_with_the_link(
    live, tmp_path
):
    target = tmp_path / "pub.duckdb"
    publication = publish(live, target, run_id="old")
    shutil.copyfile(publication.version, tmp_path / "plain.duckdb")
    target.unlink()
    os.replace(tmp_path / "plain.duckdb", target)  # as releases before the versions/ folder did
    publish(live, target, run_id="new")
    assert target.is_symlink()
    assert read_publication(target)["run_id"] == "new"


def test_a_stray_wal_beside_the_copy_is_not_replayed_into_the_new_version(live, tmp_path):
    target = tmp_path / "pub.duckdb"
    publish(live, target, run_id="v1")
    (tmp_path / "pub.duckdb.wal").write_bytes(b"not a wal of this file")
    publish(live, target, run_id="v2")
    assert not (tmp_path / "pub.duckdb.wal").exists()
    assert read_publication(target)["run_id"] == "v2"


def test_the_published_connection_cannot_touch_files_or_write(live, tmp_path):
    target = tmp_path / "pub.duckdb"
    publish(live, target)
    with connect_published(target) as conn:
        for statement in (
            "select * from read_csv('/etc/passwd')",
            f"copy marts.pillar_score to '{tmp_path / 'out.csv'}'",
            f"attach '{tmp_path / 'other.duckdb'}' as other",
        ):
            with pytest.raises(duckdb.PermissionException):
                conn.execute(statement)
        with pytest.raises(duckdb.Error):
            conn.execute("set enable_external_access = true")
        with pytest.raises(duckdb.Error):
            conn.execute("create table marts.x as select 1")
    assert not (tmp_path / "out.csv").exists()


def test_published_copy_asset_waits_for_every_other_asset_in_the_writers_pool():
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    key = dg.AssetKey(["published_copy"])
    others = graph.get_all_asset_keys() - {key}
    assert graph.get(key).parent_keys == others
    assert len(others) > 15
    (asset,) = [a for a in defs.assets if key in getattr(a, "keys", ())]
    assert {node.pool for node in [asset.node_def]} == {POOL}
    full = defs.resolve_job_def("full_rebuild_job")
    assert key in full.asset_layer.executable_asset_keys
    assert defs.resolve_job_def("publish_job").asset_layer.executable_asset_keys == {key}
    # The lineage alone does not order a run's steps: the copy's step waits for every other
    # asset's step (pipelines/defs/operations/run_order.py builds it with its dependencies).
    upstream = full.graph.dependency_structure.input_to_upstream_outputs_for_node(key.path[0])
    waits_for = {output.node.name for outputs in upstream.values() for output in outputs}
    writers = {
        a.node_def.name
        for a in defs.assets
        if isinstance(a, dg.AssetsDefinition) and a.keys and key not in a.keys
    }
    assert writers <= waits_for  # and the blocking checks of what it reads


def _start_readers(path: Path, tmp_path: Path, n: int = 3):
    stop = tmp_path / "stop"
    stop.unlink(missing_ok=True)
    outs = [tmp_path / f"reader{i}.json" for i in range(n)]
    procs = [
        subprocess.Popen([sys.executable, str(READER), str(path), str(stop), str(out)])
        for out in outs
    ]
    return stop, outs, procs


def _stop_readers(stop, outs, procs) -> tuple[list[dict], list[str]]:
    stop.touch()
    reads, errors = [], []
    for proc, out in zip(procs, outs, strict=True):
        assert proc.wait(timeout=60) == 0
        result = json.loads(out.read_text(encoding="utf-8"))
        reads += result["reads"]
        errors += result["errors"]
    return reads, errors


def test_readers_in_other_processes_never_see_half_a_version(live, tmp_path):
    target = tmp_path / "pub.duckdb"
    publish(live, target, run_id="v1")
    stop, outs, procs = _start_readers(target, tmp_path)
    time.sleep(1.5)
    # Many swaps, close together: with one file replaced in place, 3 reads in 10,285 straddled
    # a swap (headers of one version, blocks of the next; benchmarks/publish_swap.py). Readers
    # open the link as analysts do, by connect and by ATTACH.
    for k in range(2, 62):
        with duckdb.connect(str(live)) as conn:
            build_version(conn, k)
            publish(live, target, conn=conn, run_id=f"v{k}")
        time.sleep(0.02)
    time.sleep(0.5)
    reads, errors = _stop_readers(stop, outs, procs)
    assert errors == []
    assert len(reads) > 100
    assert {read["opened_by"] for read in reads} == {"connect", "attach"}
    for read in reads:
        assert len(read["run_ids"]) == 1 and len(read["published_at"]) == 1
        assert read["mismatches"] == {}
        k = int(read["run_ids"][0][1:])
        assert read["pillar_score_rows"] == 31 * k
        assert read["provinces_per_pillar_year"] == [31]
    assert len({read["run_ids"][0] for read in reads}) >= 10


@pytest.mark.integration
def test_analysts_query_the_published_copy_during_a_full_materialization(live, tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "IMPETUS_WAREHOUSE": str(tmp_path / "live" / "impetus.duckdb"),
        "IMPETUS_PUBLISHED": str(tmp_path / "for_analysts" / "impetus.duckdb"),
        "IMPETUS_SOURCE_ROOTS": str(DEMO_DIR),
        "IMPETUS_VALIDATION_DOCS": str(tmp_path / "docs"),
    }
    target = tmp_path / "for_analysts" / "impetus.duckdb"

    def materialize() -> str:
        done = subprocess.run(
            [sys.executable, "-m", "pipelines.cli", "materialize"],
            env=env,
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return re.search(r"full_rebuild_job: succeeded, .* \(run ([0-9a-f-]+)\)", done.stdout)[1]

    # The version analysts read before the run: a small warehouse published by hand.
    publish(live, target, run_id="before")
    stop, outs, procs = _start_readers(target, tmp_path)
    time.sleep(1.5)
    run_id = materialize()  # `impetus materialize` in another process, while the readers loop
    time.sleep(1.0)
    reads, errors = _stop_readers(stop, outs, procs)

    assert errors == []  # no lock errors, no missing file, no half-written file
    seen = [read["run_ids"] for read in reads]
    assert all(len(ids) == 1 for ids in seen)
    assert {ids[0] for ids in seen} == {"before", run_id}
    for read in reads:
        assert read["mismatches"] == {}
        assert read["provinces_per_pillar_year"] == [31]
        assert read["pillar_score_rows"] > 0
    stamp = read_publication(target)
    assert stamp["run_id"] == run_id
    assert stamp["row_counts"]["marts.pillar_score"] > 31 * 12  # the demo's, not the toy's
