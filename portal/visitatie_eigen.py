"""Own-file figures in the visitatie foto (issue 13): a small descriptive block from the gemeente's newest REAL upload.

Who decides. A visitatieteam may not see a gemeente's own client file (portal.access). So the foto holds the block
only when someone who may see the file (the gemeente's own users or beheer) chooses to include it, on the foto tab,
while the visitatie is in voorbereiding. That choice is stored with the visitatie (field `eigen_bestand`: who and when)
and is the gemeente sharing these few figures with the team: from then on the foto, as everyone who may open the
visitatie sees it, carries the block. It can be withdrawn until the foto is frozen; a frozen foto keeps the block as it
was, also when the upload is deleted later (the foto tab and the PDF then say the upload was since deleted).

What. Bestand on the peildatum; instroom, uitstroom and uitstroom naar werk over the last 12 months; the Kaplan–Meier
uitstroomkans within 6 and 12 months (all instromers together, from the first month the file covers completely) with
its 95 % interval; everything on episodes (portal.eigen.episodes: a re-entry within 31 days continues the episode).
Never a synthetic file, never in the CBS-based signal table, no norm and no signal: there is no benchmark basis for
them, so they stay descriptive.

Suppression. Every count under MIN_CELL is not shown, with the reason. The block is read next to the page "Eigen
bestand", which shows the same months one by one, so its cells are part of the page's one joint suppression
(portal.eigen.suppress.page: the 12-month sums tied to the months they add up, and to the stock 12 months earlier and
now; the kans to the page's table 'totaal'). There the block's figures are the cells hidden last: when one month of
twelve is under MIN_CELL, another month is hidden rather than the 12-month total.
No Streamlit here.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from portal.nl import nl_date, nl_month, nl_number
from portal.eigen import episodes, monitors, redenen, suppress, survival
from portal.eigen.schema import MIN_CELL
from portal.eigen.store import Eigenbestand

KOP = "Cijfers uit het eigen bestand van de gemeente"
PAGE_YEARS = 2  # the page's bestandsmonitor window: from the same month two years before the peildatum (portal.ui.eigen_bestand.MONTHS_SHOWN)
FLOWS = {"instroom": "Instroom", "uitstroom": "Uitstroom", "uitstroom_werk": "Uitstroom naar werk"}
TOELICHTING = (
    "Beschrijvend: deze cijfers komen uit het cliëntbestand dat de gemeente zelf heeft geüpload, niet van CBS. Er is geen "
    "norm, referentiegroep of signaal bij. Een uitkering is één huishouden. Bestand: lopende uitkeringen op de peildatum; "
    "instroom en uitstroom: uitkeringen die in de 12 maanden tot en met de peildatummaand begonnen of eindigden; uitstroom "
    "naar werk: beëindigd met reden werk. Wie binnen 31 dagen na het einde weer een uitkering krijgt, telt niet als "
    "uitstroom en instroom (zoals CBS). Uitstroomkans: Kaplan–Meier, de kans om binnen 6 of 12 maanden na de instroom "
    "uit te stromen (alle redenen), voor wie instroomde vanaf de eerste maand die het bestand volledig beschrijft; wie op "
    "de peildatum nog een uitkering heeft telt mee tot de peildatum; 95 %-interval "
    f"(Greenwood, log-log). Cellen met minder dan {MIN_CELL} personen, en cellen die die zouden verraden, zijn niet getoond.")
TOELICHTING += (" Prognose bestand: voorraad-stroommodel naar duur van de uitkering op het eigen bestand, 12 maanden vooruit, "
                "afgerond op tientallen, met 95 %-interval (parametrische bootstrap) en de fout van de methode in de backtest "
                "(6 of 12 maanden eerder gestart) naast een naïeve voorspelling; zie de pagina Eigen bestand.")  # issue 22


def marking(block: dict) -> str:
    """The line every figure of the block carries: whose file, which upload, which peildatum."""
    u = block["upload"]
    return (f"Eigen bestand van de gemeente, upload '{u['bestandsnaam']}' van {nl_date(u['tijd'])}, peildatum {nl_date(u['peildatum'])} "
            f"(maanden {u['maand_van']} t/m {u['maand_tot']}, {nl_number(u['rijen'])} uitkeringsperioden)")


def shared_line(block: dict) -> str:
    o = block.get("opgenomen") or {}
    return f"Opgenomen in de foto door {o.get('door') or '?'} op {nl_date(o['wanneer']) if o.get('wanneer') else '?'}."


def make_block(db: Eigenbestand, gemeente: str) -> dict | None:
    """The block from the gemeente's newest real upload (plain JSON-able data, so it can be frozen); None without one."""
    up = db.current(gemeente, synthetisch=False)
    if up is None:
        return None
    spells = db.spells(gemeente, up["id"])
    if spells.is_empty() or spells["synthetisch"].any():  # never a synthetic file
        return None
    spells = episodes.merge(spells)  # a re-entry within 31 days continues the episode, as on the page
    peil = up["peildatum"]
    # a BUS upload's tables (reden beëindiging, IOAW/IOAZ/Bbz) join the pattern as on the page: the same cells hidden
    pagina = suppress.page(spells, peil, maanden=PAGE_YEARS * 12, extra=redenen.pattern_for_upload(db, up["id"], peil))
    from portal.eigen import prognose  # issue 22 part 3: the stock-flow prognosis and its backtest

    pblok, prow = prognose.foto_blok(spells, peil, pagina)
    return {"gemeente_code": gemeente, "prognose": pblok,
            "upload": {"id": up["id"], "bestandsnaam": up["bestandsnaam"], "tijd": str(up["tijd"]),
                       "peildatum": peil.isoformat(), "maand_van": up["maand_van"], "maand_tot": up["maand_tot"],
                       "rijen": up["rijen"]},
            "cijfers": _counts(pagina, spells, peil) + _page_kansen(pagina, _kansen(spells, peil)) + ([prow] if prow else [])}


