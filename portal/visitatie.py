"""Visitatie domain logic: the cijfermatige foto (balanced-scorecard rows), prognose, signaal, norms and what changed
since a foto was frozen. No Streamlit and no database here."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from portal import benchmark, funnel, metrics, signals
from portal import prognose as pg
from portal.fouten import DutchError
from portal.nl import MAANDEN, nl_datetime, nl_number

STATUSSEN = ["voorbereiding", "bezoek", "rapportage", "afgerond"]

# The nine success factors of the seed essay (chapter 1, "Succesfactoren"), then the figure themes.
DEFAULT_THEMAS = [
    "Missie en visie", "Houding naar raad en college", "Focus", "Strategie", "SMART-doelen", "Uitgebalanceerde doelen",
    "Beleidsmix en organisatieveranderingen", "Systematiek", "Resultaatgerichte cultuur",
    "Volume", "Instroom en uitstroom", "W-deel", "I-deel", "Handhaving",
]
NOTITIE_SOORTEN = ["Observatie", "Het verhaal achter de cijfers", "Sterk punt", "Verbeterpunt"]
BEVINDING_SOORTEN = ["Bevinding", "Aanbeveling"]
PRIORITEITEN = ["hoog", "midden", "laag"]
DATUMS = {"zelfevaluatie": "Zelfevaluatie ontvangen", "bezoek": "Bezoek", "rapport": "Rapport"}


@dataclass(frozen=True)
class Kern:
    """A key indicator of the foto: the theme its notes go under and the range a norm may take. Direction and whether it
    gets a signal at all come from the registry (metrics.Indicator)."""

    id: str
    thema: str
    norm_min: float
    norm_max: float

    @property
    def lower_is_better(self) -> bool | None:
        return metrics.get(self.id).lower_is_better


KERN = [
    Kern("dichtheid_uitkeringen_totaal", "Volume", 0, 1000),
    Kern("dichtheid_tot_aow_incl_gerelateerd", "Volume", 0, 1000),
    Kern("cbs_instroom_pct_15_aow", "Instroom en uitstroom", 0, 100),
    Kern("cbs_uitstroom_pct_15_aow", "Instroom en uitstroom", 0, 100),
    Kern("cbs_uitstroom_werk_pct_15_aow", "Instroom en uitstroom", 0, 100),
    Kern("reintegratie_voorz_per_1000_inw_15_65", "W-deel", 0, 1000),
    Kern("wdeel_onderbesteding_proxy_jaarrekening", "W-deel", -1000, 100),
    Kern("ideel_resultaat_proxy_jaarrekening", "I-deel", -1000, 100),
    Kern("bijstandsvorderingen_per_1000_bijstand", "Handhaving", 0, 100000),  # descriptive; only after a refresh (82020NED)
]
# Key figures of earlier versions, for notes and imports made then: the note stays with the figure it was about.
LEGACY = {"instroom_pct_15_aow": "cbs_instroom_pct_15_aow", "uitstroom_pct_15_aow": "cbs_uitstroom_pct_15_aow",
          "uitstroom_werk_pct_15_aow": "cbs_uitstroom_werk_pct_15_aow",
          "wdeel_onderbesteding_proxy_begroting": "wdeel_onderbesteding_proxy_jaarrekening",
          "ideel_resultaat_proxy_begroting": "ideel_resultaat_proxy_jaarrekening"}
KERN_BY_ID = {k.id: k for k in KERN}


def indicator_label(indicator: str | None) -> str:
    """The register's label of a (key) indicator; '—' for none."""
    if not indicator:
        return "—"
    try:
        return metrics.get(indicator).label
    except KeyError:
        return indicator


def item_thema(soort: str, thema: str | None, indicator: str | None) -> str | None:
    """The theme a note files under: the theme of its key indicator when it is tied to one (a note on the instroom belongs
    with 'Instroom en uitstroom', whatever theme was picked), else the theme chosen. Findings keep the theme they rest on."""
    k = KERN_BY_ID.get(LEGACY.get(indicator, indicator)) if indicator else None
    return k.thema if k is not None and soort in NOTITIE_SOORTEN else thema


