"""The page "Eigen bestand" in headless Chromium: a gemeente's own CSV through the real file uploader, the suggested
mapping, "Controleren en opslaan", and the monitors on the uploaded file; a bad file stores nothing. Checked with axe."""

from __future__ import annotations

import json

import pytest

from portal.eigen import store
from tests.test_browser import AXE_BLOCKING, axe_violations, chromium_page, wait_until_rendered

ENSCHEDE = "GM0153"
HEADER = "Klantnummer;Ingangsdatum;Einddatum;Reden beëindiging;Huishouden;Geboortedatum;Geslacht;Trede"


def own_csv(bad_row: bool = False) -> bytes:
    """A file as a gemeente's system writes it: semicolons, dd-mm-jjjj, Windows-1252, its own names and codes.

    Known by construction: bestand end of July 2026 = 40 + 11 = 51; end of October 2026 = 40 + 20 = 60 (the 15 ended in
    June, the 11 in October, the 20 began in September); 86 uitkeringsperioden; newest date October 2026. Trede 1: 15 rows,
    Trede 2: 51, Trede 3: 20 (a fasering column the page must let the user translate, issue 18)."""
    lines = [HEADER]
    for n, begin, einde, reden, leefvorm, sekse, trede in [(40, "15-01-2025", "", "", "alleenstaand", "V", "Trede 2"),
                                                            (15, "15-01-2025", "20-06-2026", "werk aanvaard", "gehuwd", "M", "Trede 1"),
                                                            (20, "10-09-2026", "", "", "eenoudergezin", "V", "Trede 3"),
                                                            (11, "15-01-2025", "05-10-2026", "verhuisd", "alleenstaand", "M", "Trede 2")]:
        start = 100000 + len(lines)
        lines += [f"{start + i};{begin};{einde};{reden};{leefvorm};12-05-1985;{sekse};{trede}" for i in range(n)]
    if bad_row:
        lines[3] = "200003;15-03-2026;01-02-2026;verhuisd;alleenstaand;12-05-1985;M;Trede 2"  # the third data row, line 4
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


@pytest.fixture
def no_uploads(built):
    def clear() -> None:
        for u in store.uploads(ENSCHEDE):
            if not u["verwijderd"]:
                store.delete(ENSCHEDE, u["id"], "test")
    clear()
    yield
    clear()


def test_upload_map_and_see_own_figures(server: str, no_uploads) -> None:
    from playwright.sync_api import expect

    with chromium_page(1400) as page:
        page.goto(f"{server}/eigen_bestand?gemeente={ENSCHEDE}")
        wait_until_rendered(page)
        expect(page.get_by_text("Synthetisch voorbeeld.")).to_be_visible()
        upload = page.locator("[data-testid=stFileUploader] input[type=file]")
        history = store.uploads(ENSCHEDE)  # other tests may have left deleted uploads in it

        # An end date before the begin date: the Dutch message names row and column, and nothing is stored.
        upload.set_input_files(files=[{"name": "fout.csv", "mimeType": "text/csv", "buffer": own_csv(bad_row=True)}])
        expect(page.get_by_text("86 rijen, 8 kolommen", exact=False)).to_be_visible(timeout=30_000)
        page.get_by_role("button", name="Controleren en opslaan").click()
        expect(page.get_by_text("Het bestand is niet opgeslagen:")).to_be_visible(timeout=30_000)
        expect(page.get_by_text("Rij 4, kolom 'Einddatum': einddatum 01-02-2026 ligt vóór de begindatum 15-03-2026.")
               ).to_be_visible()
        assert store.uploads(ENSCHEDE) == history and store.current(ENSCHEDE) is None

        # The good file: the suggested mapping and peildatum are right as they stand.
        upload.set_input_files(files=[{"name": "bijstand-enschede.csv", "mimeType": "text/csv", "buffer": own_csv()}])
        expect(page.get_by_text("fout.csv")).to_have_count(0, timeout=30_000)
        wait_until_rendered(page)
        for field, column in (("Cliëntnummer", "Klantnummer"), ("Begindatum uitkering", "Ingangsdatum"),
                              ("Einddatum uitkering", "Einddatum"), ("Reden beëindiging", "Reden beëindiging"),
                              ("Leefvorm", "Huishouden"), ("Geboortejaar of leeftijd", "Geboortedatum"),
                              ("Fasering / participatieladder", "Trede")):
            expect(page.get_by_role("combobox", name=field).first).to_have_value(column)
        # Every value of every code column with the rows it covers and its meaning, before anything is stored.
        for line in ("Rijen per betekenis: werk 15; overig 11.", "Rijen per betekenis: alleenstaande 51; alleenstaande ouder "
                     "20; paar 15.", "Rijen per betekenis: man 26; vrouw 60.",
                     "Rijen per betekenis: Trede 1 15; Trede 2 51; Trede 3 20."):
            expect(page.get_by_text(line)).to_be_visible()
        page.get_by_role("button", name="Controleren en opslaan").click()
        expect(page.get_by_text("Opgeslagen als upload", exact=False)).to_contain_text(
            "86 uitkeringsperioden, peildatum 31-10-2026.", timeout=30_000)
        wait_until_rendered(page)
        expect(page.get_by_text("Synthetisch voorbeeld.")).to_have_count(0)
        expect(page.get_by_text("'bijstand-enschede.csv'", exact=False).first).to_be_visible()
        expect(page.get_by_text("van 51 eind juli 2026 naar 60 eind oktober 2026", exact=False)).to_be_visible()
        current = store.current(ENSCHEDE, synthetisch=False)
        assert current["bestandsnaam"] == "bijstand-enschede.csv" and current["rijen"] == 86
        assert not store.spells(ENSCHEDE)["client"].str.contains(r"^\d{6}$").any()  # client numbers are never stored as given
        assert store.spells(ENSCHEDE)["fasering"].value_counts().sort("fasering").rows() == [
            ("Trede 1", 15), ("Trede 2", 51), ("Trede 3", 20)]

        wait_until_rendered(page)  # the checks above take seconds: a rerun may have started meanwhile
        violations = axe_violations(page)
        blocking = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in violations if v["impact"] in AXE_BLOCKING]
        assert not blocking, json.dumps(blocking, indent=1, ensure_ascii=False)
        assert page.locator("[data-testid=stException]").count() == 0