def _row(key: str, label: str, eenheid: str, periode: str, waarde, reden: str | None, onder=None, boven=None) -> dict:
    shown = reden is None
    return {"id": key, "label": label, "eenheid": eenheid, "periode": periode, "waarde": waarde if shown else None,
            "onder": onder if shown else None, "boven": boven if shown else None, "reden": reden}


def _counts(pagina: suppress.Pagina, spells: pl.DataFrame, peil: dt.date) -> list[dict]:
    """Bestand on the peildatum and the 12-month flows, as the page's joint suppression leaves them (module note)."""
    table = monitors.monthly(spells, dt.date(peil.year - PAGE_YEARS, peil.month, 1), peil)
    n = table.height
    sums = {c: int(table[c][n - 12:].sum()) for c in FLOWS}
    eerste = table["maand"][n - 12]
    periode = f"{nl_month(eerste)} t/m {nl_month(peil)}"

    def why(tabel: str, rij: str, kolom: str) -> str | None:
        got = pagina.hidden(tabel, rij, kolom)
        return got and f"niet getoond: {got[1]}"

    out = [_row("bestand", "Bestand op de peildatum", "uitkeringen", f"op {nl_date(peil)}", int(table["bestand"][n - 1]),
                why("maand", table["maand"][n - 1].isoformat(), "bestand"))]
    for c, label in FLOWS.items():
        out.append(_row(c, f"{label}, laatste 12 maanden", "uitkeringen", periode, sums[c], why("visitatie", "12 maanden", c)))
    return out


def _page_kansen(pagina: suppress.Pagina, rows: list[dict]) -> list[dict]:
    """The uitstroomkans rows with what the page's joint suppression hides of the table 'totaal' as well."""
    out = []
    for r in rows:
        h = r["id"].removeprefix("uitstroomkans_")
        if r["id"].startswith("uitstroomkans_") and r["reden"] is None:
            if pagina.hidden("kans:totaal:einde", "totaal", "n"):
                r = {**r, "waarde": None, "onder": None, "boven": None, "reden": "niet getoond: het aantal instromers is niet getoond"}
            elif got := pagina.hidden("kans:totaal:einde", "totaal", f"uitstroom_{h}"):
                r = {**r, "waarde": None, "onder": None, "boven": None, "reden": f"niet getoond: {got[1]}"}
        out.append(r)
    return out