def descriptive(k: Kern) -> bool:
    """No signal and no norm from the group: a proxy, or an indicator without a favourable direction."""
    return bool(metrics.get(k.id).no_signal) or k.lower_is_better is None


TREND_PUNTEN = 5  # values shown as "trend" in the signal table
PROGNOSE_PUNTEN = 3

PROGNOSE_METHODE = (
    "Prognose: lineaire trend (kleinste kwadraten) door de laatste drie meetpunten van de gemeente (twee als er maar twee "
    "zijn), doorgetrokken naar het lopende jaar. Alleen als het laatste meetpunt niet verouderd is (hoogstens "
    f"{signals.VEROUDERD_NA_JAREN} jaar oud); nooit voor een jaar dat al voorbij is. Een trend is geen voorspelling van "
    "beleid: hij zegt alleen waar de lijn heen wijst als er niets verandert.")
PROGNOSE_METHODE += " " + pg.FOTO_METHODE  # issue 22: monthly figures where there are
SIGNAAL_REGEL = (
    "Signaal volgens de balanced scorecard van Almere (bundel 'Op het doel af', essay 9): **op norm of beter**; **onder norm, "
    "wel verbetering** (het laatste cijfer is aantoonbaar gunstiger dan het vorige); **onder norm, geen verbetering**; **onder "
    "norm, trend onbekend** (geen vorig cijfer, of het verschil met het vorige cijfer valt binnen afronding en toeval). Norm: de "
    "norm van het team of de gemeente, of zonder eigen norm de verwachting uit de referentiegroep; dan geldt de regel van het "
    "profiel: onder norm alleen als het cijfer aan de ongunstige kant buiten de 95 %-trechter rond die verwachting ligt. "
    f"{signals.SIGNAAL_BETEKENIS} Afwijking = realisatie − norm. "
    "Geen signaal als het bereik dat afronding door CBS en toeval toelaten aan beide kanten van een eigen norm of van een "
    f"grens van de trechter ligt ('te klein om te beoordelen'), bij cijfers van meer dan {signals.VEROUDERD_NA_JAREN} jaar oud ('verouderd'), "
    "bij bronwaarden die de bron zelf onwaarschijnlijk maakt en bij de W-deel- en I-deelproxy's (alleen beschrijvend; geen "
    "norm uit de referentiegroep).")

SIGNAAL_OK = "op norm of beter"
SIGNAAL_BETER = "onder norm, wel verbetering"
SIGNAAL_SLECHT = "onder norm, geen verbetering"
SIGNAAL_ONBEKEND = "onder norm, trend onbekend"
SIGNAAL_KLEIN = "te klein om te beoordelen"
SIGNAAL_OUD = "verouderd"
SIGNAAL_PROXY = "geen signaal (proxy)"
SIGNAAL_BESCHRIJVEND = "beschrijvend, geen signaal"
SIGNAAL_ONWAARSCHIJNLIJK = "bronwaarde onwaarschijnlijk"


class NormError(DutchError, ValueError):
    """A norm the team typed that is not a usable number; the message is Dutch."""


NL_THOUSANDS = re.compile(r"-?[0-9]{1,3}(\.[0-9]{3})+(,[0-9]+)?")
NL_NUMBER = re.compile(r"-?[0-9]+(,[0-9]+)?")
PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def parse_norm(text: str, indicator: str) -> float | None:
    """'12,5' / '1.234,5' / '1 234,5' (Dutch) or '12.5' (plain decimal) -> float; empty -> None (no norm). ASCII digits
    only: float() would also take '1_000', '١٢', '1e3', 'nan' and 'inf'. Raises NormError with a Dutch message."""
    raw = re.sub(r"[ \u00a0\u202f%]", "", text or "")  # spaces (also the no-break ones Excel copies) group thousands
    if not raw:
        return None
    label = metrics.get(indicator).label
    if NL_THOUSANDS.fullmatch(raw):  # 1.234 and 1.234,5: the dots group thousands
        raw = raw.replace(".", "")
    if not (NL_NUMBER.fullmatch(raw) or PLAIN_NUMBER.fullmatch(raw)):
        shown = text if len(text) <= 40 else text[:39] + "…"
        raise NormError(f"De norm voor '{label}' is geen getal: '{shown}'. Schrijf bijvoorbeeld 42,5 of 1.234,5 (cijfers 0–9, "
                        "komma voor decimalen).")
    value = float(raw.replace(",", "."))
    k = KERN_BY_ID[indicator]
    if not (k.norm_min <= value <= k.norm_max) or value != value:
        raise NormError(f"De norm voor '{label}' kan niet {nl_number(value, 1)} zijn: kies een waarde tussen "
                        f"{nl_number(k.norm_min)} en {nl_number(k.norm_max)}.")
    return value


