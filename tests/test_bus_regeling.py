"""The BUS/SRG reader against the legal text, not against itself: every kenmerk name of bijlage 1 of the Regeling
statistiek Participatiewet, IOAW en IOAZ (BWBR0031830, as in data/reference/BUS_SRG.md) is recognised as its number,
and the codes of statistiekcode (8), reden beëindiging (34) and type voorziening (SRG) are the regeling's codes."""

from __future__ import annotations

import re

from portal.eigen import bus
from portal.paths import ROOT

TEXT = (ROOT / "data" / "reference" / "BUS_SRG.md").read_text(encoding="utf-8")


def _rows() -> dict[int, tuple[str, str]]:
    """Bijlage 1's table: kenmerk number -> (name, format/codes), single-number rows only (ranges name two kenmerken)."""
    table = TEXT.split("## BUS (bijlage 1)")[1].split("\n\n")[0]
    out = {}
    for m in re.finditer(r"^\| (\d+) \| ([^|]+) \| ([^|]*) \|$", table, flags=re.M):
        name = re.sub(r"\s*\([^)]*\)\s*$", "", m.group(2)).strip()  # "(per person on the uitkering)", "(incl. vt)"
        out[int(m.group(1))] = (name, m.group(3))
    return out


def _codes(text: str) -> set[str]:
    return set(re.findall(r"(?<![\d-])(\d{2})(?=\s[a-zA-Z(])", text))


def test_every_legal_kenmerk_name_is_recognised_as_its_number() -> None:
    rows = _rows()
    assert len(rows) >= 27 and rows[8][0] == "statistiekcode" and rows[34][0] == "reden beëindiging uitkering persoon"
    for style in ("{name}", "{nr} {name}", "kenmerk {nr} - {name}", "{NAME}"):
        columns = [style.format(nr=nr, name=name, NAME=name.upper()) for nr, (name, _) in rows.items()]
        found = bus.herken(columns)
        assert found.soort == "bus"
        assert {nr: c for nr, c in found.kolommen.items() if nr in rows} == dict(zip(rows, columns)), style


def test_codes_are_the_regelings_codes() -> None:
    rows = _rows()
    assert _codes(rows[8][1]) == set(bus.STATISTIEKCODES)
    reden = TEXT.split("**Reden beëindiging (kenmerk 34).**")[1].split("\n\n")[0]
    assert _codes(reden) == set(bus.REDENEN)
    # "Uitstroom naar werk in the usual sense is 11 (and 13 for work as a zelfstandige)"
    assert re.search(r'"Uitstroom naar werk" in the usual sense is 11 \(and 13', reden) and set(bus.WERK_CODES) == {"11", "13"}
    srg = TEXT.split("**type voorziening**:")[1].split(";")[0]
    assert _codes(srg) == set(bus.VOORZIENINGEN)
