"""Every gemeente of the newest indeling: its profile opens with default settings, and its ontleding runs for every year."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from portal import benchmark as bm
from portal import peers
from portal.ui.profiel import DELEN

APP = str(Path(__file__).resolve().parent.parent / "pages" / "app.py")


PARTS = 4  # the gemeenten in four interleaved parts, so that the test processes (pytest-xdist) share the work


@pytest.mark.parametrize("part", range(PARTS))
def test_every_profile_opens(built: Path, wh, part: int) -> None:
    """Vlieland, Schiermonnikoog, Rozendaal and Meierijstad stopped with an English "math domain error" before.
    Together the parts open every gemeente's profile, each in an AppTest of its own, with every section open."""
    codes = list(wh.gemeenten()["gemeentecode"])
    assert len(codes) > 300
    failed = {}
    for code in codes[part::PARTS]:
        at = AppTest.from_file(APP, default_timeout=60)
        at.query_params["gemeente"] = code
        for param in [*DELEN, "oudere", "oordeel"]:  # every folded part open: they are built only when opened (issue 24)
            at.query_params[param] = "true"
        at.switch_page("profiel.py")
        at.run()
        if at.exception:
            failed[code] = [e.value for e in at.exception]
    assert not failed


def test_every_decomposition_runs(wh) -> None:
    harm = wh.all_observations("nieuwste")
    fm = peers.FeatureMatrix.build(peers.feature_table(wh))
    flows = harm.filter(pl.col("indicator") == bm.DECOMPOSITION[1])
    years = sorted(flows["periode"].unique())
    status: dict[str, int] = {}
    for code in wh.gemeenten()["gemeentecode"]:
        members = peers.resolve(wh, fm, peers.GroupSpec(), code).members
        for year in years:
            d = bm.decomposition(harm, code, members, year)
            if d is not None:
                assert bm.decomposition_text(d)
                status[d["status"]] = status.get(d["status"], 0) + 1
    assert status["ok"] > 900 and status["te klein"] > 0 and status["onwaarschijnlijk"] >= 1