def _year(periode: str) -> int:
    return int(periode[:4])


def prognose(reeks: list[dict], today: date | None = None) -> dict | None:
    """Linear least-squares trend through the last (up to) three points, carried to the current year; None when there
    are fewer than two points or the last one is verouderd (a prognose for a year that has passed is never made)."""
    pts = [(_year(p["periode"]), p["waarde"]) for p in reeks if p.get("waarde") is not None][-PROGNOSE_PUNTEN:]
    if len(pts) < 2 or signals.outdated(str(pts[-1][0]), today):
        return None
    n = len(pts)
    mx = sum(x for x, _ in pts) / n
    my = sum(y for _, y in pts) / n
    slope = sum((x - mx) * (y - my) for x, y in pts) / sum((x - mx) ** 2 for x, _ in pts)
    year = max(pts[-1][0] + 1, signals.current_year(today))
    return {"periode": str(year), "waarde": my + slope * (year - mx), "punten": n, "helling_per_jaar": slope}


def geen_prognose(regel: dict, today: date | None = None) -> str:
    """Why a row has no prognose, in Dutch."""
    own = [x for x in regel["reeks"] if x["gemeente"] is not None]
    if not own:
        return "geen prognose: geen meting"
    last = own[-1]["periode"]
    if signals.outdated(last, today):
        return f"geen prognose: laatste meting {last}"
    return f"geen prognose: één meting ({last})"


def _expected(trechter, k: Kern, code: str, members: list[str], periode: str | None) -> dict:
    """The funnel expectations of the latest figure (portal.funnel): from the referentiegroep (the group norm) and from the
    gemeente's characteristics, with 95 % limits and the position. Empty without a funnel."""
    f = trechter(k.id, periode) if trechter and periode and not descriptive(k) else None
    if f is None:
        return {}
    out = {}
    for key, exp in (("verwacht", f.group(code, members)), ("kenmerken", f.kenmerken(code))):
        if exp is not None:
            out |= {key: exp.waarde, f"{key}_lo": exp.lo, f"{key}_hi": exp.hi, f"{key}_positie": funnel.position(f, code, exp)}
    return out


