"""The real portal in headless Chromium (Debian package), driven by Playwright: a permalink, a chart, a screenshot;
every page opened by deep link and checked with axe-core (WCAG 2.1 AA) and for keyboard focus."""

from __future__ import annotations

import os
import shutil
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import urlparse

import pytest

from portal.ui import PAGES

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]

if not Path(CHROMIUM).exists():
    reason = "Debian chromium ontbreekt (apt-get install chromium); `python3 dev.py test` installeert het als root"
    if os.environ.get("CI"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason, allow_module_level=True)


_SHARED: list = []  # this module's Chromium while its tests run (shared_chromium)


@pytest.fixture(scope="module", autouse=True)
def shared_chromium() -> Iterator[None]:
    """One Chromium process for this module's tests instead of one per test (starting Playwright's driver and Chromium
    takes about a second). Each page still gets a browser context of its own: no cookies, storage or cache shared."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        _SHARED.append(p.chromium.launch(executable_path=CHROMIUM, args=FLAGS))
        try:
            yield
        finally:
            _SHARED.pop().close()


@contextmanager
def chromium_page(height: int, width: int = 1400) -> Iterator:
    """A fresh page, in a fresh browser context, in headless Debian Chromium; the artifacts folder exists for screenshots.
    Uses this module's Chromium while its tests run, else (other modules) starts one for the page."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    if _SHARED:
        context = _SHARED[-1].new_context(viewport={"width": width, "height": height})
        try:
            yield context.new_page()
        finally:
            context.close()
        return
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser.new_page(viewport={"width": width, "height": height})
        browser.close()


def new_visitatie(page, server: str, title: str, periode: str) -> None:
    """Make a visitatie of Enschede with its 5 nearest gemeenten through the form, and wait until it is open."""
    from playwright.sync_api import expect

    page.goto(f"{server}/visitatie?gemeente=GM0153&rg=knn&k=5")
    expect(page.get_by_role("heading", name="Nieuwe visitatie")).to_be_visible(timeout=30_000)
    page.get_by_label("Titel").fill(title)
    page.get_by_label("Periode").fill(periode)
    page.get_by_role("button", name="Visitatie aanmaken").click()
    expect(page.get_by_role("heading", name=title)).to_be_visible(timeout=30_000)


def wait_until_rendered(page, timeout: int = 60_000) -> None:
    """Wait until Streamlit finished the run: a title is there, no status widget ("running"), no loading skeleton, no
    element greyed out as stale by a rerun (axe would count its faded text as a contrast failure), every Vega-Lite chart drawn, and all of that for 1.5 s in a row (a run can start a rerun)."""
    page.locator("h1").first.wait_for(timeout=timeout)
    page.wait_for_function(
        """() => {
            const busy = document.querySelector('[data-testid="stStatusWidget"], [data-testid="stSkeleton"], [data-stale="true"]') !== null
                || [...document.querySelectorAll('.vega-embed')].some(e => !e.querySelector('svg.marks, canvas'));
            if (busy) { window.__quietSince = undefined; return false; }
            window.__quietSince = window.__quietSince || performance.now();
            return performance.now() - window.__quietSince > 1500;
        }""",
        polling=200, timeout=timeout)


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
        page.get_by_text("Instroom en uitstroom, met de ontleding").click()  # built when opened (issue 24)
        page.wait_for_url("**stromen=true**", timeout=10_000)
        with page.expect_download() as csv:
            page.get_by_role("button", name="CSV", exact=True).first.click(timeout=30_000)
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
        new_visitatie(page, server, "Visitatie Enschede (browser)", "najaar 2026")
        page.wait_for_url("**visitatie=**", timeout=10_000)
        expect(page.get_by_text("Concept: de foto volgt de nieuwste cijfers")).to_be_visible(timeout=30_000)

        page.get_by_role("tab", name="Thema's en notities").click()
        panel = page.get_by_role("tabpanel", name="Thema's en notities")
        panel.get_by_label("Tekst").first.fill("De instroom daalt sinds de poortaanpak van 2016.")
        panel.get_by_role("button", name="Toevoegen").click()
        expect(page.get_by_text("Missie en visie (1)")).to_be_visible(timeout=30_000)  # the first theme, the form's default
        expect(panel.get_by_label("Tekst").first).to_have_value("", timeout=10_000)  # an empty box for the next note

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
        wait_until_rendered(page)
        blocking = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in axe_violations(page)
                    if v["impact"] in AXE_BLOCKING]
        assert not blocking, blocking  # the dossier with tabs, the frozen foto and its charts

        page.get_by_role("tab", name="Exporteren").click()
        page.get_by_role("button", name="PDF-rapport maken").click()
        with page.expect_download() as pdf:
            page.get_by_role("button", name="PDF downloaden").click(timeout=30_000)
        assert Path(pdf.value.path()).read_bytes()[:5] == b"%PDF-"


