"""A rebuild while the portal serves: the page reads the new build, and the replaced builds are closed (open files and
held Warehouses do not grow per build)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from portal.ui import data, render
from tests.pagetest import page


def open_files(path: Path) -> int:
    """File descriptors of this process on `path`, including replaced (deleted) versions of it."""
    n = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        n += target.removesuffix(" (deleted)") == str(path)
    return n


def rebuild(source: Path, target: Path) -> None:
    """What a build does to the file the portal reads: a new file renamed over it (new inode, new mtime)."""
    tmp = target.with_name(target.name + ".bouw-test")
    shutil.copy2(source, tmp)
    os.utime(tmp)  # a build writes a new file: a new mtime
    os.replace(tmp, target)


def test_rebuilds_while_a_session_reads_do_not_leak(small_built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    data_folder) -> None:
    """On the warehouse of the small snapshot set (tests/conftest.py): what is tested is how the portal lets go of a
    replaced file, not the figures; Enschede's profile there has its metrics all the same."""
    built = small_built
    target = tmp_path / "warehouse.db"
    shutil.copy2(built, target)
    data_folder(tmp_path)
    monkeypatch.setattr(data, "GRACE_S", 0.2)
    at = page("profiel", gemeente="GM0153", rg="knn", k="6")
    first = [m.value for m in at.metric]
    assert first and open_files(target) == 1
    for _ in range(3):  # each run after a rebuild computes the whole profile anew
        time.sleep(0.01)
        rebuild(built, target)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert [m.value for m in at.metric] == first  # the page reads the new build
    time.sleep(0.3)
    data.warehouse()  # the next page run closes what was retired more than GRACE_S ago
    assert open_files(target) == 1, "a replaced build is still open"
    assert len(data._retired) == 0 and data._held[str(target)][1].path == target
    assert not render._SPECS or all(k[0][1] == target.stat().st_mtime for k in render._SPECS), "chart specs of an old build kept"