def make_foto(obs: pl.DataFrame, national: pl.DataFrame, code: str, naam: str, members: list[str], groep_naam: str,
              indeling: int, build: dict, trechter: Callable | None = None) -> dict:
    """The cijfermatige foto: per key indicator the gemeente's series, the group's mean/P25/P75/n and NL per period,
    the latest realisatie with its source and peildatum, the funnel expectations (`trechter(indicator, periode)` gives a
    portal.funnel.Funnel) and the prognose. Plain JSON-able data, so it can be frozen."""
    series = benchmark.group_series(obs, national, code, members, [k.id for k in KERN])
    regels = []
    for k in KERN:
        ind = metrics.get(k.id)
        s = series.filter(pl.col("indicator") == k.id).sort("periode")
        reeks = [{"periode": r["periode"], "gemeente": r["gemeente"], "gemeente_lo": r["gemeente_lo"], "gemeente_hi": r["gemeente_hi"],
                  "onwaarschijnlijk": r["onwaarschijnlijk"], "groep_gemiddelde": r["groep_gemiddelde"],
                  "groep_p25": r["groep_p25"], "groep_p75": r["groep_p75"], "groep_n": r["groep_n"] or 0,
                  "nederland": r["nederland"], "bron": r["bron"], "peildatum": r["peildatum"]} for r in s.iter_rows(named=True)]
        own = [r for r in reeks if r["gemeente"] is not None]
        last = own[-1] if own else (reeks[-1] if reeks else None)
        regels.append({
            "indicator": k.id, "label": ind.label, "eenheid": ind.unit, "thema": k.thema, "lager_is_beter": k.lower_is_better,
            "periode": last["periode"] if last else None,
            "realisatie": last["gemeente"] if last else None,
            "realisatie_lo": last["gemeente_lo"] if last else None,
            "realisatie_hi": last["gemeente_hi"] if last else None,
            "onwaarschijnlijk": last["onwaarschijnlijk"] if last else None,
            "vorige": own[-2]["gemeente"] if len(own) > 1 else None,
            "vorige_lo": own[-2]["gemeente_lo"] if len(own) > 1 else None,
            "vorige_hi": own[-2]["gemeente_hi"] if len(own) > 1 else None,
            "vorige_periode": own[-2]["periode"] if len(own) > 1 else None,
            "groep_gemiddelde": last["groep_gemiddelde"] if last else None,
            "groep_p25": last["groep_p25"] if last else None,
            "groep_p75": last["groep_p75"] if last else None,
            "groep_n": last["groep_n"] if last else 0,
            "nederland": last["nederland"] if last else None,
            "bron": last["bron"] if last else ", ".join(ind.sources),
            "peildatum": last["peildatum"] if last else ind.peildatum,
            "prognose": prognose([{"periode": r["periode"], "waarde": r["gemeente"]} for r in own]),
            **pg.maandprognose(obs, code, k.id, last["periode"] if last else None, last["gemeente"] if last else None),
            "reeks": reeks,
            **_expected(trechter, k, code, members, last["periode"] if last and last["gemeente"] is not None else None),
        })
    return {"gemeente_code": code, "gemeente": naam, "groep": {"naam": groep_naam, "leden": members}, "indeling": indeling,
            "gemaakt": datetime.now().isoformat(timespec="seconds"),
            "databouw": {"tijd": build.get("tijd"), "inhoud_sha256": build.get("inhoud_sha256")}, "regels": regels}


def signaal(regel: dict, norm: float | None, today: date | None = None) -> dict:
    """Norm (own, or the group's expected value), afwijking and the balanced-scorecard signal for one foto row.

    Against the group the rule is the profile's: below norm only when the figure lies outside the 95 % funnel around the
    group's expectation on the unfavourable side (portal.funnel); inside it the figure is on norm. An own norm stays the
    team's choice: the signal needs the whole range that rounding and chance allow (realisatie_lo … realisatie_hi) on one
    side of it, and 'wel verbetering' needs the ranges of this and the previous figure not to overlap. Proxies get no signal
    and no norm from the group; verouderd and implausible figures get no signal. Rows of a foto frozen before ranges
    were stored fall back to the point value.
    """
    proxy = bool(metrics.REGISTRY[regel["indicator"]].no_signal) if regel["indicator"] in metrics.REGISTRY else False
    beschrijvend = proxy or regel["lager_is_beter"] is None
    bron = "eigen norm" if norm is not None else ("geen" if beschrijvend else "referentiegroep")
    groepsnorm = bron == "referentiegroep"
    norm = norm if norm is not None or beschrijvend else regel.get("verwacht")
    value = regel["realisatie"]
    afwijking = None if value is None or norm is None else value - norm
    out = {"norm": norm, "normbron": bron, "afwijking": afwijking}
    if value is None:
        return {**out, "signaal": "geen cijfer"}
    if beschrijvend:
        return {**out, "signaal": SIGNAAL_PROXY if proxy else SIGNAAL_BESCHRIJVEND}
    if regel.get("onwaarschijnlijk"):
        return {**out, "signaal": SIGNAAL_ONWAARSCHIJNLIJK}
    if signals.outdated(regel["periode"], today):
        return {**out, "signaal": SIGNAAL_OUD}
    if norm is None:
        return {**out, "normbron": "geen" if not groepsnorm else bron,
                "signaal": "geen verwachting" if groepsnorm else "geen norm"}
    lower = regel["lager_is_beter"]
    lo, hi = _or(regel.get("realisatie_lo"), value), _or(regel.get("realisatie_hi"), value)
    best, worst = (lo, hi) if lower else (-hi, -lo)  # in "lower is better" terms
    if groepsnorm:  # the funnel around the group: below norm only outside it on the unfavourable side
        positie = regel.get("verwacht_positie")
        if positie == signals.KLEIN:
            return {**out, "signaal": SIGNAAL_KLEIN}
        if positie != (signals.HOGER if lower else signals.LAGER):
            return {**out, "signaal": SIGNAAL_OK}
    else:
        n = norm if lower else -norm
        if worst <= n:
            return {**out, "signaal": SIGNAAL_OK}
        if best <= n:
            return {**out, "signaal": SIGNAAL_KLEIN}
    if regel["vorige"] is None:
        return {**out, "signaal": SIGNAAL_ONBEKEND}
    p_lo, p_hi = _or(regel.get("vorige_lo"), regel["vorige"]), _or(regel.get("vorige_hi"), regel["vorige"])
    prev_best = p_lo if lower else -p_hi
    if worst < prev_best:
        return {**out, "signaal": SIGNAAL_BETER}
    prev_worst = p_hi if lower else -p_lo
    return {**out, "signaal": SIGNAAL_SLECHT if best >= prev_worst else SIGNAAL_ONBEKEND}


