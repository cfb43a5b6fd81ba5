"""The visitatie foto's prognose column from monthly figures (issue 22, part 3): the own-file prognosis with its backtest
when the gemeente shares its figures, else a public monthly series where there is one, else the yearly straight line."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import polars as pl
import pytest

from portal import prognose as pg
from portal import visitatie as vt
from portal import visitatie_eigen as ve
from portal.eigen import synth
from portal.eigen.store import Eigenbestand
from portal.access import Gebruiker
from portal.paths import vandaag
from portal.userdata.checks import check_foto

TODAY = vandaag()  # the tests' pinned today (tests/conftest.py), as portal.prognose.foto_prognose uses it
PEIL = dt.date(TODAY.year, TODAY.month, 1) - dt.timedelta(days=1)  # the end of the last complete month
GEMEENTE = Gebruiker("hengelo", "gemeente", "GM0164")
VOLUME = "dichtheid_uitkeringen_totaal"


def regel(periode: str = "2024", realisatie: float = 40.0) -> dict:
    return {"indicator": VOLUME, "periode": periode, "realisatie": realisatie}


def test_block_carries_the_prognosis_and_the_scorecard_uses_it(tmp_path: Path, foto: dict) -> None:
    db = Eigenbestand(tmp_path / "eigen.db")
    spells = synth.generate("GM0164", 2000, 5, PEIL).with_columns(synthetisch=pl.lit(False))
    db.save("GM0164", "bijstand.csv", spells, PEIL, GEMEENTE)
    block = ve.make_block(db, "GM0164")
    p = block["prognose"]
    row = next(r for r in block["cijfers"] if r["id"] == "prognose_bestand")
    # Rounded to tens, with its interval and its backtest error named in the row.
    assert row["waarde"] % 10 == 0 and row["onder"] <= row["waarde"] <= row["boven"] and row["reden"] is None
    assert "backtest over 12 maanden: methode" in row["periode"] and "naïef" in row["periode"]
    assert ve.waarde_text(row) == f"{pg.nl_number(row['waarde'])} ({pg.nl_number(row['onder'])}–{pg.nl_number(row['boven'])})"
    assert check_foto({**foto, "eigen": block}) == []
    assert "2024-12" in p["factoren"] and p["mape"] is not None
    # The scorecard's volume row: the dichtheid carried with the own file's expected change, the backtest beside it.
    shared = {**foto, "eigen": block}
    r = next(x for x in shared["regels"] if x["indicator"] == VOLUME)
    card = vt.scorecard(shared, {}).filter(pl.col("indicator") == VOLUME).row(0, named=True)
    assert r["periode"] == "2024"
    assert card["Prognose"] == pytest.approx(r["realisatie"] * p["factoren"]["2024-12"])
    assert card["Prognosejaar"].startswith(f"{dt.date.fromisoformat(p['maand'] + '-01'):%m-%Y}, eigen bestand; backtest ")
    # Without the block: today's rule (the yearly line, or why there is none).
    plain = vt.scorecard(foto, {}).filter(pl.col("indicator") == VOLUME).row(0, named=True)
    assert "eigen bestand" not in (plain["Prognosejaar"] or "")


def test_public_monthly_series_replaces_the_yearly_line() -> None:
    """A public monthly series (as 82015NED after `etl vernieuw`) with a known trend and season: the prognosis 12 months
    after its last month, carried to the dichtheid through the series' December of the realisatie's year."""
    first = pg.month_index(dt.date(2022, 1, 1))
    last = pg.month_index(PEIL)
    season = [1.03, 1.02, 1.01, 1.0, 0.99, 0.98, 0.97, 0.98, 0.99, 1.0, 1.01, 1.02]
    val = {i: 2000 * math.exp(-0.003 * (i - first)) * season[i % 12] for i in range(first, last + 1)}
    obs = pl.DataFrame({"gemeente_code": "GM0164", "indicator": "bijstandsuitkeringen_maand",
                        "periode": [f"{pg.month_date(i):%Y-%m}" for i in val], "waarde": list(val.values())})
    got = pg.maandprognose(obs, "GM0164", VOLUME, "2024", 40.0)["maandprognose"]
    target = last + 12
    expected = 2000 * math.exp(-0.003 * (target - first)) * season[target % 12]
    dec = val[pg.month_index(dt.date(2024, 12, 1))]
    assert got["waarde"] == pytest.approx(40.0 * expected / dec, rel=1e-9)
    assert got["maand"] == f"{pg.month_date(target):%Y-%m}" and got["beter"] and got["mape"] < 1e-6
    p = pg.foto_prognose({**regel(), "maandprognose": got}, {})
    assert p["waarde"] == pytest.approx(got["waarde"]) and "CBS 82015NED per maand; backtest 0,0 %" in p["periode"]
    # No monthly series, another indicator, a month that has passed, or malformed data: the yearly rule stays.
    assert pg.maandprognose(obs, "GM0153", VOLUME, "2024", 40.0) == {}
    assert pg.maandprognose(obs, "GM0164", "cbs_instroom_pct_15_aow", "2024", 40.0) == {}
    assert pg.foto_prognose({**regel(), "maandprognose": {**got, "maand": "2019-01"}}, {}) is None
    assert pg.foto_prognose({**regel(), "maandprognose": {**got, "waarde": "veel"}}, {}) is None
    assert pg.foto_prognose(regel(), {"eigen": {"prognose": {"factoren": "x"}}}) is None