def _kansen(spells: pl.DataFrame, peil: dt.date) -> list[dict]:
    """Uitstroomkans (any ending) within 6 and 12 months, all instromers together, suppressed as the page does; the
    instroom from the first month the file covers completely (portal.eigen.episodes.covered), as on the page."""
    vanaf = survival.file_start(spells, peil)
    table = survival.uitstroomkans(spells, peil, naar="einde", per="totaal", vanaf=vanaf)
    periode = f"instroom van {nl_date(vanaf)} t/m {nl_date(peil)}" if vanaf else f"instroom t/m {nl_date(peil)}"
    out = []
    if table.is_empty():
        for h in survival.HORIZONS:
            out.append(_row(f"uitstroomkans_{h}", f"Uitstroomkans binnen {h} maanden na instroom", "%", periode, None,
                            "niet getoond: geen instroom in de periode die het bestand volledig beschrijft"))
        return out
    res = suppress.survival(table)
    row, gone = res.frame.row(0, named=True), {k for _, k in res.hidden()}
    for h in survival.HORIZONS:
        if "n" in gone:
            reden = f"niet getoond: minder dan {MIN_CELL} instromers"
        elif f"uitstroom_{h}" in gone:
            reden = f"niet getoond: minder dan {MIN_CELL} uitstromers binnen {h} maanden"
        else:
            reden = None
        pct = (lambda x: None if x is None else x * 100)
        out.append(_row(f"uitstroomkans_{h}", f"Uitstroomkans binnen {h} maanden na instroom", "%",
                        f"{periode}, {nl_number(row['n']) if row['n'] is not None else '–'} instromers", pct(row[f"kans_{h}"]),
                        reden, pct(row[f"onder_{h}"]), pct(row[f"boven_{h}"])))
    return out


def include(foto: dict, v: dict, block: dict | None) -> dict:
    """The foto with the block when the visitatie says the gemeente shares it (v['eigen_bestand']) and there is one."""
    consent = v.get("eigen_bestand")
    if not consent or block is None or block.get("gemeente_code") != v["gemeente_code"]:
        return foto
    return {**foto, "eigen": {**block, "opgenomen": {"door": consent.get("door"), "wanneer": consent.get("wanneer")}}}


def waarde_text(row: dict) -> str:
    """'1.234' for a count, '36,0 % (27,1–45,9)' for a kans; the reason when it is not shown."""
    if row.get("reden"):
        return row["reden"]
    if row["eenheid"] == "%":
        ci = f" ({nl_number(row['onder'], 1)}–{nl_number(row['boven'], 1)})" if row.get("onder") is not None else ""
        return f"{nl_number(row['waarde'], 1)} %{ci}"
    if row.get("onder") is not None and row.get("boven") is not None:  # a prognosis with its interval
        return f"{nl_number(row['waarde'])} ({nl_number(row['onder'])}–{nl_number(row['boven'])})"
    return nl_number(row["waarde"])


def bron(block: dict) -> str:
    """The short marking each row carries: 'eigen bestand van de gemeente (upload 'x.csv', peildatum 31 oktober 2026)'."""
    u = block["upload"]
    return f"eigen bestand van de gemeente (upload '{u['bestandsnaam']}', peildatum {nl_date(u['peildatum'])})"


def frame(block: dict, with_bron: bool = True) -> pl.DataFrame:
    """The block as the table users read and download: figure, period, the value in Dutch notation (with its interval)
    or why it is not shown, and (with_bron) the marking per row."""
    rows = [{"Cijfer": r["label"], "Periode": r["periode"], "Waarde": waarde_text(r), "Bron": bron(block)} for r in block["cijfers"]]
    out = pl.DataFrame(rows, schema={"Cijfer": pl.String, "Periode": pl.String, "Waarde": pl.String, "Bron": pl.String})
    return out if with_bron else out.drop("Bron")


def upload_status(block: dict, db: Eigenbestand) -> str | None:
    """A Dutch line when the upload the block rests on is no longer in use (deleted, replaced, or not on this
    installation); None while it is."""
    u = block["upload"]
    now = db.upload(block["gemeente_code"], u["id"])
    if now is None or now["bestandsnaam"] != u["bestandsnaam"] or str(now["tijd"]) != u["tijd"]:
        return ("De upload waarop deze cijfers rusten staat niet (meer) op deze installatie; de cijfers zijn bewaard zoals ze "
                "in de foto zijn opgenomen.")
    if not now["verwijderd"]:
        return None
    when = nl_date(now["verwijderd_op"]) if now.get("verwijderd_op") else "?"
    how = f"vervangen door upload {now['vervangen_door']}" if now.get("vervangen_door") else "verwijderd"
    return f"Deze upload is op {when} {how}; de cijfers hieronder zijn bewaard zoals ze in de foto zijn opgenomen."