def _or(x: float | None, default: float) -> float:
    return default if x is None else x


def scorecard(foto: dict, normen: dict[str, float]) -> pl.DataFrame:
    """One row per key indicator with every figure of the signal table (raw numbers; formatting is the caller's)."""
    rows = []
    for r in foto["regels"]:
        s = signaal(r, normen.get(r["indicator"]))
        # Recomputed, not read from the (possibly frozen) foto: a prognose for a year that has passed is never shown.
        p = (pg.foto_prognose(r, foto)  # monthly figures (own file or public series) where there are, issue 22
             or prognose([{"periode": x["periode"], "waarde": x["gemeente"]} for x in r["reeks"]]) or {})
        trend = [x for x in r["reeks"] if x["gemeente"] is not None][-TREND_PUNTEN:]
        rows.append({
            "indicator": r["indicator"], "Indicator": r["label"], "Eenheid": r["eenheid"], "Periode": r["periode"],
            "Realisatie": r["realisatie"], "Realisatie min": r.get("realisatie_lo"), "Realisatie max": r.get("realisatie_hi"),
            "Referentiegroep": r["groep_gemiddelde"], "Verwacht (groep)": r.get("verwacht"),
            "Trechter van": r.get("verwacht_lo"), "Trechter tot": r.get("verwacht_hi"), "Verwacht (kenmerken)": r.get("kenmerken"),
            "Groep P25": r["groep_p25"],
            "Groep P75": r["groep_p75"], "Groep n": r["groep_n"], "Nederland": r["nederland"],
            "Trend": " → ".join(nl_number(x["gemeente"], 1) for x in trend) or "geen cijfers",
            "Norm": s["norm"], "Normbron": s["normbron"], "Afwijking": s["afwijking"],
            "Prognose": p.get("waarde"), "Prognosejaar": p.get("periode") or geen_prognose(r), "Signaal": s["signaal"],
            "Verouderd": signals.outdated(r["periode"]),
            "Bron": r["bron"], "Peildatum": r["peildatum"],
        })
    return pl.DataFrame(rows, infer_schema_length=None)


def realisatie_text(row: dict) -> str:
    """'22,0 (19,8–24,3)': the realisatie with the range rounding and chance allow, when that range is not the value."""
    lo, hi = row.get("Realisatie min"), row.get("Realisatie max")
    text = nl_number(row["Realisatie"], 1)
    return text if lo is None or hi is None or lo == hi else f"{text} ({nl_number(lo, 1)}–{nl_number(hi, 1)})"


