"""The page "Eigen bestand" with AppTest: the synthetic example and its labels, a real upload with known figures and its
deletion, access by role, and the benchmark among participants (aggregates over at least five gemeenten only)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from portal import ui
from portal.eigen import store, synth
from portal.eigen.schema import SPELLS
from portal.paths import USERDATA
from portal.userdata import UserData
from tests.pagetest import frame, login, page, shown

AMSTERDAM, ENSCHEDE = "GM0363", "GM0153"
PEIL = dt.date(2026, 10, 31)
OTHERS = ["GM0014", "GM0034", "GM0153", "GM0193", "GM0599", "GM0772"]  # Groningen, Almere, Enschede, Zwolle, Rotterdam, Eindhoven


def eigen(**params: str) -> AppTest:
    return page("eigen_bestand", **params)


def spells(gemeente: str, groups: list[tuple[dt.date, dt.date | None, str | None, int]]) -> pl.DataFrame:
    """A hand-made file: per group (begin, einde, reden, number of clients) that many identical spells."""
    rows = [{"gemeente": gemeente, "upload_id": 0, "client": f"k{g}-{i}", "begin": begin, "einde": einde, "reden": reden,
             "leefvorm": "alleenstaande", "geboortejaar": 1980, "geslacht": "vrouw", "fasering": "trede 2", "bedrag": 1219.64,
             "synthetisch": False}
            for g, (begin, einde, reden, n) in enumerate(groups) for i in range(n)]
    return pl.DataFrame(rows, schema=SPELLS)


# Known by construction: 48 spells begin in January 2025; 11 end in March 2026 (overig) while 12 begin; 7 end in June 2026
# (werk). Bestand end of February 2026: 48; end of March: 49; end of June: 42. Instroom March 2026: 12, uitstroom 11.
KNOWN = [(dt.date(2025, 1, 15), None, None, 30), (dt.date(2025, 1, 15), dt.date(2026, 6, 20), "werk", 7),
         (dt.date(2025, 1, 15), dt.date(2026, 3, 5), "overig", 11), (dt.date(2026, 3, 10), None, None, 12)]


def clear_uploads() -> None:
    db = store.default()
    for code in {AMSTERDAM, *OTHERS, *db.participants()}:
        for u in db.uploads(code):
            if not u["verwijderd"]:
                db.delete(code, u["id"], "test")


@pytest.fixture
def clean(built: Path):
    clear_uploads()
    yield
    clear_uploads()


@pytest.fixture
def exported(monkeypatch) -> list[list[str]]:
    """The source lines of every CSV/Excel download the page offers (the same lines are in the files)."""
    seen: list[list[str]] = []
    real = ui.downloads

    def record(frame, lines, key):
        seen.append(list(lines))
        real(frame, lines, key)

    monkeypatch.setattr(ui, "downloads", record)
    return seen


@pytest.fixture
def accounts(clean):
    ud = UserData(USERDATA)
    made = [("amsterdam", "gemeente", AMSTERDAM), ("anna", "visitatieteam", None), ("baas", "beheer", None)]
    for naam, rol, code in made:
        ud.add_account(naam, f"{naam}-wachtwoord", rol, code)
    yield ud
    for naam, _, _ in made:
        ud.remove_account(naam)


def texts(at: AppTest) -> str:
    return "\n".join(e.value for k in ("title", "header", "warning", "info", "error", "caption", "markdown", "success")
                     for e in getattr(at, k))


def monthly(at: AppTest) -> dict[str, dict]:
    """The bestandsmonitor table as read on screen, per month (mm-jjjj)."""
    i = next(i for i in range(len(at.dataframe)) if "Bestand (einde maand)" in at.dataframe[i].value.columns)
    return {r["Maand"]: r for r in shown(at, i)}


def test_synthetic_example_is_labelled_everywhere(clean, exported) -> None:
    at = eigen(gemeente=AMSTERDAM)
    assert at.title[0].value == "Eigen bestand Amsterdam"
    assert any(w.value.startswith("**Synthetisch voorbeeld.**") for w in at.warning)
    source = [c.value for c in at.caption if c.value.startswith("SYNTHETISCH bestand voor Amsterdam")]
    assert len(source) == 1 and "30.530 uitkeringen algemene bijstand (2024, CBS 85383NED)" in source[0]
    assert "seed 2026" in source[0]
    # Every chart caption and every table export says SYNTHETISCH (the CBS comparison and public tables are absent here).
    chart_captions = [c.value for c in at.caption if c.value.startswith("Bron en definitie:")]
    assert chart_captions and all("SYNTHETISCH" in c for c in chart_captions)
    assert len(exported) >= 4 and all(any("SYNTHETISCH" in line for line in lines) for lines in exported), exported
    # The monitors show a realistic stock near Amsterdam's 30.530 uitkeringen, and no comparison with other gemeenten.
    last = list(monthly(at).values())[-1]
    assert 29_000 <= int(last["Bestand (einde maand)"].replace(".", "")) <= 32_000
    assert "Geen vergelijking met andere deelnemers op een synthetisch bestand." in texts(at)
    # Leefvorm at chosen peildata: by default the peildatum and the same month one and two years earlier.
    peildata = at.multiselect(key=f"peildata-{AMSTERDAM}")
    assert len(peildata.value) == 3 and [d.month for d in peildata.value] == [peildata.value[0].month] * 3
    def leefvorm_rows(at) -> list[dict]:
        return next(frame(at, i) for i in range(len(at.dataframe)) if "Leefvorm" in at.dataframe[i].value.columns)

    assert len(leefvorm_rows(at)) == 9  # three peildata × three leefvormen
    at = peildata.set_value(peildata.value[-1:]).run()
    assert not at.exception and len(leefvorm_rows(at)) == 3  # one peildatum: one row per leefvorm


def test_real_upload_known_figures_suppression_and_delete(clean, exported) -> None:
    uid = store.save(AMSTERDAM, "bijstand-oktober.csv", spells(AMSTERDAM, KNOWN), PEIL, "test")
    at = eigen(gemeente=AMSTERDAM)
    assert not any("Synthetisch" in w.value for w in at.warning)
    source = f"upload {uid} 'bijstand-oktober.csv'"
    assert any(source in c.value and "peildatum 31-10-2026" in c.value for c in at.caption)
    monitors = [lines for lines in exported if not lines[0].startswith("Uploads van het eigen")]  # not the history
    assert monitors and all(any(source in line for line in lines) for lines in monitors), monitors
    assert not any("SYNTHETISCH" in line for lines in exported for line in lines)
    rows = monthly(at)
    assert rows["02-2026"]["Bestand (einde maand)"] == "48"
    assert rows["03-2026"]["Bestand (einde maand)"] == "49"
    # March 2026 (instroom 12, uitstroom 11) is the only month of the last twelve with any instroom and, apart from June's
    # 7, with any uitstroom: with the visitatie block's 12-month totals it would show that every other month holds 0, so
    # the joint suppression hides March rather than those totals (issue 18).
    assert (rows["03-2026"]["Instroom"], rows["03-2026"]["Uitstroom"]) == ("–", "–")
    assert rows["06-2026"]["Bestand (einde maand)"] == "42"
    assert rows["06-2026"]["Uitstroom"] == "–" and rows["06-2026"]["Uitstroom naar werk"] == "–"  # 7 persons: suppressed
    assert "7" not in {v for r in rows.values() for v in r.values()}
    assert "Onderdrukt:" in " ".join(line for lines in exported for line in lines)
    assert rows and any(r["Leefvorm"] == "alleenstaande" for r in shown(at, 2))  # codes read as words

    # The budget monitor takes a Dutch amount; anything else gets a Dutch message and no figures.
    at.text_input(key=f"budget-{AMSTERDAM}").input("twintig").run()
    assert any("geen bedrag" in e.value for e in at.error) and not at.metric
    at.text_input(key=f"budget-{AMSTERDAM}").input("1.000.000").run()
    assert not at.error and [m.label for m in at.metric] == ["Uitgegeven tot de peildatum", "Prognose voor het jaar", "Verwacht saldo"]
    assert all(m.value.startswith("€") and "." in m.value and "," not in m.value[-2:] for m in at.metric[:2]), [m.value for m in at.metric]
    euro = [int(m.value.removeprefix("€ ").replace(".", "")) for m in at.metric]
    # Prognose: spent so far plus 42 running uitkeringen of € 1.219,64 for November and December; saldo = budget - prognose.
    assert abs(euro[1] - euro[0] - 42 * 2 * 1219.64) <= 1 and euro[2] == 1_000_000 - euro[1]

    at.checkbox(key=f"zeker-{AMSTERDAM}").check().run()
    at.button(key=f"verwijder-{AMSTERDAM}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert store.current(AMSTERDAM, synthetisch=False) is None and store.spells(AMSTERDAM, uid).is_empty()
    assert [m.value for m in at.success] == [f"Upload {uid}: bijstand-oktober.csv, peildatum 31-10-2026 is verwijderd, met alle "
                                             "cijfers die erop rustten."]
    assert any(w.value.startswith("**Synthetisch voorbeeld.**") for w in at.warning)
    assert int(list(monthly(at).values())[-1]["Bestand (einde maand)"].replace(".", "")) > 29_000
    history = at.dataframe[0].value
    assert history["Status"].to_list() == ["verwijderd"] and history["Bestand"].to_list() == ["bijstand-oktober.csv"]


def test_access_by_role(accounts) -> None:
    store.save(ENSCHEDE, "enschede.csv", spells(ENSCHEDE, KNOWN), PEIL, "test")
    own = login(eigen(gemeente=ENSCHEDE), "amsterdam")  # a link to another gemeente
    assert own.title[-1].value == "Eigen bestand Amsterdam"
    assert "Enschede" not in texts(own) and "enschede.csv" not in texts(own)
    assert [e.label for e in own.expander][:2] == ["Bestand uploaden", "Een upload verwijderen"] or \
        [e.label for e in own.expander][:1] == ["Bestand uploaden"]  # may upload for their own gemeente

    team = login(eigen(gemeente=ENSCHEDE), "anna")
    assert [e.value for e in team.error] == [
        "Een eigen cliëntbestand is alleen zichtbaar voor de gemeente zelf en voor beheer. Een visitatieteam ziet wat de "
        "gemeente in de visitatiefoto opneemt."]
    assert not team.dataframe and not any(t.value.startswith("Eigen bestand") for t in team.title)

    beheer = login(eigen(gemeente=ENSCHEDE), "baas")
    assert beheer.title[-1].value == "Eigen bestand Enschede"
    assert any("'enschede.csv'" in c.value for c in beheer.caption)
    assert monthly(beheer)["03-2026"]["Bestand (einde maand)"] == "49"


def participants(codes: list[str]) -> None:
    """Synthetic spells stored as REAL uploads of other gemeenten (for this test only)."""
    for i, code in enumerate(codes):
        made = synth.generate(code, 400 + 50 * i, 7 + i, PEIL, jaren=3).with_columns(synthetisch=pl.lit(False))
        store.save(code, f"{code}.csv", made, PEIL, "test")


def test_participants_only_as_aggregate_of_five(accounts) -> None:
    store.save(AMSTERDAM, "amsterdam.csv", spells(AMSTERDAM, KNOWN), PEIL, "test")
    participants(OTHERS[:4])
    at = login(eigen(), "amsterdam")
    assert "Vergelijking met andere deelnemers: nog niet mogelijk. Er zijn 4 andere gemeenten met een echte upload" in texts(at)
    assert not [d for d in range(len(at.dataframe)) if "Gemeenten" in at.dataframe[d].value.columns]

    participants(OTHERS[4:5])
    at = login(eigen(), "amsterdam")
    agg = [at.dataframe[d].value for d in range(len(at.dataframe)) if "Gemeenten" in at.dataframe[d].value.columns]
    assert agg, texts(at)
    assert all(f["Gemeenten"].min() >= 5 for f in agg)
    assert agg[0].iloc[-1]["Bestand"] > 5 * 350  # the sum of five files of 400 to 600 running uitkeringen
    everything = texts(at) + str([at.dataframe[d].value.to_dict() for d in range(len(at.dataframe))])
    assert not any(code in everything for code in OTHERS[:5]) and "Per deelnemer" not in [e.label for e in at.expander]

    beheer = login(eigen(gemeente=AMSTERDAM), "baas")
    assert "Per deelnemer (alleen beheer)" in [e.label for e in beheer.expander]
    i = next(d for d in range(len(beheer.dataframe)) if "Gemeente" in beheer.dataframe[d].value.columns)
    per = shown(beheer, i)
    assert sorted(r["Gemeente"][-7:-1] for r in per) == sorted(OTHERS[:5]) and per[0]["Laatste maand"] == "10-2026"
    assert all(r[c] == "–" or int(r[c].replace(".", "")) >= 10 for r in per for c in ("Instroom", "Uitstroom"))


def test_small_gemeente_synthetic_example_suppresses_every_flow(clean) -> None:
    """Vlieland (10 uitkeringen algemene bijstand, 2024): every monthly flow is under 10, so no empty chart is drawn."""
    at = eigen(gemeente="GM0096")
    assert "10 uitkeringen algemene bijstand (2024, CBS 85383NED)" in texts(at)
    assert "Geen grafiek van instroom en uitstroom: elk maandcijfer is kleiner dan 10 en daarom onderdrukt." in texts(at)
    assert all(v in ("–", None) for row in monthly(at).values() for k, v in row.items() if k in ("Instroom", "Uitstroom"))


def test_budget_needs_amounts(clean) -> None:
    """A file without amounts says so at once instead of asking for a budget it cannot use."""
    store.save(AMSTERDAM, "zonder-bedragen.csv", spells(AMSTERDAM, KNOWN).with_columns(bedrag=None), PEIL, "test")
    at = eigen(gemeente=AMSTERDAM)
    assert any("geen uitkeringsbedragen" in i.value for i in at.info)
    assert not [t for t in at.text_input if t.key == f"budget-{AMSTERDAM}"] and not at.metric


def test_uitstroomkans_known_cohort_and_no_estimate_beyond_follow_up(clean) -> None:
    """40 instromers in March 2026 of whom 12 leave to work and 10 for another reason on 1 May (after 53 days), and 10
    instromers on the 10th of every other month of the last twelve who are still running (no month of the last twelve
    is empty and some endings are not to work: see issue 18 for why an empty month, or "every ending was to work", hides
    more). Cohort 2026 starts on 1 February 2026 (the first einde): 120 instromers; at 53 days 100 are at risk (those of
    September and October are observed for less), so the kans within 6 months is 22 / 100 = 22,0 %, to work 12 / 100.
    Nobody can be followed for 12 months by the peildatum: the 12-month kans stays empty instead of repeating the
    6-month figure, and "nog in de bijstand na 12 mnd" is 0 by definition, so it is shown, not suppressed."""
    store.save(AMSTERDAM, "cohort.csv", spells(AMSTERDAM, [
        (dt.date(2025, 1, 15), None, None, 20), (dt.date(2025, 1, 15), dt.date(2026, 2, 1), "overig", 10),  # before: not a cohort
        (dt.date(2026, 3, 10), None, None, 18), (dt.date(2026, 3, 10), dt.date(2026, 5, 1), "werk", 12),
        (dt.date(2026, 3, 10), dt.date(2026, 5, 1), "overig", 10),
        *[(dt.date(y, m, 10), None, None, 10) for y, m in [(2025, 11), (2025, 12), *((2026, k) for k in range(1, 11) if k != 3)]]]),
        PEIL, "test")
    at = eigen(gemeente=AMSTERDAM)
    i = next(d for d in range(len(at.dataframe)) if "Instroomjaar" in at.dataframe[d].value.columns)
    assert shown(at, i) == [{"Instroomjaar": "2026", "Instromers": "120", "Uitstroomkans 6 mnd (%)": "22,0",
                             "Ondergrens 6 mnd (%)": shown(at, i)[0]["Ondergrens 6 mnd (%)"],
                             "Bovengrens 6 mnd (%)": shown(at, i)[0]["Bovengrens 6 mnd (%)"],
                             "Uitstroomkans 12 mnd (%)": "–", "Ondergrens 12 mnd (%)": "–", "Bovengrens 12 mnd (%)": "–",
                             "Nog in de bijstand na 6 mnd": "38", "Nog in de bijstand na 12 mnd": "0"}]
    low, high = (float(shown(at, i)[0][c].replace(",", ".")) for c in ("Ondergrens 6 mnd (%)", "Bovengrens 6 mnd (%)"))
    assert 12 < low < 22 < high < 32
    at.radio(key=f"naar-{AMSTERDAM}").set_value("werk").run()
    i = next(d for d in range(len(at.dataframe)) if "Instroomjaar" in at.dataframe[d].value.columns)
    assert shown(at, i)[0]["Uitstroomkans 6 mnd (%)"] == "12,0"  # the other endings are censored at day 53