def test_user_text_and_link_values_show_as_text(server: str) -> None:
    """A note with an image link, a title and a theme with a link, and a link parameter with one: in the browser no
    element a user's text made (no link, image, emphasis, list or heading), and the text reads as it was typed."""
    from playwright.sync_api import expect

    from portal.paths import USERDATA
    from portal import visitatie as vt
    from portal.userdata import UserData

    link, image = "[Log opnieuw in](https://example.org)", "![x](https://example.org/t.png)"
    note = f"Zie {image} en **vet**, www.example.org\n- geen lijst\n# geen kop"
    ud = UserData(USERDATA)
    vid = ud.create_visitatie("anna", "GM0153", f"Visitatie {link}", "2026", {"naam": "g", "leden": ["GM0193"]})
    ud.add_item(vid, "anna", vt.NOTITIE_SOORTEN[0], note, thema="Focus")
    ud.add_item(vid, "anna", vt.NOTITIE_SOORTEN[0], "Zwolle 2024: 12,5%", thema="Focus")
    ud.update_visitatie(vid, ud.visitatie(vid)["versie"], "anna", {"themas": [f"Thema {link}", "Focus"]})

    def made_by_users(page) -> list[str]:
        main = page.locator("section[data-testid=stMain], [data-testid=stMain]").first
        return main.evaluate("""m => [...m.querySelectorAll('a[href^="https://example.org"], img[src^="https://example.org"], '
                             + '[data-testid=stMarkdownContainer] :is(strong, em, ul, ol, h1, h2, code)')]
                             .filter(e => !e.closest('[data-testid=stHeading]') || e.tagName === 'A')
                             .map(e => e.outerHTML.slice(0, 120))""")

    with chromium_page(1400) as page:
        page.goto(f"{server}/visitatie?visitatie={vid}")
        expect(page.get_by_role("heading", name=f"Visitatie {link}")).to_be_visible(timeout=30_000)
        page.get_by_role("tab", name="Thema's en notities").click()
        # (the note's edit field holds the same text, so look in the shown markdown only)
        shown_note = page.locator("[data-testid=stMarkdownContainer]").get_by_text("Zwolle 2024: 12,5%", exact=True)
        expect(shown_note).to_be_visible(timeout=30_000)
        shown = page.get_by_text("Zie ![x]", exact=False).first.inner_text().replace("\u200b", "")
        assert shown == note, shown
        expect(page.get_by_text(f"Thema {link} (0)".replace("https://", "https:\u200b//"))).to_be_visible()
        found = [h for h in made_by_users(page) if "bevriezen" not in h and "Naar fase" not in h]
        assert not [h for h in found if "example.org" in h or "vet" in h or "lijst" in h or "kop" in h], found

        page.goto(f"{server}/profiel?gemeente={link}&groep=99999999999999999999&bouw={image}")
        expect(page.get_by_text("parameter gemeente in de link", exact=False)).to_be_visible(timeout=30_000)
        expect(page.get_by_text("parameter groep in de link", exact=False)).to_be_visible()
        expect(page.get_by_text("parameter bouw", exact=False)).to_be_visible()
        # (the menu's own links carry the query string, so only a link or image pointing to example.org counts)
        assert page.locator('a[href^="https://example.org"], img[src^="https://example.org"]').count() == 0
        assert page.locator("[data-testid=stException]").count() == 0


