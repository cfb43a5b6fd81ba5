"""`python3 dev.py start` on a fresh machine: the data build's ~330 lines go to a log file; the terminal shows the URL and
little else, and a failed build still shows its Dutch error."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from portal.paths import ROOT

spec = importlib.util.spec_from_file_location("dev", ROOT / "dev.py")
dev = importlib.util.module_from_spec(spec)
spec.loader.exec_module(dev)


def test_a_good_build_is_one_line(tmp_path: Path) -> None:
    log = tmp_path / "databouw.log"
    log.write_text("Bronnen lezen uit data/snapshots ...\n" + "  regel\n" * 300 + "  let op: verschil\n"
                   "24 waarschuwing(en): zie hierboven.\n", encoding="utf-8")
    assert dev.build_report(0, log) == [f"Warehouse gebouwd (24 waarschuwing(en), zie {log})."]
    log.write_text("Bronnen lezen ...\n", encoding="utf-8")
    assert dev.build_report(0, log) == ["Warehouse gebouwd."]


def test_a_failed_build_shows_its_error(tmp_path: Path) -> None:
    log = tmp_path / "databouw.log"
    log.write_text("".join(f"regel {i}\n" for i in range(40)) + "De snapshot cbs_80860ned ontbreekt.\n", encoding="utf-8")
    shown = dev.build_report(1, log)
    assert shown[0] == f"De databouw is mislukt (code 1). Laatste regels van {log}:"
    assert shown[-1] == "De snapshot cbs_80860ned ontbreekt." and len(shown) == 1 + dev.TAIL


def test_ensure_warehouse_prints_two_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """The real build of the shipped snapshots into an empty data folder: two lines on the terminal, the rest in the log."""
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    dev.ensure_warehouse()
    out = capsys.readouterr().out.splitlines()
    log = tmp_path / dev.BUILD_LOG
    assert out == [f"Warehouse ontbreekt: bouwen uit de meegeleverde snapshots (enkele seconden; verloop in {log}) ...",
                   f"Warehouse gebouwd (24 waarschuwing(en), zie {log})."]
    assert (tmp_path / "warehouse.db").exists() and len(log.read_text(encoding="utf-8").splitlines()) > 300
