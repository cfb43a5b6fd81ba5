"""The page "Eigen bestand" with AppTest: the synthetic example and its labels, a real upload with known figures and its
deletion, access by role, and the benchmark among participants (aggregates over at least five gemeenten only)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from portal.ui import render
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
    with db._db(write=True) as conn:  # each test starts without participant releases shown before
        conn.execute("delete from releases")
        conn.execute("delete from kenmerken_releases")


@pytest.fixture
def clean(built: Path):
    clear_uploads()
    yield
    clear_uploads()


@pytest.fixture
def exported(monkeypatch) -> list[list[str]]:
    """The source lines of every CSV/Excel download the page offers (the same lines are in the files)."""
    seen: list[list[str]] = []
    real = render.downloads

    def record(frame, lines, key):
        seen.append(list(lines))
        real(frame, lines, key)

    monkeypatch.setattr(render, "downloads", record)
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
    peildata = next(m for m in at.multiselect if m.label == "Peildata")
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
    6-month figure, and "nog in de bijstand na 12 mnd" is not applicable: '–', not a 0 a reader takes for "nobody"."""
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
                             "Nog in de bijstand na 6 mnd": "38", "Nog in de bijstand na 12 mnd": "–"}]
    low, high = (float(shown(at, i)[0][c].replace(",", ".")) for c in ("Ondergrens 6 mnd (%)", "Bovengrens 6 mnd (%)"))
    assert 12 < low < 22 < high < 32
    at.radio(key=f"naar-{AMSTERDAM}").set_value("werk").run()
    i = next(d for d in range(len(at.dataframe)) if "Instroomjaar" in at.dataframe[d].value.columns)
    assert shown(at, i)[0]["Uitstroomkans 6 mnd (%)"] == "12,0"  # cumulative incidence: later instromers are censored, other endings compete


# ---- issue 18: uploads through the page -----------------------------------------------------------------------------
UPLOAD_HEADER = "Klantnummer;Ingangsdatum;Einddatum;Reden beëindiging;Huishouden;Geboortedatum;Geslacht;Participatieladder"