# axe-core violations that block: WCAG 2.1 AA failures axe rates critical or serious. Moderate and minor ones are
# reported in tests/artifacts/axe-<page>.json (heading order, see below, is one).
AXE_BLOCKING = ("critical", "serious")
# Rule ids the check skips, each with the reason. Only for parts of Streamlit or Vega-Lite that config.toml and
# portal/ui/theme.py cannot reach; keep it empty when possible.
AXE_SKIP: dict[str, str] = {}


def axe_violations(page) -> list[dict]:
    """Run axe-core (bundled by axe-playwright-python, no network) on the whole document; its violations."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"resultTypes": ["violations"], "rules": {rule: {"enabled": False} for rule in AXE_SKIP}}
    return Axe().run(page, options=options).response["violations"]


@pytest.mark.parametrize(("file", "title", "path"), PAGES, ids=[p[2] for p in PAGES])
def test_page_deep_link_and_accessibility(server: str, file: str, title: str, path: str) -> None:
    """Every page opens directly from a link with a query string: no "Page not found" dialog, its own tab title, Dutch
    as the document language, and no critical or serious axe-core violation once Streamlit finished rendering."""
    import json

    with chromium_page(1000) as page:
        page.goto(f"{server}/{path}?gemeente=GM0363")
        wait_until_rendered(page)
        assert page.get_by_role("dialog").count() == 0, page.get_by_role("dialog").all_inner_texts()
        assert page.get_by_text("Page not found").count() == 0
        assert urlparse(page.url).path == f"/{path}" and "gemeente=GM0363" in page.url
        assert page.title() == f"{title} · Bijstandsportaal"
        assert page.evaluate("document.documentElement.lang") == "nl"
        assert not english_interface_words(page)
        assert page.locator('[data-testid="stMainMenu"], [data-testid="stAppDeployButton"]').count() == 0
        assert not faint_chart_text(page)

        violations = axe_violations(page)
        summary = [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]],
                    "why": v["nodes"][0].get("failureSummary", "")} for v in violations]
        (ARTIFACTS / f"axe-{path}.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False), encoding="utf-8")
        counts = Counter(v["impact"] for v in violations)
        print(f"axe {path}: {dict(counts)} {[(v['id'], v['impact']) for v in violations]}")
        blocking = [v for v in summary if v["impact"] in AXE_BLOCKING]
        assert not blocking, json.dumps(blocking, indent=1, ensure_ascii=False)


def faint_chart_text(page) -> list[str]:
    """Axis, legend and title text in Vega-Lite charts below 4.5:1 on white: axe-core does not check SVG text."""
    return page.evaluate(
        """() => {
            const lum = rgb => { const c = rgb.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(v => v / 255)
                .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
                return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]; };
            const roles = ['role-axis-label', 'role-axis-title', 'role-legend-label', 'role-legend-title', 'role-title'];
            return [...document.querySelectorAll('.vega-embed svg text')]
                .filter(t => roles.some(r => t.closest('.' + r)) && t.textContent.trim())
                .map(t => [t.textContent, getComputedStyle(t).fill, 1.05 / (lum(getComputedStyle(t).fill) + 0.05)])
                .filter(([, , ratio]) => ratio < 4.5).map(([text, fill, ratio]) => `${text} ${fill} ${ratio.toFixed(2)}`);
        }""")


def english_interface_words(page) -> list[str]:
    """Streamlit's own English words (portal.ui.theme.NL_TEXT) still on the page, as text or as a label."""
    from portal.ui.theme import NL_TEXT

    return page.evaluate(
        """english => {
            const found = new Set();
            const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            while (walk.nextNode()) {
                const v = walk.currentNode.nodeValue;
                if (english.includes(v.trim())) found.add(v);
            }
            for (const e of document.querySelectorAll('[aria-label], [placeholder], [title]'))
                for (const a of ['aria-label', 'placeholder', 'title'])
                    if (english.includes(e.getAttribute(a))) found.add(a + '=' + e.getAttribute(a));
            return [...found];
        }""", list(NL_TEXT))