def changes(frozen: dict, live: dict) -> list[str]:
    """What a newer data build changed compared with a frozen foto, in Dutch sentences (empty: nothing changed)."""
    out = []
    if frozen["groep"]["leden"] != live["groep"]["leden"]:
        out.append(f"Referentiegroep: {len(frozen['groep']['leden'])} leden bij bevriezing, nu {len(live['groep']['leden'])}.")
    new = {r["indicator"]: r for r in live["regels"]}
    fields = [("periode", "laatste periode", None), ("realisatie", "realisatie", 1), ("groep_gemiddelde", "referentiegroep", 1),
              ("nederland", "Nederland", 1), ("groep_n", "gemeenten met cijfer in de groep", 0)]
    for old in frozen["regels"]:
        cur = new.get(old["indicator"])
        if cur is None:
            out.append(f"{old['label']}: zit niet meer in de foto.")
            continue
        for key, label, dec in fields:
            a, b = old[key], cur[key]
            same = a == b if dec is None or a is None or b is None else abs(a - b) < 10 ** -(dec + 1)
            if not same:
                fmt = (lambda v: v or "geen") if dec is None else (lambda v, d=dec: nl_number(v, d) if v is not None else "geen cijfer")
                out.append(f"{old['label']}: {label} {fmt(a)} → {fmt(b)}.")
    return out


# ---- Dutch timestamps and readable history -----------------------------------------------------------------------------
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:\d{2}|Z)?")


def nl_times(text: str) -> str:
    """Every ISO timestamp in a text (e.g. a stored history line) written the Dutch way."""
    return _ISO_TIME.sub(lambda m: nl_datetime(m[0]), text)


def item_kind(soort: str) -> str:
    """'notitie' for the notes, else the soort itself ('bevinding', 'aanbeveling')."""
    return "notitie" if soort in NOTITIE_SOORTEN else soort.lower()


def _quote(text, n: int = 80) -> str:
    text = " ".join(str(text or "").split())
    return f"'{text if len(text) <= n else text[:n - 1] + '…'}'"


def _people(rows: list[dict], extra: str) -> str:
    return ", ".join(r.get("naam", "") + (f" ({r[extra]})" if r.get(extra) else "") for r in rows) or "niemand"


def _group(g: dict) -> str:
    return f"{_quote(g.get('naam'), 50)} ({len(g.get('leden', []))} gemeenten)"


def _norm(x: float | None) -> str:
    return "geen" if x is None else nl_number(x, 1)


def describe_version(onderdeel: str, before: dict | None, after: dict) -> list[str]:
    """What one stored version changed compared with the version before it, in Dutch lines ("titel: 'A' → 'B'").

    `onderdeel` is 'visitatie' or 'item'; the dicts are the history's snapshots. Without `before` (the first version):
    what was created."""
    if onderdeel != "visitatie":
        kind = item_kind(after["soort"])
        where = ", ".join(x for x in (after["soort"], after.get("prioriteit") and f"prioriteit {after['prioriteit']}",
                                      after.get("thema"), after.get("indicator") and indicator_label(after["indicator"])) if x)
        if before is None:
            return [f"{kind} toegevoegd: {_quote(after['tekst'])} ({where})"]
        if before.get("verwijderd") != after.get("verwijderd"):
            return [f"{kind} {'verwijderd' if after.get('verwijderd') else 'teruggezet'}: {_quote(after['tekst'])}"]
        return [f"{kind} {k}: {_quote(before.get(k) or '')} → {_quote(after.get(k) or '')}"
                for k in ("soort", "tekst", "thema", "indicator", "prioriteit") if before.get(k) != after.get(k)]
    if before is None:
        return [f"visitatie aangemaakt: titel {_quote(after['titel'])}, periode {_quote(after['periode'])}, "
                f"referentiegroep {_group(after['groep'])}"]
    out = []
    for k in ("titel", "periode"):
        if before.get(k) != after.get(k):
            out.append(f"{k}: {_quote(before.get(k))} → {_quote(after.get(k))}")
    if before.get("status") != after.get("status"):
        out.append(f"status: {before.get('status')} → {after.get('status')}"
                   + (" (cijfermatige foto bevroren)" if before.get("status") == STATUSSEN[0] else ""))
    if before.get("groep") != after.get("groep"):
        out.append(f"referentiegroep: {_group(before.get('groep') or {})} → {_group(after['groep'])}")
    for k, extra, name in (("team", "rol", "team"), ("contacten", "functie", "contactpersonen")):
        if before.get(k) != after.get(k):
            out.append(f"{name}: {_people(before.get(k) or [], extra)} → {_people(after.get(k) or [], extra)}")
    a, b = before.get("datums") or {}, after.get("datums") or {}
    for k in dict.fromkeys([*a, *b]):
        if a.get(k) != b.get(k):
            out.append(f"datum {DATUMS.get(k, k).lower()}: {nl_datetime(a.get(k)) if a.get(k) else 'geen'} → "
                       f"{nl_datetime(b.get(k)) if b.get(k) else 'geen'}")
    a, b = before.get("themas") or [], after.get("themas") or []
    if a != b:
        added, gone = [t for t in b if t not in a], [t for t in a if t not in b]
        out.append("thema's: " + "; ".join([*(f"{_quote(t)} toegevoegd" for t in added), *(f"{_quote(t)} weggehaald" for t in gone)]
                                         or ["volgorde gewijzigd"]))
    a, b = before.get("normen") or {}, after.get("normen") or {}
    for k in dict.fromkeys([*a, *b]):
        if a.get(k) != b.get(k):
            out.append(f"normen: {indicator_label(k)} {_norm(a.get(k))} → {_norm(b.get(k))}")
    if bool(before.get("eigen_bestand")) != bool(after.get("eigen_bestand")):
        out.append("cijfers uit het eigen bestand van de gemeente " + ("opgenomen in de foto" if after.get("eigen_bestand")
                                                                      else "uit de foto gehaald"))
    return out


