"""The section "Kenmerken van de uitkeringen (BUS)" of the page "Eigen bestand" (issue 22, part 2), with a stored BUS
upload of hand-made records (tests/test_bus_kenmerken.py): the newest month's share with its denominator in words, the
cited Divosa reference, the note on the Participatiewet in balans, "niet in het bestand" for a kenmerk the file lacks,
the counts through the page's suppression, and the participant benchmark only from five other gemeenten on."""

from __future__ import annotations

import datetime as dt
import math

import polars as pl

from portal.eigen import bus, bus_store, store
from tests.test_bus_kenmerken import OKT, SEP, csv, records
from tests.test_page_eigen import OTHERS, clean, eigen, spells, upload  # noqa: F401 - fixture

GM = "GM0200"  # Apeldoorn, as tests/test_page_bus.py


def _store_bus(r: pl.DataFrame):
    at = upload(eigen(gemeente=GM), "bus.csv", csv(r, GM), GM)
    at.button(key=f"opslaan-{GM}").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _table(at, first_column: str):
    return next(d.value for d in at.dataframe if first_column in d.value.columns)


def _participant(code: str, werk: int, n: int = 100) -> None:
    """Another gemeente's real upload with only its monthly counts (n persons, werk with work income, both months)."""
    counts = pl.DataFrame([(m, i, c, v) for m in (SEP, OKT) for i, c, v in
                           (("personen", "totaal", n), ("uitkeringen", "totaal", n), ("werk", "ja", werk))],
                          schema=bus.INDICATOR_SCHEMA, orient="row")
    own = spells(code, [(dt.date(2025, 1, 15), None, None, 12)])
    store.default().save(code, "bus.zip", own, dt.date(2026, 10, 31), "test",
                         extra=bus_store.bus_extra(pl.DataFrame(schema=bus.REGELING_SCHEMA), counts))


