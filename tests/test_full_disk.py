"""A full disk at every stage that writes: landing, the load, the dbt build, publishing.

The data directory is on a size-limited file system the test mounts (tmpfs), and before
the stage under test a ballast file takes all but a few bytes of it, so the stage itself
is the one that meets ``ENOSPC``. Each time the step fails with ``DiskFullError`` naming
the stage and the path that is full, the previous release stays published and readable,
no temporary or build file is left, and once the ballast is gone the next run succeeds.

The steps of ``warehouse.refresh`` run in this process (what each Airflow task calls);
mounting needs root, so elsewhere the test is skipped.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path

import pytest

from devtools.digest import marts_digest, release_ids
from devtools.mirror import Mirror
from extract.errors import DiskFullError
from warehouse import refresh
from warehouse.state import GatedBuild

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]  # minutes of dbt on a loaded machine

SIZE_MB = 160
CONF_SATUN = {"sources": ["dopa_population_thai"], "provinces": ["91"], "periods": ["2026-09"]}
CONF_MORE = {"sources": ["dopa_population"], "provinces": ["90"], "periods": ["2021-06"]}


def _mount(directory: Path) -> bool:
    if os.geteuid() != 0:
        return False
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={SIZE_MB}m,mode=0755", "tmpfs", str(directory)],
        capture_output=True, text=True, check=False,
    )
    return done.returncode == 0


class Disk:
    """The mounted file system and its ballast."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data_dir = root / "data"
        self.ballast = root / "ballast"

    def fill(self, leave: int = 0) -> None:
        """Take every free byte but ``leave``."""
        self.empty()
        free = os.statvfs(self.root).f_bavail * os.statvfs(self.root).f_frsize
        size = max(0, free - leave)
        with self.ballast.open("wb") as out:
            chunk = b"\0" * (1 << 20)
            while size > 0:
                try:
                    size -= out.write(chunk[: min(size, len(chunk))])
                except OSError:
                    break
        with contextlib.suppress(OSError):
            self.ballast.stat()

    def empty(self) -> None:
        self.ballast.unlink(missing_ok=True)

    def leftovers(self) -> list[Path]:
        build = self.data_dir / "build"
        return sorted(
            list(self.data_dir.rglob("*.tmp"))
            + list(self.data_dir.rglob("*.wal"))
            + (list(build.iterdir()) if build.exists() else [])
        )


@pytest.fixture(scope="module")
def disk(tmp_path_factory):
    root = tmp_path_factory.mktemp("small-disk")
    if not _mount(root):
        pytest.skip("mounting a size-limited tmpfs needs root")
    saved = {k: os.environ.get(k) for k in ("SMARTCITY_DATA_DIR", "DOPA_BASE_URL")}
    try:
        with Mirror() as mirror:
            os.environ["DOPA_BASE_URL"] = mirror.base_url
            d = Disk(root)
            d.data_dir.mkdir()
            os.environ["SMARTCITY_DATA_DIR"] = str(d.data_dir)
            yield d
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        subprocess.run(["umount", "-l", str(root)], check=False)


def _extract(run_id: str, conf: dict, data_dir: Path) -> dict:
    return refresh.record(run_id, [refresh.extract(b, data_dir) for b in refresh.plan(conf)], data_dir)


def _assert_previous_release_intact(disk: Disk, releases: list[str], digest: dict) -> None:
    published = disk.data_dir / "planning.duckdb"
    assert release_ids(published) == releases
    assert marts_digest(published) == digest
    assert disk.leftovers() == []


def test_each_stage_fails_naming_the_full_path_and_the_next_run_succeeds(disk: Disk):
    data = disk.data_dir
    _extract("run_1", CONF_SATUN, data)
    refresh.publish(refresh.gate(refresh.build(refresh.load("run_1", data)), data), data)
    releases, digest = release_ids(data / "planning.duckdb"), marts_digest(data / "planning.duckdb")
    assert len(releases) == 1

    # 1. landing: a new province's answer cannot be written
    disk.fill()
    with pytest.raises(DiskFullError) as failed:
        _extract("run_2", CONF_MORE, data)
    assert failed.value.stage == "landing"
    assert str(data / "raw" / "dopa_population" / "2021-06") in str(failed.value)
    assert "no space left" in str(failed.value) and str(disk.root) in str(failed.value)
    _assert_previous_release_intact(disk, releases, digest)
    disk.empty()

    # 2. the load: the build file cannot be created
    decision = _extract("run_2", CONF_MORE, data)
    assert decision["changed"], decision
    disk.fill()
    with pytest.raises(DiskFullError) as failed:
        refresh.load("run_2", data)
    assert failed.value.stage == "load" and str(data / "build") in str(failed.value)
    _assert_previous_release_intact(disk, releases, digest)
    disk.empty()

    # 3. the dbt build: the models cannot be written into the build
    loaded = refresh.load("run_2", data)
    disk.fill()
    with pytest.raises(DiskFullError) as failed:
        refresh.build(loaded)
    assert failed.value.stage == "dbt build" and loaded["build_path"] in str(failed.value)
    _assert_previous_release_intact(disk, releases, digest)
    disk.empty()

    # 4. publishing: the release record cannot be written. The build that passed the gate
    # is kept (moved back if it was moved), so the publish task's retry needs no rebuild.
    gated = refresh.gate(refresh.build(refresh.load("run_2", data)), data)
    build_path = Path(GatedBuild.from_dict(gated).load.build_path)
    disk.fill()
    with pytest.raises(DiskFullError) as failed:
        refresh.publish(gated, data)
    assert failed.value.stage == "publish" and str(build_path) in str(failed.value)
    published = data / "planning.duckdb"
    assert release_ids(published) == releases and marts_digest(published) == digest
    assert len(list((data / "releases").glob("*.duckdb"))) == 1
    kept = {build_path, build_path.with_suffix(".dbt"), build_path.with_name(build_path.name + ".wal")}
    assert build_path in disk.leftovers() and set(disk.leftovers()) <= kept
    disk.empty()

    # With space again, the retry publishes the new province; nothing is left behind.
    refresh.publish(gated, data)
    assert len(release_ids(published)) == 2 and release_ids(published)[0] == releases[0]
    assert marts_digest(published) != digest
    assert disk.leftovers() == []