def readable_history(hist: list[dict]) -> list[dict]:
    """The history (newest first, as stored) with per entry who, when (Dutch) and what changed in words, found by
    comparing each version with the one before it of the same visitatie or note."""
    previous, last = {}, {}
    for h in sorted(hist, key=lambda h: h["id"]):
        part = (h["onderdeel"], h["onderdeel_id"])
        previous[h["id"]] = last.get(part)
        last[part] = h["inhoud"]
    out = []
    for h in hist:
        lines = describe_version(h["onderdeel"], previous[h["id"]], h["inhoud"])
        head = [nl_times(h["wat"])] if h["wat"].startswith(("hersteld", "geïmporteerd")) else []
        wat = "; ".join(head + lines) or "niets gewijzigd"
        deel = "visitatie" if h["onderdeel"] == "visitatie" else f"{item_kind(h['inhoud']['soort'])} {h['onderdeel_id']}"
        out.append({"id": h["id"], "Wanneer": nl_datetime(h["wanneer"]), "Wie": h["wie"], "Onderdeel": deel,
                    "Versie": h["versie"], "Wat": wat})
    return out


def version_content(onderdeel: str, inhoud: dict) -> list[tuple[str, str]]:
    """Everything one stored version holds, as (field, value) pairs in Dutch: what a restore would put back."""
    if onderdeel != "visitatie":
        return [("soort", inhoud["soort"]), ("thema", inhoud.get("thema") or "—"),
                ("indicator", indicator_label(inhoud.get("indicator"))), ("prioriteit", inhoud.get("prioriteit") or "—"),
                ("tekst", inhoud["tekst"]), ("verwijderd", "ja" if inhoud.get("verwijderd") else "nee")]
    datums = inhoud.get("datums") or {}
    return [("titel", inhoud["titel"]), ("periode", inhoud["periode"]), ("status", inhoud.get("status") or "—"),
            ("referentiegroep", f"{inhoud['groep'].get('naam')}: " + ", ".join(inhoud["groep"].get("leden", []))),
            ("team", _people(inhoud.get("team") or [], "rol")),
            ("contactpersonen", _people(inhoud.get("contacten") or [], "functie")),
            *((f"datum {label.lower()}", nl_datetime(datums.get(k)) if datums.get(k) else "geen") for k, label in DATUMS.items()),
            ("thema's", ", ".join(inhoud.get("themas") or [])),
            ("normen", "; ".join(f"{indicator_label(k)}: {_norm(x)}" for k, x in (inhoud.get("normen") or {}).items()) or "geen")]
