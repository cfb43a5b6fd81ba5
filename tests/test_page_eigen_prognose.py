"""The section "Prognose van het bestand" of the page "Eigen bestand" (issue 22, part 3) with AppTest: the synthetic
example (labelled, rounded to tens, backtest beside naive and seasonal naive) and a small real upload (the split by
duurklasse suppressed like the page's other tables)."""

from __future__ import annotations

from portal.eigen import store
from tests.pagetest import chart_specs, frame
from tests.test_page_eigen import AMSTERDAM, KNOWN, PEIL, clean, eigen, exported, spells, texts  # noqa: F401 (fixtures)


def table(at, column: str) -> list[dict]:
    return next(frame(at, i) for i in range(len(at.dataframe)) if column in at.dataframe[i].value.columns)


def test_synthetic_example_shows_prognosis_split_and_backtest(clean, exported) -> None:  # noqa: F811
    at = eigen(gemeente=AMSTERDAM)
    assert "Prognose van het bestand" in [h.value for h in at.header]
    head = next(m.value for m in at.markdown if m.value.startswith("**Verwacht bestand eind "))
    # "... : 30.190 uitkeringen** (95 %-interval 29.910–30.520), ...": the prognosis and its interval in tens.
    numbers = [int(x.replace(".", "")) for x in __import__("re").findall(r"\d{1,3}(?:\.\d{3})+", head)]
    assert len(numbers) >= 3 and all(n % 10 == 0 for n in numbers[:3]) and 28_000 <= numbers[0] <= 33_000, head
    assert numbers[1] <= numbers[0] <= numbers[2]
    # The chart is marked SYNTHETISCH (first source line) and holds the realised months and the 12 projected ones.
    spec = next(s for s in chart_specs(at) if "Bestand: gerealiseerd en prognose" in str(s.get("title")))
    rows = [r for d in spec["datasets"].values() for r in d]
    assert {r["reeks"] for r in rows} == {"gerealiseerd", "prognose", "ondergrens 95 %", "bovengrens 95 %"}
    assert sum(r["reeks"] == "prognose" for r in rows) == 12
    assert any("SYNTHETISCH" in c.value and "voorraad-stroommodel" in c.value for c in at.caption)
    # The split by duurklasse: every count a multiple of ten (Amsterdam: nothing is small).
    split = table(at, "Verwachte uitstroom in 12 maanden")
    assert [r["Duur van de uitkering"] for r in split] == ["< 1 jaar", "1–2 jaar", "2–5 jaar", "5–10 jaar", "≥ 10 jaar"]
    assert all(r["Verwachte uitstroom in 12 maanden"] % 10 == 0 for r in split)
    # The backtest: 6 and 12 months, the method beside naive and seasonal naive, with a verdict in words.
    bt = table(at, "Backtest")
    assert [r["Backtest"].split(" (")[0] for r in bt] == ["6 maanden", "12 maanden"]
    assert all(r["Naïef (%)"] is not None and r["Seizoensnaïef (%)"] is not None for r in bt)
    verdict = texts(at)
    assert "zat de methode er over de 6 maanden daarna gemiddeld" in verdict
    beaten = [r["Methode beter"] == "ja" for r in bt]
    if not all(beaten):  # the page says so plainly
        assert any("niet beter dan een naïeve voorspelling" in w.value for w in at.warning)
    # Every download of the section carries the SYNTHETISCH line.
    mine = [lines for lines in exported if any("Backtest:" in x or "duur van de uitkering aan het begin" in x for x in lines)]
    assert len(mine) == 2 and all("SYNTHETISCH" in lines[0] for lines in mine)


def test_small_real_upload_split_is_suppressed(clean, exported) -> None:  # noqa: F811
    store.save(AMSTERDAM, "klein.csv", spells(AMSTERDAM, KNOWN), PEIL, "test")
    at = eigen(gemeente=AMSTERDAM)
    if any(i.value.startswith("Geen prognose") for i in at.info):
        return  # nothing of it shown at all is also safe
    split = table(at, "Verwachte uitstroom in 12 maanden")
    for r in split:
        for c in ("Verwachte uitstroom in 12 maanden", next(k for k in r if k.startswith("Verwacht bestand eind"))):
            v = r[c]
            assert v is None or v != v or (v % 10 == 0 and v >= 10), split  # hidden (None/NaN) or ≥ 10 in tens
    # 42 uitkeringen, all 1–2 jaar old: the other classes are hidden, and so is the one the column total would give away.
    hidden = sum(1 for r in split if r["Verwachte uitstroom in 12 maanden"] is None or r["Verwachte uitstroom in 12 maanden"] != r["Verwachte uitstroom in 12 maanden"])
    assert hidden != 1 and hidden >= 4
    assert any("Onderdrukt:" in c.value for c in at.caption)