def test_section_shows_the_shares_of_an_uploaded_bus_file(clean) -> None:  # noqa: F811
    at = _store_bus(records(GM))
    assert "Kenmerken van de uitkeringen (BUS)" in [h.value for h in at.header]
    assert [s.value for s in at.subheader] == ["Inkomsten uit werk naast de uitkering", "Ontheffing van de arbeidsverplichting",
                                               "Verminderingen (maatregelen) naar reden", "Huisvesting", "Kostendelers"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Met inkomsten uit werk (oktober 2026)"] == "30,8 %"  # 20 of 65
    assert metrics["Met ontheffing (oktober 2026)"] == "18,5 %"  # 12 of 65
    assert metrics["Met vermindering (oktober 2026)"] == "onderdrukt"  # 5: under 10
    assert metrics["Adresloos (oktober 2026)"] == "18,5 %" and metrics["In inrichting (oktober 2026)"] == "onderdrukt"  # 12, 8
    captions = [c.value for c in at.caption]
    assert "20 van de 65 personen met algemene bijstand in oktober 2026" in captions
    assert any(c.startswith("Ter vergelijking: Divosa meldt landelijk 8 % van de bijstandsgerechtigden met inkomsten uit "
                            "werk") and "Jaarrapportage 2017" in c for c in captions)
    assert any(i.value.startswith("Participatiewet in balans (wet 36582): nieuwe regels gaan in per 1 januari 2026 en per "
                                  "1 januari 2027") for i in at.info)
    assert any(c.startswith("Participatiewet in balans: de bijverdiengrenzen worden gelijkgetrokken") for c in captions)
    assert any("kostendelersnorm vervalt tijdelijk bij intensieve zorg" in c for c in captions)
    # the table of counts through the page's suppression: 8 with a vermindering (01) in September is hidden
    werk = _table(at, "Met inkomsten uit werk")
    assert werk["Personen met algemene bijstand"].tolist() == [65, 65]
    assert werk["Met inkomsten uit werk"].tolist() == [30, 20]
    # October: all 20 have vrijlating, so showing 20 would tell that 0 have none (a small count): hidden
    vrij = werk["Van wie met vrijlating van inkomsten"].tolist()
    assert vrij[0] == 20 and math.isnan(vrij[1])
    verm = _table(at, "Met vermindering")
    assert all(math.isnan(v) for v in verm["Op het vlak van plicht tot arbeidsinschakeling"])  # 8 and 0
    # every chart names its source and peildatum
    assert any(c.startswith("Bron en definitie: eigen BUS-bestand van Apeldoorn, peildatum 31-10-2026.") for c in captions)
    # too few participants: said, no figure
    assert any(c.startswith("Vergelijking met alle andere deelnemers: nog niet mogelijk voor oktober 2026.") for c in captions)


def test_a_kenmerk_not_in_the_file_says_so(clean) -> None:  # noqa: F811
    at = _store_bus(records(GM).drop("soort_inkomsten", "inkomsten_persoon", "vrijlating"))
    texts = [m.value for m in at.markdown]
    assert ("**Niet in het bestand:** kenmerk 31 (soort inkomsten) en 33 (vrijlating inkomsten) staat niet in het "
            "BUS-bestand (of is in geen enkele maand ingevuld), dus dit cijfer is er niet. Het is geen 0.") in texts
    assert "Met inkomsten uit werk (oktober 2026)" not in {m.label for m in at.metric}
    assert {m.label: m.value for m in at.metric}["Met ontheffing (oktober 2026)"] == "18,5 %"


def test_benchmark_from_five_other_participants(clean) -> None:  # noqa: F811
    for code, werk in zip(OTHERS[:5], (10, 20, 31, 40, 50)):
        _participant(code, werk)
    at = _store_bus(records(GM))
    bench = _table(at, "Mediaan (%)")
    row = bench.to_dict("records")[0]
    assert (row["Categorie"], row["Gemeenten"], row["P25 (%)"], row["Mediaan (%)"], row["P75 (%)"]) == (
        "Met inkomsten uit werk", 5, 20, 31, 40)
    assert any("Band en mediaan: alle andere deelnemers" in c.value for c in at.caption)


def test_benchmark_is_frozen_until_five_others_change_and_says_which_release(clean) -> None:  # noqa: F811
    """As a curious gemeente user: look, let one gemeente join, let one correct its October, look again each time. The
    benchmark shown stays the first release (and says from when it is) until five gemeenten have changed."""
    for code, werk in zip(OTHERS[:5], (10, 20, 31, 40, 50)):
        _participant(code, werk)
    at = _store_bus(records(GM))
    first = _table(at, "Mediaan (%)")
    today = dt.date.today().strftime("%d-%m-%Y")
    assert f"Vergelijking met alle andere deelnemers: benchmark van {today} (5 gemeenten)." in [c.value for c in at.caption]
    _participant(OTHERS[5], 90)  # live quantiles would move: P25 23, median 36, P75 48
    at.run()
    assert _table(at, "Mediaan (%)").equals(first)
    assert f"Vergelijking met alle andere deelnemers: benchmark van {today} (5 gemeenten)." in [c.value for c in at.caption]
    _participant(OTHERS[0], 15)  # corrects its file: 'after minus before' would be its new share
    at.run()
    assert _table(at, "Mediaan (%)").equals(first)
    assert any(c.value.startswith(f"Vergelijking met alle andere deelnemers: benchmark van {today} (5 gemeenten, maanden ")
               and "nieuwe deelnemers en gewijzigde bestanden worden meegenomen zodra minstens 5 gemeenten" in c.value
               for c in at.caption)
    for code, werk in zip(("GM0344", "GM0096", "GM0518"), (60, 70, 80)):  # with these, five gemeenten have changed
        _participant(code, werk)
    at.run()
    row = _table(at, "Mediaan (%)").to_dict("records")[0]
    assert (row["Gemeenten"], row["P25 (%)"], row["Mediaan (%)"], row["P75 (%)"]) == (9, 31, 50, 70)
    assert f"Vergelijking met alle andere deelnemers: benchmark van {today} (9 gemeenten)." in [c.value for c in at.caption]
