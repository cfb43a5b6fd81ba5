"""The page "Eigen bestand" with a BUS file (issue 22, part 1): recognised without a mapping step, found and missing
kenmerken listed, stored, and the uitstroom by reden shown through the page's suppression; bad BUS not stored; the
synthetic example offers BUS and SRG files."""

from __future__ import annotations

import polars as pl

from portal.eigen import bus_synth, store
from tests.test_bus import PEIL, VAN, known
from tests.test_page_eigen import clean, eigen, upload  # noqa: F401 - fixture

GM = AMSTERDAM = "GM0200"  # Apeldoorn: no other page test uses it, so the upload history these tests leave disturbs none


def _zip(records: pl.DataFrame) -> bytes:
    return bus_synth.zipped(bus_synth.bus_files(records, GM, "kenmerk"))


def test_page_recognises_a_bus_zip_lists_kenmerken_and_stores_it(clean) -> None:  # noqa: F811
    spells, bsns = known()
    records = bus_synth.bus_records(spells, VAN, PEIL, GM, bsn={b: b for b in bsns})
    at = upload(eigen(gemeente=AMSTERDAM), "bus.zip", _zip(records), GM)
    texts = [m.value for m in at.markdown]
    assert any(s.value.startswith("Herkend als BUS-bestand") for s in at.success)
    found = next(t for t in texts if t.startswith("**Gevonden kenmerken (13):**"))
    assert "kenmerk 8 (statistiekcode) in kolom 'kenmerk 8 - statistiekcode'" in found
    missed = next(t for t in texts if t.startswith("**Niet gevonden (21):**"))
    assert "kenmerk 21 (huisvesting)" in missed and "(verplicht)" not in missed
    assert not [s for s in at.selectbox if (s.key or "").startswith("kol-")]  # no mapping step
    at.button(key=f"opslaan-{AMSTERDAM}").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    done = next(s.value for s in at.success if s.value.startswith("Opgeslagen als upload"))
    assert "algemene bijstand 147, IOAW 12, Bbz 5" in done and "30 records bijzondere bijstand (11, 12)" in done
    stored = store.spells(AMSTERDAM)
    assert stored.height == 147 and not set(bsns) & set(stored["client"])
    # after the rerun the page rests on the upload: uitstroom by reden with both definitions, suppressed
    at.run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "Reden beëindiging (BUS kenmerk 34)" in d.value.columns)
    rows = {r["Reden beëindiging (BUS kenmerk 34)"]: r for r in table.to_dict("records")}
    assert rows["naar werk (11 en 13)"]["Uitstromers"] == 27
    assert abs(rows["naar werk (11 en 13)"]["Per 100 personen met bijstand (CBS)"] - 21.6) < 1e-9
    assert abs(rows["naar werk (11 en 13)"]["Aandeel van alle uitstroom, % (Divosa)"] - 46.6) < 1e-9  # 27 / 58, rounded as shown
    import math

    assert math.isnan(rows["13 inkomsten uit zelfstandig beroep of bedrijf"]["Uitstromers"])  # 3: hidden
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Naar werk als aandeel van alle uitstroom (Divosa)"] == "46,6 %"
    # the bestandsmonitor shows nothing for the months before the file's first statistiekmaand: a spell that ended then
    # is not in the file, so the stock there would only look low
    first = store.current(AMSTERDAM)["maand_van"]
    monthly = next(d.value for d in at.dataframe if "Bestand (einde maand)" in d.value.columns)
    before = monthly[monthly["Maand"].map(lambda m: f"{m[3:]}-{m[:2]}") < first]
    assert len(before) and before.drop(columns="Maand").isna().all().all(), before
    assert any(c.value.startswith("Maanden vóór ") and "beschrijft het bestand niet volledig" in c.value for c in at.caption)


def test_page_refuses_bad_bus_and_names_the_missing_kenmerk(clean) -> None:  # noqa: F811
    spells, bsns = known()
    records = bus_synth.bus_records(spells, VAN, PEIL, GM, bsn={b: b for b in bsns}).drop("reden")
    at = upload(eigen(gemeente=AMSTERDAM), "bus.zip", _zip(records), GM)
    assert [e.value for e in at.error] == ["Het bestand mist verplichte kenmerken en kan niet worden opgeslagen: kenmerk 34 "
                                           "(reden beëindiging uitkering persoon)."]
    assert store.current(AMSTERDAM, synthetisch=False) is None


def test_synthetic_example_offers_bus_and_srg_files(clean) -> None:  # noqa: F811
    at = eigen(gemeente=AMSTERDAM)
    at.toggle(key=f"voorbeeld-{AMSTERDAM}").set_value(True).run()
    assert not at.exception
    assert any("SYNTHETISCH: twaalf maandbestanden" in c.value for c in at.caption)
    # the synthetic page shows the reden table too, labelled as the synthetic file
    assert any("Reden beëindiging (BUS kenmerk 34)" in d.value.columns for d in at.dataframe)
