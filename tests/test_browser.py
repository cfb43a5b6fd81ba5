"""The real portal in headless Chromium (Debian package), driven by Playwright: a permalink, a chart, a screenshot."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from portal.paths import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]

if not Path(CHROMIUM).exists():
    reason = "Debian chromium ontbreekt (apt-get install chromium); `python3 dev.py test` installeert het als root"
    if os.environ.get("CI"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(built: Path):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "pages/app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
            break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("Streamlit kwam niet op binnen 60 s")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@contextmanager
def chromium_page(height: int, width: int = 1400):
    """A fresh page in headless Debian Chromium; the artifacts folder exists for screenshots."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser.new_page(viewport={"width": width, "height": height})
        browser.close()


def test_permalink_group_survives_navigation(server: str, wh) -> None:
    """A link with a gemeente and a nearest-neighbour group; move to Vergelijken and back through the menu."""
    from playwright.sync_api import expect

    from portal import peers

    fm = peers.FeatureMatrix.build(peers.feature_table(wh))
    first_peer = fm.names[peers.nearest(fm, "GM0153", 8, ("inwoners", "eenpersoons", "laag_inkomen"))["gemeentecode"][0]]
    with chromium_page(1200) as page:
        page.goto(f"{server}/?gemeente=GM0153&rg=knn&k=8&kenm=inwoners,eenpersoons,laag_inkomen")
        expect(page.get_by_role("heading", name="Gemeenteprofiel Enschede")).to_be_visible(timeout=30_000)
        page.locator(".vega-embed svg.marks, .vega-embed canvas").first.wait_for(timeout=30_000)
        expect(page.get_by_role("link", name="Referentiegroep: 8 meest gelijkende gemeenten")).to_be_visible()

        sidebar = page.locator("section[data-testid=stSidebar]")
        sidebar.get_by_role("link", name="Vergelijken").click()
        expect(page.get_by_role("heading", name="Vergelijken")).to_be_visible(timeout=30_000)
        page.wait_for_url("**k=8**", timeout=10_000)
        assert "gemeente=GM0153" in page.url
        expect(page.get_by_text(f"{first_peer} (", exact=False).first).to_be_visible(timeout=10_000)  # the group's members

        sidebar.get_by_role("link", name="Gemeenteprofiel").click()
        expect(page.get_by_role("heading", name="Gemeenteprofiel Enschede")).to_be_visible(timeout=30_000)
        expect(page.get_by_role("link", name="Referentiegroep: 8 meest gelijkende gemeenten")).to_be_visible(timeout=10_000)
        page.locator(".vega-embed svg.marks, .vega-embed canvas").first.wait_for(timeout=30_000)
        page.wait_for_timeout(800)
        page.screenshot(path=str(ARTIFACTS / "profiel_enschede.png"), full_page=True)
        assert "kenm=inwoners%2Ceenpersoons%2Claag_inkomen" in page.url or "kenm=inwoners,eenpersoons,laag_inkomen" in page.url

        # the chart and table downloads are real files carrying source lines
        with page.expect_download() as png:
            page.get_by_role("button", name="PNG", exact=True).first.click()
        assert Path(png.value.path()).read_bytes()[:4] == b"\x89PNG"
        with page.expect_download() as csv:
            page.get_by_role("button", name="CSV", exact=True).first.click()
        text = Path(csv.value.path()).read_text(encoding="utf-8-sig")
        assert text.startswith("# ") and "Bron:" in text and ";" in text

        # pick another gemeente in the sidebar: the page and the URL follow, the group definition stays
        page.get_by_role("combobox").first.click()
        page.keyboard.type("Vught")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Gemeenteprofiel Vught")).to_be_visible(timeout=30_000)
        page.wait_for_url("**gemeente=GM0865**", timeout=10_000)
        assert "k=8" in page.url

        # a merged-away gemeente in a link gets a Dutch message naming the successor
        page.goto(f"{server}/?gemeente=GM0457")
        expect(page.get_by_text("Weesp (GM0457) bestaat niet meer")).to_be_visible(timeout=30_000)


def test_visitatie_main_flow(server: str) -> None:
    """Create a visitatie, add a note next to a figure, freeze the foto and make the PDF: the dossier as a user sees it,
    in a 1 280 px window where the signal table needs no horizontal scrolling."""
    from playwright.sync_api import expect

    with chromium_page(1400, width=1280) as page:
        page.goto(f"{server}/visitatie?gemeente=GM0153&rg=knn&k=5")
        expect(page.get_by_role("heading", name="Nieuwe visitatie")).to_be_visible(timeout=30_000)
        page.get_by_label("Titel").fill("Visitatie Enschede (browser)")
        page.get_by_label("Periode").fill("najaar 2026")
        page.get_by_role("button", name="Visitatie aanmaken").click()
        expect(page.get_by_role("heading", name="Visitatie Enschede (browser)")).to_be_visible(timeout=30_000)
        page.wait_for_url("**visitatie=**", timeout=10_000)
        expect(page.get_by_text("Concept: de foto volgt de nieuwste cijfers")).to_be_visible(timeout=30_000)

        page.get_by_role("tab", name="Thema's en notities").click()
        panel = page.get_by_role("tabpanel", name="Thema's en notities")
        panel.get_by_label("Tekst").first.fill("De instroom daalt sinds de poortaanpak van 2016.")
        panel.get_by_role("button", name="Toevoegen").click()
        expect(page.get_by_text("Missie en visie (1)")).to_be_visible(timeout=30_000)  # the first theme, the form's default

        page.get_by_role("button", name="Naar fase 'bezoek'").click()
        page.get_by_role("button", name="Ja, foto bevriezen en naar fase 'bezoek'").click()  # freezing asks first
        expect(page.get_by_role("button", name="Naar fase 'rapportage'")).to_be_visible(timeout=30_000)
        page.get_by_role("tab", name="Cijfermatige foto").click()
        expect(page.get_by_text("Bevroren op")).to_be_visible(timeout=30_000)
        page.locator(".vega-embed svg.marks, .vega-embed canvas").first.wait_for(timeout=30_000)
        page.wait_for_timeout(800)
        page.screenshot(path=str(ARTIFACTS / "visitatie_dossier.png"), full_page=True)
        scroller = page.locator("[data-testid=stDataFrame] .dvn-scroller").first
        assert scroller.evaluate("s => s.scrollWidth <= s.clientWidth"), "the signal table scrolls sideways at 1 280 px"

        page.get_by_role("tab", name="Exporteren").click()
        page.get_by_role("button", name="PDF-rapport maken").click()
        with page.expect_download() as pdf:
            page.get_by_role("button", name="PDF downloaden").click(timeout=30_000)
        assert Path(pdf.value.path()).read_bytes()[:5] == b"%PDF-"