def test_unknown_address_gets_a_dutch_message(server: str) -> None:
    """Only a path that is no page shows Streamlit's not-found dialog, in Dutch, and then the first page."""
    from playwright.sync_api import expect

    with chromium_page(1000) as page:
        page.goto(f"{server}/bestaat-niet?gemeente=GM0363")
        expect(page.get_by_role("dialog")).to_contain_text("Pagina niet gevonden", timeout=60_000)
        expect(page.get_by_role("dialog")).to_contain_text("Deze pagina bestaat niet. U ziet de startpagina.")


def test_root_opens_the_first_page_with_its_query_string(server: str) -> None:
    """The bare address opens the Gemeenteprofiel under its own path; the link's choices stay."""
    with chromium_page(1000) as page:
        page.goto(f"{server}/?gemeente=GM0153&k=8")
        wait_until_rendered(page)
        assert urlparse(page.url).path == f"/{PAGES[0][2]}"
        assert "gemeente=GM0153" in page.url and "k=8" in page.url
        assert page.title() == f"{PAGES[0][1]} · Bijstandsportaal"
        assert page.get_by_role("dialog").count() == 0


FOCUS_JS = """() => {
    // The focused element and whether it, or the box around it (a text field or combobox), shows a solid outline.
    const a = document.activeElement;
    let visible = false;
    for (let e = a, i = 0; e && i < 3; e = e.parentElement, i++) {
        const s = getComputedStyle(e);
        if (s.outlineStyle === 'solid' && parseFloat(s.outlineWidth) >= 2) { visible = true; break; }
    }
    return {name: (a.getAttribute('aria-label') || a.innerText || '').trim().split('\\n')[0], tag: a.tagName,
            role: a.getAttribute('role'), sidebar: a.closest('[data-testid="stSidebar"]') !== null, visible};
}"""


def test_sidebar_reachable_by_keyboard_with_visible_focus(server: str) -> None:
    """Tab reaches every menu link and every sidebar control, and each shows a clear focus outline (WCAG 2.4.7)."""
    with chromium_page(1000) as page:
        page.goto(f"{server}/profiel?gemeente=GM0363")
        wait_until_rendered(page)
        seen = []
        for _ in range(25):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUS_JS)
            if seen and seen[-1]["sidebar"] and not focused["sidebar"]:
                break
            seen.append(focused)
        in_sidebar = [f for f in seen if f["sidebar"]]
        names = [f["name"] for f in in_sidebar]
        for _, title, _ in PAGES:
            assert title in names, names
        assert "Gemeente" in names and "Dichtheid per 1 000 inwoners" in names, names
        assert any(f["tag"] == "INPUT" and f["role"] is None for f in in_sidebar), names  # the Gemeentegrenzen radio
        assert all(f["visible"] for f in in_sidebar), [f for f in in_sidebar if not f["visible"]]
        page.screenshot(path=str(ARTIFACTS / "focus_sidebar.png"), clip={"x": 0, "y": 0, "width": 420, "height": 700})


# The boxes of every Vega-Lite chart shown on the page (not one in a closed expander or another tab), relative to its
# SVG: the plot (the root group's background, which Vega sizes to the plot area), the title and each legend.
CHART_BOXES_JS = """() => [...document.querySelectorAll('.vega-embed')].filter(e => e.checkVisibility()).map(e => {
    const svg = e.querySelector('svg.marks');
    if (!svg) return {svg: null};
    const s = svg.getBoundingClientRect();
    const box = el => { const r = el.getBoundingClientRect();
        return {left: r.left - s.left, top: r.top - s.top, right: r.right - s.left, bottom: r.bottom - s.top}; };
    const plot = svg.querySelector('g.mark-group.role-frame.root > g > path.background');
    const title = svg.querySelector('.role-title');
    return {svg: {width: s.width, height: s.height}, plot: plot && box(plot), title: title && box(title),
            text: title ? title.textContent : '', legends: [...svg.querySelectorAll('.role-legend')].map(box)};
})"""


