"""Issue 21, the house: one kind of Dutch error, one gemeente-code pattern, one meaning of "eigen"."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from etl.build import BuildBusy
from etl.cbs import CbsError
from etl.validate import BuildError
from portal import gebruikers
from portal.eigen.schema import SPELLS
from portal.eigen.store import Eigenbestand
from portal.eigen.upload import UploadFout
from portal.fouten import DutchError
from portal.indeling import is_gemeente_code
from portal.store import WarehouseDamaged, WarehouseMissing, WarehouseUnavailable
from portal.userdata import Conflict, UserData, UserDataError, checks
from portal.userdata.accounts import TeVeelPogingen
from portal.visitatie import NormError
from tests.pagetest import page

USER_FACING = [WarehouseUnavailable, WarehouseMissing, WarehouseDamaged, BuildError, BuildBusy, CbsError, UserDataError,
               Conflict, TeVeelPogingen, UploadFout, NormError]


@pytest.mark.parametrize("cls", USER_FACING, ids=lambda c: c.__name__)
def test_every_user_facing_error_is_a_dutch_error(cls):
    assert issubclass(cls, DutchError)


def test_one_way_to_the_dutch_message(tmp_path):
    errors = [WarehouseMissing(tmp_path / "w.db"), BuildBusy(tmp_path / "slot", "proces 1"), BuildError([]),
              CbsError("Tabel X is onvolledig."), UserDataError("De titel is leeg."), NormError("geen getal")]
    for exc in errors:
        text = exc.dutch()
        assert isinstance(text, str) and text and text == str(exc)
    assert WarehouseMissing(tmp_path / "w.db").dutch().startswith("De cijfers zijn nu niet beschikbaar: er is nog geen")
    assert BuildBusy(tmp_path / "slot", "proces 1").dutch().startswith("Er loopt al een databouw voor dit warehouse (proces 1)")


# ---- one gemeente-code pattern: ASCII digits only, at every entry point that takes a code ---------------------------------
ARABIC = "GM٠٣٦٣"  # GM0363 in Arabic-Indic digits: Python's \d takes them


def test_the_pattern_takes_ascii_digits_only():
    assert is_gemeente_code("GM0363")
    assert not any(is_gemeente_code(x) for x in (ARABIC, "GM0363\n", "gm0363", "GM036", "GM03630", None, 363))


def test_warehouse_check_code_refuses_non_ascii_digits(wh):
    check = wh.check_code(ARABIC)
    assert not check.ok and "geen geldige gemeentecode" in check.message


def test_the_picker_refuses_non_ascii_digits(built):
    at = page("gemeente", timeout=30, gemeente=ARABIC)
    assert not at.exception
    assert "geen geldige gemeentecode" in at.error[0].value and at.title[0].value == "Bijstand in Amsterdam"


def test_upload_and_its_mapping_refuse_non_ascii_digits(tmp_path):
    db = Eigenbestand(tmp_path / "eigenbestand.db")
    with pytest.raises(UserDataError, match="geen gemeentecode"):
        db.save(ARABIC, "a.csv", pl.DataFrame(schema=SPELLS), date(2024, 12, 31), "tester")
    with pytest.raises(UserDataError, match="geen gemeentecode"):
        db.save_mapping(ARABIC, {"indeling": "perioden"}, "tester")
    assert db.mapping(ARABIC) is None
    db.save_mapping("GM0363", {"indeling": "perioden"}, "tester")
    assert db.mapping("GM0363") == {"indeling": "perioden"}


def test_user_admin_refuses_non_ascii_digits(tmp_path, built, capsys, monkeypatch):
    monkeypatch.setenv("PORTAL_WACHTWOORD", "geheim-wachtwoord")
    monkeypatch.setattr(gebruikers, "UserData", lambda: UserData(tmp_path / "userdata.db"))
    assert gebruikers.main(["toevoegen", "ams", "--rol", "gemeente", "--gemeente", ARABIC]) == 1
    assert "Onbekende gemeentecode" in capsys.readouterr().err


def test_an_imported_visitatie_refuses_non_ascii_digits():
    assert any("gemeentecode" in p for p in checks.check_visitatie({"gemeente_code": ARABIC}))
    assert not checks.check_visitatie({"gemeente_code": "GM0363"})


# ---- "eigen" means the gemeente's own client file; a year's own boundaries are the indeling "jaar" ---------------------------
def test_old_links_with_indeling_eigen_open_the_years_own_boundaries(built):
    new = page("gemeente", timeout=30, gemeente="GM0080", indeling="jaar")
    old = page("gemeente", timeout=30, gemeente="GM0080", indeling="eigen")  # a link shared before the rename
    assert not old.exception and not old.warning and not old.error
    assert old.query_params["indeling"] in ("jaar", ["jaar"])
    assert old.sidebar.radio[0].value == new.sidebar.radio[0].value == "jaar"
    assert [m.value for m in old.caption] == [m.value for m in new.caption]


def test_the_warehouse_knows_jaar_and_nieuwste(wh):
    assert wh.all_observations("jaar") is wh.all_observations("eigen")  # the old name, as older callers pass it
    with pytest.raises(ValueError, match="onbekende indeling"):
        wh.all_observations("geharmoniseerd")
