"""A missing or damaged warehouse gives one clear Dutch message on every page, with how to rebuild it; the Visitaties page
still lists the dossiers and shows their notes (read-only), and says the figures are unavailable."""

from __future__ import annotations

import random
import shutil
import sqlite3
from pathlib import Path

import pytest

from portal import ui
from portal.store import Warehouse, WarehouseDamaged, WarehouseMissing
from portal.userdata import UserData
from tests.pagetest import page

PAGES = [p[0].removesuffix(".py") for p in ui.PAGES]


def missing(path: Path) -> None:
    path.unlink()


def truncated(path: Path) -> None:
    with path.open("r+b") as f:
        f.truncate(path.stat().st_size // 2)


def garbage(path: Path) -> None:
    """64 kB of random bytes in the middle of the file, as a bad disk or a stray write would leave."""
    with path.open("r+b") as f:
        f.seek(path.stat().st_size // 2)
        f.write(random.Random(11).randbytes(65536))


def zeroed_header(path: Path) -> None:
    with path.open("r+b") as f:
        f.write(bytes(100))


def other_database(path: Path) -> None:
    path.unlink()
    conn = sqlite3.connect(path)
    conn.execute("create table iets (x)")
    conn.commit()
    conn.close()


def no_finished_build(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("delete from build_runs")
    conn.commit()
    conn.close()


DAMAGE = [missing, truncated, garbage, zeroed_header, other_database, no_finished_build]


@pytest.fixture(scope="module", params=DAMAGE, ids=lambda d: d.__name__)
def damaged(request, built: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp(request.param.__name__) / "warehouse.db"
    shutil.copy2(built, path)
    request.param(path)
    return path


@pytest.fixture()
def portal_on(damaged: Path, tmp_path: Path, data_folder) -> UserData:
    """The portal reading the damaged warehouse, with its own user database holding one visitatie with notes."""
    data_folder(tmp_path, warehouse=damaged)
    ud = UserData(tmp_path / "userdata.db")
    vid = ud.create_visitatie("tester", "GM0153", "Visitatie Enschede", "najaar 2026", {"naam": "G4", "leden": ["GM0363"]})
    ud.add_item(vid, "tester", "Observatie", "Wachttijd voor intake is lang.", thema="Instroom")
    ud.add_item(vid, "tester", "Aanbeveling", "Meer casemanagers inzetten.", thema="Focus", prioriteit="hoog")
    return ud


def test_store_refuses_damage(damaged: Path) -> None:
    with pytest.raises(WarehouseMissing if not damaged.exists() else WarehouseDamaged) as exc:
        Warehouse(damaged)
    assert "python3 dev.py etl build" in exc.value.dutch() and "niet beschikbaar" in exc.value.dutch()


@pytest.mark.parametrize("name", PAGES)
def test_every_page_says_so_in_dutch(portal_on: UserData, damaged: Path, name: str) -> None:
    at = page(name, gemeente="GM0153")
    errors = [e.value for e in at.error]
    assert len(errors) == 1, errors
    assert errors[0].startswith("De cijfers zijn nu niet beschikbaar: ") and "`python3 dev.py etl build`" in errors[0]
    assert ("nog geen datawarehouse" if not damaged.exists() else "beschadigd of onvolledig") in errors[0]
    if name != "visitatie":
        assert not at.title and not at.metric and not at.get("vega_lite_chart")
    assert any(p.label == "Bronnen en definities" for p in at.sidebar.get("page_link"))  # the menu stays, to go elsewhere


def test_visitaties_stay_readable(portal_on: UserData) -> None:
    at = page("visitatie")
    links = [e.proto.label for e in at.get("page_link")]
    assert any("Visitatie Enschede — GM0153, najaar 2026" in label for label in links), links
    vid = portal_on.visitaties()[0]["id"]
    at = page("visitatie", visitatie=str(vid))
    texts = [t.value for t in at.text]
    assert "Wachttijd voor intake is lang." in texts and "Meer casemanagers inzetten." in texts
    assert any("foto en de referentiegroepen zijn niet beschikbaar" in c.value for c in at.caption)
    assert not at.get("vega_lite_chart") and not at.text_input and not at.button  # read-only: nothing to lose
