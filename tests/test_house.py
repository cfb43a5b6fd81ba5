"""Issue 21, the house: one kind of Dutch error, one gemeente-code pattern, one meaning of "eigen"."""

from __future__ import annotations

import pytest

from etl.build import BuildBusy
from etl.cbs import CbsError
from etl.validate import BuildError
from portal.eigen.upload import UploadFout
from portal.fouten import DutchError
from portal.store import WarehouseDamaged, WarehouseMissing, WarehouseUnavailable
from portal.userdata import Conflict, UserDataError
from portal.userdata.accounts import TeVeelPogingen
from portal.visitatie import NormError

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
