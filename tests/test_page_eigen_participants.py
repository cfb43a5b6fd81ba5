"""Attacks on the benchmark among participants through the page, as a curious gemeente user (Amsterdam) would try them:
look before and after another gemeente uploads, choose groups that differ in one gemeente, read small totals, and
compare before and after a participant corrects its file. Each must reveal nothing (issue 18; mechanism in
portal.eigen.participants)."""

from __future__ import annotations

import datetime as dt

import polars as pl
from streamlit.testing.v1 import AppTest

from portal.eigen import store, synth
from tests.pagetest import login, shown
from tests.test_page_eigen import AMSTERDAM, KNOWN, OTHERS, PEIL, accounts, clean, eigen, monthly, participants, spells  # noqa: F401

UTRECHT, VLIELAND = "GM0344", "GM0096"


def tables(at: AppTest) -> dict[str, list[dict]]:
    """The participant tables as the user reads them, by their source line (the first line names the group)."""
    out = {}
    for i in range(len(at.dataframe)):
        if "Gemeenten" in at.dataframe[i].value.columns and "Naar werk %" in at.dataframe[i].value.columns:
            out[str(i)] = shown(at, i)
    return out


def texts(at: AppTest) -> str:
    return " ".join(x.value for x in [*at.caption, *at.info, *at.markdown])


def test_another_gemeente_uploading_or_correcting_changes_nothing_that_can_be_subtracted(accounts) -> None:
    store.save(AMSTERDAM, "amsterdam.csv", spells(AMSTERDAM, KNOWN), PEIL, "test")
    participants(OTHERS)  # six other gemeenten
    before = tables(login(eigen(), "amsterdam"))
    assert before and all(int(r["Gemeenten"]) == 6 for t in before.values() for r in t)

    # A seventh gemeente uploads: 'after minus before' would be Utrecht's figures. Nothing changes on screen.
    store.save(UTRECHT, "utrecht.csv", synth.generate(UTRECHT, 700, 3, PEIL, jaren=3).with_columns(synthetisch=pl.lit(False)),
               PEIL, "test")
    assert tables(login(eigen(), "amsterdam")) == before  # the same six: not even a sign that someone joined

    # One participant corrects its file (three more clients): a new upload of the same month. Still nothing changes.
    fixed = synth.generate(OTHERS[0], 400, 7, PEIL, jaren=3).with_columns(synthetisch=pl.lit(False))
    extra = fixed.head(3).with_columns(pl.col("client") + "-extra")
    store.save(OTHERS[0], "gecorrigeerd.csv", pl.concat([fixed, extra]), PEIL, "test")
    at = login(eigen(), "amsterdam")
    assert tables(at) == before
    assert "U ziet de stand van" in texts(at) and "minstens 5 gemeenten nieuwe of andere cijfers" in texts(at)


def test_groups_the_user_chooses_give_no_participant_total(accounts) -> None:
    """`?rg=knn&k=1&plus=…` with one more gemeente: the participant tables are the same fixed groups in both views."""
    store.save(AMSTERDAM, "amsterdam.csv", spells(AMSTERDAM, KNOWN), PEIL, "test")
    participants(OTHERS)
    r1 = login(eigen(rg="knn", k="1", plus=",".join(OTHERS[:4])), "amsterdam")
    r2 = login(eigen(rg="knn", k="1", plus=",".join(OTHERS[:5])), "amsterdam")
    assert tables(r1) == tables(r2) and tables(r1)
    assert "Een totaal over de referentiegroep of een andere zelf gekozen groep toont het portaal niet" in texts(r1)
    assert not any("referentiegroep" in m.value.lower() for m in r1.markdown if m.value.startswith("**"))


def test_small_participants_show_no_cell_under_ten_and_only_tens(accounts) -> None:
    store.save(AMSTERDAM, "amsterdam.csv", spells(AMSTERDAM, KNOWN), PEIL, "test")
    for i, code in enumerate([*OTHERS[:5], VLIELAND]):  # six small files of about 40 uitkeringen
        made = synth.generate(code, 40, 11 + i, PEIL, jaren=3).with_columns(synthetisch=pl.lit(False))
        store.save(code, f"{code}.csv", made, PEIL, "test")
    found = tables(login(eigen(), "amsterdam"))
    cells = [r[c] for t in found.values() for r in t for c in ("Bestand", "Instroom", "Uitstroom", "Uitstroom naar werk")]
    assert cells and any(v == "–" for v in cells)
    assert all(v == "–" or (int(v.replace(".", "")) >= 10 and int(v.replace(".", "")) % 10 == 0) for v in cells)


def test_persons_not_uitkeringen_five_people_with_two_spells_stay_hidden(accounts) -> None:
    """In May 2026 only five people enter, each with two spells (back after two days). Counted as uitkeringen that is an
    instroom of 10, which would pass the threshold; counted as persons (episodes) it is 5, and hidden."""
    twice = [(dt.date(2026, 5, 4), dt.date(2026, 5, 8), "overig", 5)]
    again = [(dt.date(2026, 5, 11), None, None, 5)]
    file = pl.concat([spells(AMSTERDAM, KNOWN), spells(AMSTERDAM, twice).with_columns(pl.col("client") + "-p"),
                      spells(AMSTERDAM, again).with_columns(pl.col("client") + "-p")])
    assert file.filter(pl.col("begin").dt.month() == 5).height == 10
    store.save(AMSTERDAM, "amsterdam.csv", file, PEIL, "test")
    may = monthly(login(eigen(), "amsterdam"))["05-2026"]
    assert may["Instroom"] == "–" and may["Uitstroom"] == "–"
    assert may["Bestand (einde maand)"] != "–"


def test_a_gemeente_user_asking_for_another_gemeente_is_told_it_sees_its_own(accounts) -> None:
    at = login(eigen(gemeente="GM0599"), "amsterdam")
    assert at.title[-1].value == "Eigen bestand Amsterdam"
    assert [i.value for i in at.info if "is genegeerd" in i.value] == [
        "U ziet het eigen bestand van uw gemeente, Amsterdam; de gemeente in de link ('GM0599') is genegeerd: het bestand "
        "van een andere gemeente is niet voor u zichtbaar."]
