"""The landing sensor: one run per new or changed file, keyed by content; unroutable files named."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path

import dagster as dg
import pytest

from pipelines.defs.operations import automation
from pipelines.defs.operations.automation import landing_sensor, run_key
from pipelines.paths import DEMO_DIR

PAST = time.time() - 3600  # landed an hour ago: settled


def land(root: Path, relative: str, content: bytes | Path, mtime: float = PAST) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, Path):
        shutil.copyfile(content, path)
    else:
        path.write_bytes(content)
    os.utime(path, (mtime, mtime))
    return path


@pytest.fixture
def landing(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "landing"
    root.mkdir()
    monkeypatch.setenv("IMPETUS_LANDING", str(root))
    return root


def evaluate(cursor: str | None = None, instance: dg.DagsterInstance | None = None):
    """One tick, as the daemon runs it: the result and the cursor it stores."""
    context = dg.build_sensor_context(cursor=cursor, instance=instance)
    result = landing_sensor(context)
    if isinstance(result, dg.SensorResult):
        return result.run_requests or [], None, result.cursor
    assert isinstance(result, dg.SkipReason)
    return [], result.skip_message, context.cursor


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_new_file_starts_its_domain_job_keyed_by_domain_and_sha(landing):
    demo = DEMO_DIR / "procurement" / "synthetic_procurement.csv.gz"
    path = land(landing, "procurement/2025-10.csv.gz", demo)
    requests, _, cursor = evaluate()
    assert len(requests) == 1
    (request,) = requests
    assert request.job_name == "procurement_job"
    assert request.run_key == run_key("procurement", sha(path)) == f"procurement:{sha(path)}"
    assert request.tags["impetus/landing_file"] == "procurement/2025-10.csv.gz"
    assert json.loads(cursor)["files"] == {"procurement/2025-10.csv.gz": sha(path)}

    # The next tick, or the sensor after a restart with its stored cursor: nothing new.
    requests, skip, cursor = evaluate(cursor)
    assert requests == [] and "no new or changed file" in skip

    # The same bytes copied again (new mtime): nothing.
    land(landing, "procurement/2025-10.csv.gz", demo, mtime=PAST + 60)
    requests, _, cursor = evaluate(cursor)
    assert requests == []

    # Identical content under another name: a request with the same run key, which Dagster
    # drops because a run with that key exists already.
    land(landing, "procurement/copy of 2025-10.csv.gz", demo)
    requests, _, cursor = evaluate(cursor)
    assert [r.run_key for r in requests] == [run_key("procurement", sha(path))]

    # Changed content: a new run.
    changed = land(landing, "procurement/2025-10.csv.gz", b"contract_id\n1\n", mtime=PAST + 120)
    requests, _, cursor = evaluate(cursor)
    assert [r.run_key for r in requests] == [f"procurement:{sha(changed)}"]


def test_each_domain_folder_routes_to_its_job(landing):
    land(landing, "province_year/分省年度数据.csv", b"a,b\n")
    land(landing, "patents/2025q3/patents.parquet", b"PAR1")
    land(landing, "enterprises/e.csv", b"x\n")
    requests, _, _ = evaluate()
    assert sorted(r.job_name for r in requests) == [
        "enterprises_job",
        "patents_job",
        "province_year_job",
    ]


def test_files_it_cannot_route_are_named_not_ignored(landing):
    land(landing, "stray.csv", b"x\n")
    land(landing, "budgets/b.csv", b"x\n")
    land(landing, "patents/notes.docx", b"x")
    land(landing, "README.md", b"# landing\n")  # the folder's own README
    land(landing, "patents/.~lock.p.csv#", b"x")  # editor lock file
    land(landing, "patents/.incoming/p.csv", b"x")  # a copy in progress, in a hidden folder
    requests, skip, cursor = evaluate()
    assert requests == []
    assert "stray.csv (not in a domain folder" in skip
    assert "budgets/b.csv (unknown domain folder 'budgets'" in skip
    assert "patents/notes.docx (unknown suffix for patents" in skip
    assert "README.md" not in skip and ".~lock" not in skip and ".incoming" not in skip
    assert json.loads(cursor)["unroutable"] == [
        "budgets/b.csv",
        "patents/notes.docx",
        "stray.csv",
    ]


def test_a_file_still_being_written_waits_for_the_next_tick(landing):
    path = land(landing, "patents/p.csv", b"application_number\n", mtime=time.time())
    requests, skip, cursor = evaluate()
    assert requests == [] and "still being written: patents/p.csv" in skip
    os.utime(path, (PAST, PAST))
    requests, _, _ = evaluate(cursor)
    assert [r.job_name for r in requests] == ["patents_job"]


def test_the_cursor_survives_in_the_instance(landing, tmp_path):
    """The daemon stores the cursor in the instance; a restarted sensor reads it back."""
    land(landing, "enterprises/e.csv", b"credit_code\n")
    home = tmp_path / "home"
    home.mkdir()
    with dg.instance_for_test(temp_dir=str(home)) as instance:
        requests, _, cursor = evaluate(instance=instance)
        assert len(requests) == 1
    with dg.instance_for_test(temp_dir=str(home)) as instance:
        requests, skip, _ = evaluate(cursor, instance=instance)
        assert requests == [] and skip


def test_an_unchanged_file_is_not_hashed_again(landing, monkeypatch):
    land(landing, "patents/p.csv", b"application_number\n")
    _, _, cursor = evaluate()
    monkeypatch.setattr(automation, "chunk_sha256", lambda *_: pytest.fail("hashed again"))
    requests, _, _ = evaluate(cursor)
    assert requests == []


def test_a_cursor_from_before_incremental_hashing_still_spares_the_hashing(landing, monkeypatch):
    path = land(landing, "patents/p.csv", b"application_number\n")
    stat = path.stat()
    old_cursor = json.dumps(
        {
            "files": {"patents/p.csv": sha(path)},
            "stats": {"patents/p.csv": [stat.st_size, stat.st_mtime_ns, sha(path)]},
            "unroutable": [],
        }
    )
    monkeypatch.setattr(automation, "chunk_sha256", lambda *_: pytest.fail("hashed again"))
    requests, skip, _ = evaluate(old_cursor)
    assert requests == [] and "no new or changed file" in skip


@pytest.fixture
def small_budget(monkeypatch) -> list[tuple[str, int, int]]:
    """4-byte chunks, 8 bytes a tick; returns the (file, offset, length) of each chunk read."""
    monkeypatch.setattr(automation, "LANDING_HASH_CHUNK_BYTES", 4)
    monkeypatch.setattr(automation, "LANDING_HASH_BYTES_PER_TICK", 8)
    reads: list[tuple[str, int, int]] = []
    hash_chunk = automation.chunk_sha256

    def counted(handle, length):
        reads.append((Path(handle.name).name, handle.tell(), length))
        return hash_chunk(handle, length)

    monkeypatch.setattr(automation, "chunk_sha256", counted)
    return reads


def hashed_bytes(cursor: str, path: str) -> int:
    return json.loads(cursor)["stats"][path][2]


def test_a_large_file_is_hashed_over_several_ticks_and_routed_when_done(landing, small_budget):
    content = bytes(range(30))  # 8 chunks: 7 of 4 bytes, one of 2
    land(landing, "patents/big.csv", content)

    cursor, progress = None, []
    for _ in range(3):
        requests, skip, cursor = evaluate(cursor)
        assert requests == []  # no run before the whole file is hashed
        assert "still being hashed: patents/big.csv: hashed" in skip
        progress.append(hashed_bytes(cursor, "patents/big.csv"))
    assert progress == [8, 16, 24]
    assert "hashed 24 bytes of 30 bytes" in skip

    (request,), _, cursor = evaluate(cursor)
    # Every byte was read exactly once, each tick going on where the last one stopped.
    assert small_budget == [("big.csv", offset, 4) for offset in range(0, 28, 4)] + [
        ("big.csv", 28, 2)
    ]
    key = request.run_key.removeprefix("patents:")
    assert key.startswith(automation.CHUNKED_KEY_PREFIX)
    assert json.loads(cursor)["files"] == {"patents/big.csv": key}
    assert request.tags["impetus/sha256"] == key

    # The same bytes elsewhere, hashed from a fresh cursor: the same key.
    second = land(landing.parent / "elsewhere", "patents/copy.csv", content)
    (other,), _, _ = _evaluate_until_routed(second.parent.parent)
    assert other.run_key == request.run_key
    # Other bytes of the same size: another key.
    land(landing, "patents/big.csv", bytes(reversed(content)), mtime=PAST + 60)
    (changed,), _, _ = _evaluate_until_routed(landing, cursor)
    assert changed.run_key != request.run_key


def _evaluate_until_routed(root: Path, cursor: str | None = None, ticks: int = 10):
    os.environ["IMPETUS_LANDING"] = str(root)  # the fixture's monkeypatch restores it
    for _ in range(ticks):
        requests, skip, cursor = evaluate(cursor)
        if requests:
            return requests, skip, cursor
    pytest.fail(f"nothing routed in {ticks} ticks: {skip}")


def test_a_file_that_changes_size_between_ticks_is_hashed_again_from_the_start(
    landing, small_budget
):
    land(landing, "patents/big.csv", bytes(30))
    _, _, cursor = evaluate()
    assert hashed_bytes(cursor, "patents/big.csv") == 8
    grown = land(landing, "patents/big.csv", bytes(34))  # same mtime: the size alone tells
    small_budget.clear()
    _, skip, cursor = evaluate(cursor)
    assert [offset for _, offset, _ in small_budget] == [0, 4]
    assert json.loads(cursor)["stats"]["patents/big.csv"][:3] == [34, grown.stat().st_mtime_ns, 8]
    assert "hashed 8 bytes of 34 bytes" in skip


def test_small_files_are_not_held_up_by_a_large_one(landing, small_budget):
    land(landing, "patents/a_big.csv", bytes(30))
    land(landing, "patents/z_small.csv", b"abc")
    requests, _, cursor = evaluate()
    assert [r.tags["impetus/landing_file"] for r in requests] == ["patents/z_small.csv"]
    assert hashed_bytes(cursor, "patents/a_big.csv") == 4  # what the budget had left


def test_a_routed_file_being_hashed_again_is_not_taken_for_gone(landing, small_budget):
    path = land(landing, "province_year/gdp.csv", b"ab")
    _, _, cursor = evaluate()
    routed = json.loads(cursor)["files"]["province_year/gdp.csv"]
    assert routed == sha(path)  # one chunk: the key is the file's sha256
    land(landing, "province_year/gdp.csv", bytes(30), mtime=PAST + 60)
    requests, skip, cursor = evaluate(cursor)
    assert requests == [] and "still being hashed" in skip
    assert json.loads(cursor)["files"] == {"province_year/gdp.csv": routed}


def test_a_file_that_left_the_landing_folder_starts_the_run_that_withdraws_it(landing):
    path = land(landing, "province_year/gdp_growth.csv", b"province,year,gdp\n")
    _, _, cursor = evaluate()
    digest = sha(path)
    path.unlink()

    requests, _, cursor = evaluate(cursor)

    assert [(r.job_name, r.run_key) for r in requests] == [
        ("province_year_job", f"province_year:gone:{digest}:province_year/gdp_growth.csv")
    ]
    assert json.loads(cursor)["files"] == {}
    requests, skip, _ = evaluate(cursor)  # said once, not every tick
    assert requests == [] and "no new or changed file" in skip
