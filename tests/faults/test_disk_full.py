"""Faults: the disk fills up while landing and while writing the store, then space returns.

The data dir lives on a small tmpfs this test mounts (it needs root, as CI has; elsewhere it skips
with one line). A filler file leaves a chosen number of bytes free, and `run --once` runs until
it fails. A seeded random search over the free space finds points where the failing task is
`land` (the raw lake) and `transform` (store.db), TRIALS times each; every trial must fail with a
line naming the task and the full disk, leave every SQLite file passing its integrity check and
every lake file readable with no temporary file left, and -- once the filler is removed -- a
plain `run --once` must end equal to an uninterrupted run by key.

The seed is printed (MF_DISK_SEED=...) and can be set to replay a failure.
"""
import os
import re
import shutil
import subprocess

import pytest

import faultlib
from faultlib import BIN, assert_intact, assert_same_as_clean, lake_keys, mf, store_snapshot

RNG, REPLAY = faultlib.seeded("MF_DISK_SEED")
TRIALS = 3
FS_BYTES = 64 << 20
FULL = re.compile(r"No space left on device|database or disk is full")


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={FS_BYTES}", "tmpfs", str(mount)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"disk-full tests need to mount a tmpfs: {mounted.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill_leaving(mount, free_bytes):
    """Creates mount/filler so that about `free_bytes` stay free."""
    filler = mount / "filler"
    filler.unlink(missing_ok=True)
    size = shutil.disk_usage(mount).free - free_bytes
    with open(filler, "wb") as f:
        os.posix_fallocate(f.fileno(), 0, max(4096, size))
    return filler


def run_until_full(mount, free_bytes):
    """A `run --once` with `free_bytes` free; returns (the task that failed or None, stderr)."""
    data = mount / "data"
    shutil.rmtree(data, ignore_errors=True)
    filler = fill_leaving(mount, free_bytes)
    result = subprocess.run([BIN, "run", "--once", "--data-dir", data], capture_output=True, text=True, timeout=600)
    if result.returncode == 0:
        filler.unlink()
        return "none", result.stderr
    assert FULL.search(result.stderr), f"with {free_bytes} bytes free: {result.stderr[-2000:]} {REPLAY}"
    failed = re.search(r"task (\w+) failed", result.stderr)
    return (failed.group(1) if failed else "metadata"), result.stderr


def assert_recovers(mount, expected_store, expected_lake, where):
    data = mount / "data"
    (mount / "filler").unlink()  # first: SQLite needs room for its -shm file even to read
    assert_intact(data, REPLAY)
    lake_keys(data)  # every committed lake file reads back
    leftovers = [p for p in data.rglob("*") if p.is_file() and p.name.endswith(".tmp")]
    assert not leftovers, f"{leftovers} after {where}"
    mf("run", "--once", "--data-dir", data, replay=REPLAY)
    assert_same_as_clean(data, expected_store, expected_lake, where)


def test_a_full_disk_while_landing_and_while_writing_the_store_fails_clearly_and_recovers(tmp_path, small_disk):
    clean = tmp_path / "clean"
    mf("run", "--once", "--data-dir", clean, replay=REPLAY)
    expected_store, expected_lake = store_snapshot(clean), lake_keys(clean)
    order = ["collect", "land", "transform", "predict", "none"]
    hits = {"land": 0, "transform": 0}
    for target in hits:
        low, high = 0, 2 * sum(p.stat().st_size for p in clean.rglob("*") if p.is_file())
        attempts = 0
        while hits[target] < TRIALS:
            attempts += 1
            assert attempts <= 12 * TRIALS, f"no full disk inside {target}: {hits} {REPLAY}"
            free = RNG.randrange(low, high)
            failed, stderr = run_until_full(small_disk, free)
            where = f"a full disk ({free} bytes free) in {failed} {REPLAY}"
            if failed == target:
                hits[target] += 1
                assert re.search(rf"task {target} failed \(.*(No space left on device|disk is full)", stderr), stderr
            elif failed == "metadata":
                pass  # recording a task's start or end failed: before or after the target, unknown
            elif order.index(failed) < order.index(target):
                low = free  # failed before reaching the target: more space
            else:
                high = free
            if failed != "none":
                assert_recovers(small_disk, expected_store, expected_lake, where)
    print(f"full-disk failures per task: {hits}")
