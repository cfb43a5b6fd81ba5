"""The Kaart in headless Chromium: a click on a gemeente opens its Gemeenteprofiel (Altair selection, on_select)."""

from __future__ import annotations

from tests.test_browser import (ARTIFACTS, chromium_page, new_visitatie, shared_chromium,  # noqa: F401 (the module's
                                wait_until_rendered)  # Chromium, for both tests)


def test_a_click_on_the_map_opens_the_profile(server: str) -> None:
    from playwright.sync_api import expect

    with chromium_page(1100) as page:
        page.goto(f"{server}/kaart?gemeente=GM0363&indicator=wdeel_onderbesteding_proxy_jaarrekening")
        wait_until_rendered(page)
        page.screenshot(path=str(ARTIFACTS / "kaart_wdeel.png"), full_page=True)
        plot = page.locator(".vega-embed canvas, .vega-embed svg.marks").first
        box = plot.bounding_box()
        tip = page.locator("#vg-tooltip-element")
        naam = None
        # hover over points of the map until the tooltip names a gemeente (water and the margin have none)
        for fx, fy in ((0.55, 0.55), (0.6, 0.7), (0.45, 0.6), (0.7, 0.5), (0.5, 0.45), (0.65, 0.35)):
            x, y = box["x"] + box["width"] * fx, box["y"] + box["height"] * fy
            page.mouse.move(x, y)
            page.wait_for_timeout(400)
            if tip.is_visible() and "Gemeente" in tip.inner_text():
                rows = [r.strip() for r in tip.inner_text().splitlines()]  # "Gemeente", "Montferland", "", ...
                naam = rows[rows.index("Gemeente") + 1]
                if naam:
                    break
        assert naam, "geen gemeente onder de muis gevonden"
        page.mouse.click(x, y)
        expect(page.get_by_role("heading", name=f"Gemeenteprofiel {naam}")).to_be_visible(timeout=30_000)
        assert "/profiel" in page.url and "gemeente=GM" in page.url
        wait_until_rendered(page)  # (the profile writes its choices into the link as it runs)
        # back to the Kaart: it stays there (the click is not made again). Streamlit adds a history entry each time a page
        # writes its choices into the link, so Back may first land on the same profile with fewer of them.
        for _ in range(4):
            page.go_back()
            page.wait_for_timeout(500)
            if "/kaart" in page.url:
                break
        expect(page.get_by_role("heading", name="Kaart")).to_be_visible(timeout=30_000)
        wait_until_rendered(page)
        page.wait_for_timeout(1000)
        assert "/kaart" in page.url


def test_the_date_picker_speaks_dutch_and_starts_on_monday(server: str) -> None:
    """The visitatie dates in an English browser: Streamlit gives its calendar the browser's language, which the portal
    sets to Dutch (portal/ui/theme.py): Dutch months and days, the week from Monday, Dutch labels for screen readers."""
    from playwright.sync_api import expect

    with chromium_page(1200, width=1280) as page:
        assert page.evaluate("navigator.language").startswith("en")  # Playwright's Chromium: an English browser
        new_visitatie(page, server, "Visitatie Enschede (kalender)", "voorjaar 2027")
        wait_until_rendered(page)
        page.get_by_role("tab", name="Gegevens").click()
        field = page.locator("[data-testid=stDateInput]").filter(has_text="Bezoek").first
        field.scroll_into_view_if_needed()
        field.locator("[data-testid=stDateInputCalendarButton]").click()
        dialog = page.get_by_role("dialog").last
        expect(dialog).to_be_visible(timeout=10_000)
        page.wait_for_timeout(600)  # the translation of Streamlit's own words runs when the browser is idle
        text = dialog.inner_text()
        assert "januari" in dialog.evaluate("d => d.textContent") and "January" not in text
        days = dialog.locator("[role=gridcell] [aria-label], [role=gridcell][aria-label]").evaluate_all(
            "cells => cells.map(c => c.getAttribute('aria-label')).filter(Boolean)")
        assert days and days[0].startswith("maandag"), days[:3]  # the week starts on Monday
        labels = dialog.evaluate("d => [...d.querySelectorAll('[aria-label]')].map(e => e.getAttribute('aria-label'))")
        assert "Vorige maand" in labels and "Volgende maand" in labels and not any(l.startswith("Choose date") for l in labels)
        page.screenshot(path=str(ARTIFACTS / "kalender_nl.png"))