def chart_size_problems(page) -> list[str]:
    """What is wrong with the size of each on-screen chart: a plot under 250 px high, or a title or legend that does not
    lie wholly inside the chart's SVG (cut off at an edge)."""
    from portal.charts import MIN_PLOT

    problems = []
    for i, c in enumerate(page.evaluate(CHART_BOXES_JS)):
        if c["svg"] is None:
            problems.append(f"grafiek {i}: geen SVG")
            continue
        w, h = c["svg"]["width"], c["svg"]["height"]

        def inside(b: dict) -> bool:
            return b["left"] >= -0.5 and b["top"] >= -0.5 and b["right"] <= w + 0.5 and b["bottom"] <= h + 0.5

        name = c["text"][:60] or f"grafiek {i}"
        if c["plot"] is None or c["plot"]["bottom"] - c["plot"]["top"] < MIN_PLOT:
            problems.append(f"{name}: plot {c['plot'] and round(c['plot']['bottom'] - c['plot']['top'])} px hoog")
        if c["title"] is None or not inside(c["title"]):
            problems.append(f"{name}: titel {c['title']} buiten {w}×{h}")
        problems += [f"{name}: legenda {b} buiten {w}×{h}" for b in c["legends"] if not inside(b)]
    return problems


@pytest.mark.parametrize("width", [1280, 1920])
def test_charts_keep_their_plot_title_and_legend(server: str, width: int) -> None:
    """The profile (GM0344), Vergelijken with the G40 (lines of 41 gemeenten) and its ranked view: every chart on screen
    has a plot of at least 250 px high, and its title and legends lie wholly inside the chart (measured in Chromium)."""
    urls = ["/profiel?gemeente=GM0344",
            "/vergelijken?gemeente=GM0193&rg=g40&indicator=cbs_instroom_pct_15plus",
            "/vergelijken?gemeente=GM0193&rg=g40&indicator=dichtheid_uitkeringen_totaal&jaar=2024"]
    seen = 0
    with chromium_page(1000, width=width) as page:
        for url in urls:
            page.goto(server + url)
            page.locator(".vega-embed svg.marks").first.wait_for(timeout=60_000)
            wait_until_rendered(page)
            charts = page.evaluate(CHART_BOXES_JS)
            assert charts, url
            assert not chart_size_problems(page), (url, chart_size_problems(page))
            seen += len(charts)
            if "vergelijken" in url:
                titles = [c["text"] for c in charts]
                assert any("op volgorde" in t for t in titles), titles  # the ranked view is there
                legend = page.locator(".vega-embed svg.marks").first.evaluate(
                    "s => [...s.querySelectorAll('.role-legend')].map(l => l.textContent).join(' ')")
                assert "Zwolle" in legend and "Tilburg" not in legend, legend  # no legend of 41 names
            if "instroom" in url:  # pointing at a grey line darkens it (the hover selection of group_lines_chart)
                lines = page.locator(".vega-embed svg.marks").first
                dark = "s => [...s.querySelectorAll('path')].filter(p => p.getAttribute('stroke') === '#1b1b1b').length"
                assert lines.evaluate(dark) == 0
                box = lines.bounding_box()
                page.mouse.move(box["x"] + box["width"] * 0.55, box["y"] + 150)
                page.wait_for_function(f"() => ({dark})(document.querySelector('.vega-embed svg.marks')) > 0", timeout=5_000)
                page.mouse.move(0, 0)
        page.screenshot(path=str(ARTIFACTS / f"vergelijken_rangschikking_{width}.png"), full_page=True)
    assert seen >= 5
