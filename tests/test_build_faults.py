"""A failed build names file, row and column in Dutch and leaves the previous warehouse byte-for-byte intact."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import pytest

from etl.build import BuildBusy, build, content_checksum
from portal.paths import ROOT
from etl.snapshot import write_sums
from etl.validate import BuildError

BIJSTAND = "cbs_bijstand_gemeenten_2015_2017"
BIJSTAND_FILE = "bijstand_reintegratie_wsw_gemeenten_2015_2017_long.csv"


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory, small_built: Path) -> Path:
    """A good warehouse in its own folder: a copy of the build of the small snapshot set (tests/conftest.py)."""
    target = tmp_path_factory.mktemp("good") / "warehouse.db"
    shutil.copy2(small_built, target)
    return target


@pytest.fixture()
def snaps(tmp_path: Path, small_snapshots: Path) -> Path:
    """A copy of the small snapshot set (the shipped snapshots, figure tables cut down to six gemeenten, Amsterdam and
    Appingedam among them) for a test to damage: the faults below are found the same way in it, in a third of the time."""
    copy = tmp_path / "snapshots"
    shutil.copytree(small_snapshots, copy)
    return copy


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def edit(snaps: Path, folder: str, name: str, change: Callable[[list[str]], list[str]], resum: bool = True) -> None:
    path = snaps / folder / name
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(change(lines)) + "\n", encoding="utf-8")
    if resum:  # the snapshot's provenance is updated too, so the content check itself is exercised
        write_sums(snaps / folder)


def line_of(lines: list[str], start: str) -> int:
    return next(i for i, ln in enumerate(lines) if ln.startswith(start))


def fails(good: Path, snaps: Path) -> str:
    before = digest(good)
    with pytest.raises(BuildError) as exc:
        build(good, snaps, log=lambda _: None)
    assert digest(good) == before, "the previous warehouse was changed by a failed build"
    assert not list(good.parent.glob("*.bouw-*")), "a temporary build file was left behind"
    message = exc.value.dutch()
    assert "Het bestaande warehouse is niet gewijzigd" in message
    return message


AMS_2015 = "2015,83450NED,90100,GM0363,"


def replace_in_row(start: str, old: str, new: str) -> Callable[[list[str]], list[str]]:
    """An edit that replaces `old` by `new` in the row starting with `start`."""

    def change(lines: list[str]) -> list[str]:
        i = line_of(lines, start)
        lines[i] = lines[i].replace(old, new)
        return lines

    return change


def test_truncated_csv(good: Path, snaps: Path) -> None:
    def truncate(lines: list[str]) -> list[str]:
        i = line_of(lines, AMS_2015)
        return lines[:i] + [lines[i][:30]]

    edit(snaps, BIJSTAND, BIJSTAND_FILE, truncate)
    msg = fails(good, snaps)
    assert f"{BIJSTAND}/{BIJSTAND_FILE}" in msg and "afgekapt" in msg and "rij " in msg and "kolom 'Bijstandsontvangers_2'" in msg


def test_missing_column(good: Path, snaps: Path) -> None:
    edit(snaps, BIJSTAND, BIJSTAND_FILE, lambda ls: [",".join(x for j, x in enumerate(ln.split(",")) if j != 7) for ln in ls])
    msg = fails(good, snaps)
    assert "rij 1" in msg and "kolom 'Instroom_4'" in msg and "verplichte kolom ontbreekt" in msg


def test_non_numeric_count(good: Path, snaps: Path) -> None:
    edit(snaps, BIJSTAND, BIJSTAND_FILE, replace_in_row(AMS_2015, ",41740,", ",veertig,"))
    msg = fails(good, snaps)
    row = line_of((snaps / BIJSTAND / BIJSTAND_FILE).read_text().splitlines(), AMS_2015) + 1
    assert f"rij {row}, kolom 'Bijstandsontvangers_2': waarde 'veertig' is geen getal" in msg


def test_negative_count(good: Path, snaps: Path) -> None:
    edit(snaps, BIJSTAND, BIJSTAND_FILE, replace_in_row(AMS_2015, ",10470,", ",-10470,"))
    msg = fails(good, snaps)
    assert "kolom 'Instroom_4': negatief aantal (-10470) is onmogelijk" in msg


def test_duplicated_key(good: Path, snaps: Path) -> None:
    def dup(lines: list[str]) -> list[str]:
        i = line_of(lines, AMS_2015)
        return lines[: i + 1] + [lines[i]] + lines[i + 1:]

    edit(snaps, BIJSTAND, BIJSTAND_FILE, dup)
    msg = fails(good, snaps)
    assert "kolom 'jaar, leeftijd_code, regiocode': dubbele sleutel" in msg and "GM0363" in msg


def test_gemeente_code_not_in_that_year(good: Path, snaps: Path) -> None:
    # Eemsdelta (GM1979) only exists from 2021: it cannot appear in the 2015 table
    edit(snaps, BIJSTAND, BIJSTAND_FILE, replace_in_row("2015,83450NED,90100,GM0003,", "GM0003", "GM1979"))
    msg = fails(good, snaps)
    assert "kolom 'regiocode': gemeentecode 'GM1979' bestond niet in de indeling van 2015" in msg


def test_checksum_mismatch(good: Path, snaps: Path) -> None:
    # a plausible value: only the checksum can tell
    edit(snaps, BIJSTAND, BIJSTAND_FILE, replace_in_row(AMS_2015, ",41740,", ",41750,"), resum=False)
    msg = fails(good, snaps)
    assert f"bestand {BIJSTAND}/{BIJSTAND_FILE}: checksum klopt niet met de herkomst" in msg


def test_killed_halfway_keeps_previous_and_next_build_recovers(good: Path, small_snapshots: Path) -> None:
    before = digest(good)
    code = (
        "import sys; from pathlib import Path; from etl.build import build; "
        f"build(Path({str(good)!r}), Path({str(small_snapshots)!r}), log=lambda _: None)"
    )
    env = dict(os.environ, PORTAL_ETL_PAUSE_BEFORE_SWAP="60", PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env)
    try:
        deadline = time.time() + 60
        while not list(good.parent.glob("*.bouw-*")) and time.time() < deadline:
            time.sleep(0.1)
        assert list(good.parent.glob("*.bouw-*")), "the build never started writing"
        time.sleep(0.5)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        proc.kill()
    assert digest(good) == before
    assert list(good.parent.glob("*.bouw-*")), "expected the killed build's temporary file"
    result = build(good, small_snapshots, log=lambda _: None)  # the next build cleans up and completes
    assert not list(good.parent.glob("*.bouw-*"))
    assert result.content_sha256 == content_checksum(good)


def test_unchanged_rebuild_is_identical(good: Path, small_snapshots: Path, small_built: Path) -> None:
    """On the small set (the full shipped set is built three times and compared in
    test_harmonisation.test_rebuild_in_other_processes_gives_the_same_content)."""
    first = build(good, small_snapshots, log=lambda _: None)
    second = build(good, small_snapshots, log=lambda _: None)
    assert first.content_sha256 == second.content_sha256 == content_checksum(small_built)


def test_second_build_at_the_same_time_stops_in_dutch_and_the_first_completes(good: Path, small_snapshots: Path) -> None:
    before = digest(good)
    code = (f"from pathlib import Path; from etl.build import build; "
            f"build(Path({str(good)!r}), Path({str(small_snapshots)!r}), log=lambda _: None)")
    env = dict(os.environ, PORTAL_ETL_PAUSE_BEFORE_SWAP="6", PYTHONPATH=str(ROOT))
    first = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 90
        while not list(good.parent.glob("*.bouw-*")) and time.time() < deadline:
            time.sleep(0.1)
        assert list(good.parent.glob("*.bouw-*")), "the first build never started writing"
        with pytest.raises(BuildBusy) as exc:
            build(good, small_snapshots, log=lambda _: None)
        assert exc.value.dutch().startswith(f"Er loopt al een databouw voor dit warehouse (proces {first.pid}, gestart ")
        assert "Het bestaande warehouse is niet gewijzigd" in exc.value.dutch()
        assert digest(good) == before and list(good.parent.glob("*.bouw-*")), "the second build touched the first one's files"
        _, err = first.communicate(timeout=120)
    finally:
        first.kill()
    assert first.returncode == 0, err  # today's failure: "no such table" after the second build removed its file
    assert not list(good.parent.glob("*.bouw-*"))
    assert content_checksum(good) == build(good, small_snapshots, log=lambda _: None).content_sha256  # the lock is free again