def own_csv(groups: list[tuple[int, str, str, str, str]], first: int = 100000) -> bytes:
    """A gemeente's export (semicolons, dd-mm-jjjj, Windows-1252): per group (clients, begin, einde, reden, ladder) that many
    spells of different clients, alleenstaand, born 12-05-1985."""
    lines = [UPLOAD_HEADER]
    for n, begin, einde, reden, ladder in groups:
        start = first + len(lines)
        lines += [f"{start + i};{begin};{einde};{reden};alleenstaand;12-05-1985;V;{ladder}" for i in range(n)]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def upload(at: AppTest, name: str, data: bytes, gemeente: str = AMSTERDAM) -> AppTest:
    at.file_uploader(key=f"upload-{gemeente}").set_value((name, data, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def save(at: AppTest, gemeente: str = AMSTERDAM) -> AppTest:
    at.button(key=f"opslaan-{gemeente}").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at


def code_table(at: AppTest, field: str) -> dict[str, tuple[str, str]]:
    """The translation table of a coded field on the upload form: value -> (rows as shown, meaning)."""
    table = next(d.value for d in at.dataframe if (d.key or "").startswith("codes-") and f"-{field}-" in d.key)
    return {r["Waarde in het bestand"]: (r["Rijen"], r["Betekent"]) for r in table.to_dict("records")}


def column_choice(at: AppTest, field: str):
    return next(s for s in at.selectbox if (s.key or "").startswith("kol-") and s.key.endswith(f"-{field}"))


def peildata(at: AppTest):
    return next(m for m in at.multiselect if m.label == "Peildata")


def test_benchmark_csv_with_a_trede_column_uploads_through_the_page(clean) -> None:
    """The project's own benchmark export (portal/tools/bench_upload.py) has a Trede column: every value is offered for translation
    with the rows it covers, and the file is stored as it stands (before: 'code niet in de vertaling' on every row)."""
    from portal.tools.bench_upload import sample_csv

    data = sample_csv(3000)
    expected = pl.read_csv(data.decode("cp1252").encode(), separator=";", infer_schema=False)["Trede"].value_counts()
    at = upload(eigen(gemeente=AMSTERDAM), "bench.csv", data)
    assert column_choice(at, "fasering").value == "Trede"
    treden = code_table(at, "fasering")
    assert treden == {v: (str(n), v) for v, n in expected.iter_rows()}  # six treden, about 500 rows each, kept as named
    assert sum(int(n) for n, _ in treden.values()) == 3000
    save(at)
    assert any(s.value.startswith("Opgeslagen als upload") and "3.000 uitkeringsperioden" in s.value for s in at.success)
    stored = store.spells(AMSTERDAM)
    assert stored["fasering"].value_counts().sort("fasering").rows() == sorted(expected.iter_rows())


def test_reden_table_shows_every_value_with_its_rows_and_werk_only_for_work(clean) -> None:
    groups = [(12, "15-01-2025", "", "", "3"), (3, "15-01-2025", "10-03-2026", "Werkweigering", "3"),
              (4, "15-01-2025", "10-03-2026", "Verwijtbaar werkloos", "3"),
              (5, "15-01-2025", "10-03-2026", "WW (werkloosheid)", "3"), (9, "15-01-2025", "10-03-2026", "Beschut werk", "3"),
              (7, "15-01-2025", "10-03-2026", "Start eigen bedrijf", "2"), (8, "15-01-2025", "10-03-2026", "werk aanvaard", "2"),
              (2, "15-01-2025", "10-03-2026", "Arbeid in loondienst", "1"), (1, "15-01-2025", "10-03-2026", "Dienstverband", "1")]
    at = upload(eigen(gemeente=AMSTERDAM), "redenen.csv", own_csv(groups))
    assert code_table(at, "reden") == {
        "Arbeid in loondienst": ("2", "werk"), "Beschut werk": ("9", "overig"), "Dienstverband": ("1", "werk"),
        "Start eigen bedrijf": ("7", "werk"), "Verwijtbaar werkloos": ("4", "overig"), "WW (werkloosheid)": ("5", "overig"),
        "Werkweigering": ("3", "overig"), "werk aanvaard": ("8", "werk")}
    assert "Rijen per betekenis: werk 18; overig 21." in [c.value for c in at.caption]
    # a participatieladder of bare steps: translatable on the page, read as treden
    assert code_table(at, "fasering") == {"1": ("3", "trede 1"), "2": ("15", "trede 2"), "3": ("33", "trede 3")}
    save(at)
    stored = store.spells(AMSTERDAM)
    assert stored["reden"].drop_nulls().value_counts().sort("reden").rows() == [("overig", 21), ("werk", 18)]
    assert stored["fasering"].value_counts().sort("fasering").rows() == [("trede 1", 3), ("trede 2", 15), ("trede 3", 33)]


def test_geen_for_the_ladder_column_is_remembered_for_the_next_upload(clean) -> None:
    at = upload(eigen(gemeente=AMSTERDAM), "maart.csv", own_csv([(30, "15-01-2025", "", "", "1"),
                                                                  (12, "15-01-2025", "10-03-2026", "verhuisd", "2")]))
    assert column_choice(at, "fasering").value == "Participatieladder"
    column_choice(at, "fasering").set_value("(geen)").run()
    assert not [d for d in at.dataframe if "-fasering-" in (d.key or "")]  # no translation asked for a column not used
    save(at)
    assert store.mapping(AMSTERDAM)["geen"] == {"fasering": "Participatieladder"}
    assert store.spells(AMSTERDAM)["fasering"].is_null().all()
    at = upload(at, "april.csv", own_csv([(30, "15-01-2025", "", "", "1"), (12, "15-01-2025", "10-04-2026", "verhuisd", "2")]))
    assert column_choice(at, "fasering").value == "(geen)"
    save(at)
    assert any("peildatum 30-04-2026" in s.value for s in at.success)


def test_peildatum_and_leefvorm_peildata_follow_the_new_file(clean) -> None:
    """A second file in the same session gets its own suggested peildatum (before: the first file's, 31-10 for a file
    through November), and after an upload the leefvorm table's peildata are those of the uploaded file."""
    last = dt.date.today().replace(day=1) - dt.timedelta(days=1)  # the end of the last complete month
    prev = last.replace(day=1) - dt.timedelta(days=1)
    at = eigen(gemeente=AMSTERDAM)
    assert [d.month for d in peildata(at).value] == [last.month] * 3  # the synthetic example's peildatum
    at = upload(at, "vorige-maand.csv", own_csv([(30, "15-01-2025", "", "", "1"),
                                                 (12, "15-01-2025", prev.replace(day=5).strftime("%d-%m-%Y"), "verhuisd", "1")]))
    assert [d.value for d in at.date_input] == [prev]
    save(at)
    assert sorted((d.year, d.month) for d in peildata(at).value) == [(prev.year - k, prev.month) for k in (2, 1, 0)]
    assert [r["Peildatum"] for r in frame(at, next(i for i in range(len(at.dataframe))
                                                   if "Leefvorm" in at.dataframe[i].value.columns))][-1] == f"{prev:%d-%m-%Y}"
    at = upload(at, "laatste-maand.csv", own_csv([(30, "15-01-2025", "", "", "1"),
                                                  (12, "15-01-2025", last.replace(day=3).strftime("%d-%m-%Y"), "verhuisd", "1")]))
    assert [d.value for d in at.date_input] == [last]


def test_a_large_file_is_read_once_not_on_every_widget_change(clean, monkeypatch) -> None:
    from portal.ui import eigen_bestand as eigen_ui

    calls: list[str] = []
    real = eigen_ui.read_file
    monkeypatch.setattr(eigen_ui, "read_file", lambda data, name: calls.append(name) or real(data, name))
    at = upload(eigen(gemeente=AMSTERDAM), "een.csv", own_csv([(30, "15-01-2025", "", "", "1")]))
    column_choice(at, "geslacht").set_value("(geen)").run()
    at.radio(key=next(r.key for r in at.radio if (r.key or "").startswith("indeling-"))).set_value("perioden").run()
    at.text_input(key=f"budget-{AMSTERDAM}").input("1.000.000").run()
    assert calls == ["een.csv"] and not at.exception
    upload(at, "twee.csv", own_csv([(31, "15-01-2025", "", "", "1")]))
    assert calls == ["een.csv", "twee.csv"]
    assert any("31 rijen" in c.value for c in at.caption)


@pytest.mark.parametrize("persons,spells_each,shown", [(9, 1, False), (10, 1, True), (5, 2, False)])
def test_budget_rests_on_at_least_ten_persons(clean, persons: int, spells_each: int, shown: bool) -> None:
    """Spending of fewer than MIN_CELL persons in the year is not shown; persons count, not spells (5 persons with two
    spells each stay hidden)."""
    groups = [(dt.date(2025, 1, 15), dt.date(2026, 2, 28), "overig", persons), (dt.date(2026, 4, 1), None, None, persons)]
    made = spells(AMSTERDAM, groups[:1] if spells_each == 1 else groups)
    if spells_each == 1:
        made = made.with_columns(einde=None, reden=None)
    made = made.with_columns(client=pl.format("p{}", pl.int_range(pl.len()) % persons))
    store.save(AMSTERDAM, "klein.csv", made, PEIL, "test")
    at = eigen(gemeente=AMSTERDAM)
    field = [t for t in at.text_input if t.key == f"budget-{AMSTERDAM}"]
    if shown:
        assert field and not any("Geen budgetmonitor" in i.value for i in at.info)
        field[0].input("1.000.000").run()
        assert [m.label for m in at.metric] == ["Uitgegeven tot de peildatum", "Prognose voor het jaar", "Verwacht saldo"]
    else:
        assert not field and not at.metric
        assert [i.value for i in at.info if "budgetmonitor" in i.value] == [
            "Geen budgetmonitor: de uitgaven in 2026 rusten op minder dan 10 personen met een uitkeringsbedrag in het "
            "bestand. Zo'n bedrag zegt iets over enkele cliënten en wordt daarom niet getoond, net als een aantal van "
            "minder dan 10 personen."]


def test_a_missing_spell_file_is_named_on_the_page_not_shown_as_an_empty_file(clean) -> None:
    uid = store.save(AMSTERDAM, "bijstand-oktober.csv", spells(AMSTERDAM, KNOWN), PEIL, "test")
    path = store.default().folder / AMSTERDAM / f"{uid}.parquet"
    kept = path.read_bytes()
    path.unlink()
    try:
        at = eigen(gemeente=AMSTERDAM)
        assert not at.exception
        assert any(e.value.startswith(f"De uitkeringsperioden van upload {uid} ('bijstand-oktober.csv') ontbreken")
                   for e in at.error), [e.value for e in at.error]
        assert len(at.dataframe) == 1 and "bijstand-oktober.csv" in at.dataframe[0].value.to_string()  # the upload history
        assert not at.get("vega_lite_chart")  # and no monitor drawn from an empty file
    finally:
        path.write_bytes(kept)
