"""What the user database accepts: type, range and length of every field of a visitatie and of a note, the same for a
save in the portal and for an imported file. Each check returns its problems as Dutch phrases (empty: fine) and
normalises what it may (trimmed text, empty team rows dropped), so an import can list every problem at once and a form
save can show the first ones."""

from __future__ import annotations

import math
import re
from datetime import date, datetime

from portal import metrics
from portal.indeling import is_gemeente_code
from portal.nl import nl_number
from portal import visitatie as vt

MAX_TITEL = 120
MAX_PERIODE = 60
MAX_TEKST = 10_000  # one note, finding or recommendation
MAX_THEMA = 100
MAX_THEMAS = 60
MAX_PERSONEN = 40  # team members, and contact persons
MAX_PERSOON_VELD = 200  # name, user name, role, function, e-mail address
MAX_GROEP = 400  # members of a referentiegroep (Nederland has fewer gemeenten)
MAX_GROEPNAAM = 200
MAX_ITEMS = 2_000  # notes in one imported file
TEAM_VELDEN = ("naam", "gebruiker", "rol")
CONTACT_VELDEN = ("naam", "functie", "email")


def is_number(x) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _text(value, name: str, limit: int, required: bool = True) -> tuple[str | None, list[str]]:
    """(trimmed text, problems) for a text field; None stays None when the field is optional."""
    if value is None and not required:
        return None, []
    if not isinstance(value, str):
        return None, [f"{name} is geen tekst"]
    value = value.strip()
    if len(value) > limit:
        return value, [f"{name} is te lang ({nl_number(len(value))} tekens; maximaal {nl_number(limit)})"]
    return value, []


def normalised(fields: dict) -> dict:
    """A copy of visitatie fields in the form a save stores them (trimmed, empty rows dropped), for comparing."""
    out = dict(fields)
    check_visitatie(out)
    return out


def check_visitatie(fields: dict) -> list[str]:
    """Problems with the visitatie fields present in `fields`, which it normalises in place."""
    p: list[str] = []
    if "titel" in fields:
        titel, bad = _text(fields["titel"], "de titel", MAX_TITEL)
        if not bad and not titel:
            bad = ["Geef de visitatie een titel"]
        p += bad
        fields["titel"] = titel
    if "periode" in fields:
        periode, bad = _text(fields["periode"], "de periode", MAX_PERIODE)
        if not bad and not periode:
            bad = ["Geef de periode van de visitatie (bijvoorbeeld 'najaar 2026')"]
        p += bad
        fields["periode"] = periode
    if "gemeente_code" in fields and not is_gemeente_code(fields["gemeente_code"]):
        p.append(f"gemeentecode {fields['gemeente_code']!r} is geen code als GM0363")
    if "status" in fields and fields["status"] not in vt.STATUSSEN:
        p.append(f"onbekende status {fields['status']!r} (kan zijn: {', '.join(vt.STATUSSEN)})")
    for key, velden, name in (("team", TEAM_VELDEN, "het team"), ("contacten", CONTACT_VELDEN, "de contactpersonen")):
        if key in fields:
            p += _people(fields, key, velden, name)
    if "datums" in fields:
        p += _dates(fields["datums"])
    if "themas" in fields:
        p += _themes(fields)
    if "normen" in fields:
        p += _norms(fields["normen"])
    if "groep" in fields:
        p += check_group(fields["groep"], "de referentiegroep")
    return p


def _people(fields: dict, key: str, velden: tuple[str, ...], name: str) -> list[str]:
    rows = fields[key]
    if not isinstance(rows, list):
        return [f"{name} is geen lijst van personen"]
    if len(rows) > MAX_PERSONEN:
        return [f"{name} heeft {len(rows)} personen (maximaal {MAX_PERSONEN})"]
    p, kept = [], []
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            p.append(f"{name}: persoon {n} is geen rij met {', '.join(velden)}")
            continue
        clean = {}
        for k, value in row.items():
            if k not in velden:
                p.append(f"{name}: persoon {n} heeft een onbekend veld {k!r}")
                continue
            text, bad = _text(value, f"{name}: {k} van persoon {n}", MAX_PERSOON_VELD, required=False)
            p += bad
            if text:  # one form for a row: only the fields filled in ("" and None are the same: nothing)
                clean[k] = text
        if clean.get("naam"):
            kept.append(clean)
    fields[key] = kept
    return p


def _dates(datums) -> list[str]:
    if not isinstance(datums, dict):
        return ["de data (zelfevaluatie, bezoek, rapport) zijn geen lijst van datums"]
    p = []
    for k, d in datums.items():
        if k not in vt.DATUMS:
            p.append(f"onbekende datum {k!r} (kan zijn: {', '.join(vt.DATUMS)})")
        elif d is not None and not _iso_date(d):
            p.append(f"datum {vt.DATUMS[k].lower()} {d!r} is geen datum als 2026-11-23")
    return p


def _iso_date(d) -> bool:
    if not isinstance(d, str) or len(d) != 10:
        return False
    try:
        date.fromisoformat(d)
    except ValueError:
        return False
    return True


def iso_time(t) -> bool:
    if not isinstance(t, str) or len(t) > 40:
        return False
    try:
        datetime.fromisoformat(t)
    except ValueError:
        return False
    return True


def _themes(fields: dict) -> list[str]:
    themas = fields["themas"]
    if not isinstance(themas, list) or not all(isinstance(t, str) for t in themas):
        return ["de thema's zijn geen lijst van teksten"]
    themas = list(dict.fromkeys(t.strip() for t in themas if t.strip()))
    if not themas:
        return ["Houd minstens één thema over"]
    p = [f"thema {t[:40]!r}… is te lang ({len(t)} tekens; maximaal {MAX_THEMA})" for t in themas if len(t) > MAX_THEMA]
    if len(themas) > MAX_THEMAS:
        p.append(f"er zijn {len(themas)} thema's (maximaal {MAX_THEMAS})")
    fields["themas"] = themas
    return p


def _norms(normen) -> list[str]:
    if not isinstance(normen, dict):
        return ["de normen zijn geen lijst van indicator en getal"]
    unknown = sorted(str(k) for k in set(normen) - set(vt.KERN_BY_ID))
    if unknown:
        return [f"Normen voor onbekende indicatoren: {', '.join(unknown)}"]
    p = []
    for k, x in normen.items():
        kern = vt.KERN_BY_ID[k]
        if not is_number(x):
            p.append(f"de norm voor '{vt.indicator_label(k)}' is geen getal: {x!r}")
        elif not kern.norm_min <= x <= kern.norm_max:
            p.append(f"de norm voor '{vt.indicator_label(k)}' ligt buiten {kern.norm_min:g} tot {kern.norm_max:g}: {x:g}")
    return p


def check_group(groep, name: str) -> list[str]:
    if not isinstance(groep, dict):
        return [f"{name} is geen groep met een naam en leden"]
    p = _text(groep.get("naam"), f"de naam van {name}", MAX_GROEPNAAM)[1]
    leden = groep.get("leden")
    if not isinstance(leden, list):
        return p + [f"{name} heeft geen ledenlijst"]
    if len(leden) > MAX_GROEP:
        return p + [f"{name} heeft {len(leden)} leden (maximaal {MAX_GROEP})"]
    bad = [m for m in leden if not is_gemeente_code(m)]
    if bad:
        p.append(f"{name} heeft leden die geen gemeentecode (GM en vier cijfers) zijn: "
                 + ", ".join(repr(m)[:20] for m in bad[:5]) + (" …" if len(bad) > 5 else ""))
    return p


# ---- the frozen foto: the shape make_foto builds, checked as far as showing it needs ------------------------------------
_REGEL_NUMBERS = ("realisatie", "realisatie_lo", "realisatie_hi", "vorige", "vorige_lo", "vorige_hi", "groep_gemiddelde",
                  "groep_p25", "groep_p75", "nederland", "verwacht", "verwacht_lo", "verwacht_hi", "kenmerken", "kenmerken_lo",
                  "kenmerken_hi")
# The funnel positions (portal.funnel), optional: fotos frozen before issue 20 have none.
_POSITIES = (None, "hoger dan verwacht", "lager dan verwacht", "binnen de normale spreiding", "te klein om te beoordelen")
# Required; the ranges (realisatie_lo …), onwaarschijnlijk, vorige_periode and prognose may be missing (older fotos).
_REGEL_KEYS = ("indicator", "label", "eenheid", "thema", "lager_is_beter", "periode", "realisatie", "vorige",
               "groep_gemiddelde", "groep_p25", "groep_p75", "nederland", "groep_n", "bron", "peildatum", "reeks")
_REEKS_NUMBERS = ("gemeente", "gemeente_lo", "gemeente_hi", "groep_gemiddelde", "groep_p25", "groep_p75", "nederland")
_YEAR = re.compile(r"[0-9]{4}")  # ASCII digits, like the gemeente code


def _periode_ok(x, optional: bool = True) -> bool:
    return (x is None and optional) or (isinstance(x, str) and len(x) <= 40 and bool(_YEAR.match(x)))


def check_foto(foto) -> list[str]:
    """Problems with a frozen foto: every field the foto tab, the scorecard, the charts and the PDF read, of the type
    make_foto gives it (numbers finite or empty, periods starting with a year)."""
    if not isinstance(foto, dict):
        return ["de bevroren foto is geen foto"]
    p = []
    for k in ("gemeente_code", "gemeente", "gemaakt"):
        if not isinstance(foto.get(k), str) or len(foto[k]) > MAX_GROEPNAAM:
            p.append(f"de bevroren foto: veld '{k}' ontbreekt of is geen tekst")
    p += check_group(foto.get("groep"), "de groep van de bevroren foto")
    build = foto.get("databouw")
    if not isinstance(build, dict) or "tijd" not in build or not (build["tijd"] is None or iso_time(build["tijd"])):
        p.append("de bevroren foto: de databouw (met zijn tijd) ontbreekt")
    if foto.get("eigen") is not None:
        p += [f"de cijfers uit het eigen bestand in de bevroren foto: {x}" for x in _check_eigen(foto["eigen"])]
    regels = foto.get("regels")
    if not isinstance(regels, list) or len(regels) > 100:
        return p + ["de bevroren foto heeft geen lijst van indicatoren"]
    for n, r in enumerate(regels, start=1):
        what = _check_regel(r)
        if what:
            p.append(f"de bevroren foto, indicator {n}: {what}")
            if len(p) >= 10:
                break
    return p


_UPLOAD_TEXT = ("bestandsnaam", "tijd", "peildatum", "maand_van", "maand_tot")


def _check_eigen(block) -> list[str]:
    """Problems with the own-file block of a foto (portal.visitatie_eigen.make_block): what the foto tab and PDF read."""
    if not isinstance(block, dict) or not isinstance(block.get("upload"), dict) or not isinstance(block.get("cijfers"), list):
        return ["geen blok met upload en cijfers"]
    u = block["upload"]
    if not isinstance(block.get("gemeente_code"), str) or not isinstance(u.get("id"), int) or not isinstance(u.get("rijen"), int):
        return ["gemeentecode, uploadnummer of aantal rijen ontbreekt"]
    if any(not isinstance(u.get(k), str) or len(u[k]) > MAX_GROEPNAAM for k in _UPLOAD_TEXT) or not _iso_date(u["peildatum"]) \
            or not iso_time(u["tijd"]):
        return ["de gegevens van de upload (bestand, tijd, peildatum, maanden) ontbreken of kloppen niet"]
    if len(block["cijfers"]) > 20:
        return ["te veel cijfers"]
    for n, r in enumerate(block["cijfers"], start=1):
        if not isinstance(r, dict) or any(not isinstance(r.get(k), str) for k in ("label", "eenheid", "periode")):
            return [f"cijfer {n} heeft geen naam, eenheid of periode"]
        if any(r.get(k) is not None and not is_number(r[k]) for k in ("waarde", "onder", "boven")):
            return [f"cijfer {n} is geen getal"]
        if r.get("reden") is not None and not isinstance(r["reden"], str):
            return [f"cijfer {n}: de reden is geen tekst"]
        if r.get("waarde") is None and not r.get("reden"):
            return [f"cijfer {n} heeft geen waarde en geen reden"]
    o = block.get("opgenomen")
    if o is not None and not (isinstance(o, dict) and all(o.get(k) is None or isinstance(o[k], str) for k in ("door", "wanneer"))):
        return ["wie het opnam en wanneer is geen tekst"]
    return []


def _check_regel(r) -> str | None:
    """The first problem of one row of the foto, or None."""
    if not isinstance(r, dict):
        return "geen rij met cijfers"
    missing = [k for k in _REGEL_KEYS if k not in r]
    if missing:
        return f"veld {', '.join(repr(k) for k in missing[:5])} ontbreekt"
    if not isinstance(r.get("indicator"), str) or r["indicator"] not in metrics.REGISTRY:
        return f"onbekende indicator {str(r.get('indicator'))[:60]!r}"
    for k in ("label", "eenheid", "thema", "bron"):
        if not isinstance(r.get(k), str):
            return f"veld '{k}' ontbreekt of is geen tekst"
    for k in ("peildatum", "vorige_periode"):
        if r.get(k) is not None and not isinstance(r[k], str):
            return f"veld '{k}' is geen tekst"
    if r.get("lager_is_beter") not in (True, False, None) or r.get("onwaarschijnlijk") not in (True, False, None):
        return "'lager_is_beter' of 'onwaarschijnlijk' is geen ja/nee"
    if not _periode_ok(r.get("periode")) or not _periode_ok(r.get("vorige_periode")):
        return f"periode {str(r.get('periode'))[:20]!r} begint niet met een jaar"
    bad = [k for k in _REGEL_NUMBERS if r.get(k) is not None and not is_number(r[k])]
    if bad:
        return f"{', '.join(bad)} geen getal"
    if any(r.get(k) not in _POSITIES for k in ("verwacht_positie", "kenmerken_positie")):
        return "de positie in de trechter is geen bekende waarde"
    if not isinstance(r.get("groep_n"), int) or isinstance(r["groep_n"], bool):
        return "'groep_n' is geen aantal"
    if r.get("prognose") is not None and not (isinstance(r["prognose"], dict) and is_number(r["prognose"].get("waarde"))
                                               and _periode_ok(r["prognose"].get("periode"), optional=False)):
        return "de prognose is geen getal met een jaar"
    reeks = r.get("reeks")
    if not isinstance(reeks, list) or len(reeks) > 200:
        return "de reeks is geen lijst van cijfers per periode"
    for x in reeks:
        if not isinstance(x, dict) or not _periode_ok(x.get("periode"), optional=False):
            return "een punt van de reeks heeft geen periode met een jaar"
        bad = [k for k in _REEKS_NUMBERS if x.get(k) is not None and not is_number(x[k])]
        if bad or any(k not in x for k in _REEKS_NUMBERS if not k.endswith(("_lo", "_hi"))):
            return f"een punt van de reeks ({x['periode'][:20]}): {', '.join(bad) or 'cijfers'} ontbreken of zijn geen getal"
        if not isinstance(x.get("groep_n"), int | None) or isinstance(x.get("groep_n"), bool):
            return "een punt van de reeks heeft geen aantal gemeenten"
        for k in ("bron", "peildatum"):
            if x.get(k) is not None and not isinstance(x[k], str):
                return f"een punt van de reeks: '{k}' is geen tekst"
    return None


def check_item(fields: dict) -> list[str]:
    """Problems with a note, finding or recommendation; normalises `fields` in place (trimmed text, the theme of its key
    indicator, a key figure of an earlier version to its successor)."""
    soort = fields.get("soort")
    if soort not in vt.NOTITIE_SOORTEN + vt.BEVINDING_SOORTEN:
        return [f"Onbekende soort '{str(soort)[:60]}' (kan zijn: {', '.join(vt.NOTITIE_SOORTEN + vt.BEVINDING_SOORTEN)})"]
    tekst, p = _text(fields.get("tekst"), "de notitie", MAX_TEKST, required=False)
    if not p and not tekst:
        return ["Een lege tekst wordt niet opgeslagen: schrijf eerst iets op"]
    fields["tekst"] = tekst
    thema, bad = _text(fields.get("thema"), "het thema", MAX_THEMA, required=False)
    p += bad
    fields["thema"] = thema or None
    indicator = fields.get("indicator") or None
    if indicator is not None and not isinstance(indicator, str):
        return p + [f"indicator {indicator!r} is geen tekst"]
    indicator = vt.LEGACY.get(indicator, indicator)  # a note about a key figure of an earlier version stays with that figure
    if indicator and indicator not in vt.KERN_BY_ID:
        return p + [f"Onbekende indicator '{indicator[:80]}'"]
    fields["indicator"] = indicator
    if p:
        return p
    fields["thema"] = vt.item_thema(soort, fields.get("thema"), indicator)
    prioriteit = fields.get("prioriteit")
    if soort in vt.BEVINDING_SOORTEN:
        if prioriteit not in vt.PRIORITEITEN:
            return [f"Kies een prioriteit ({', '.join(vt.PRIORITEITEN)})"]
        if not (fields.get("thema") or indicator):
            return [f"Een {soort.lower()} rust op een thema of een indicator: kies er minstens één"]
    else:
        if prioriteit is not None:
            return [f"Een {soort.lower()} heeft geen prioriteit (alleen bevindingen en aanbevelingen)"]
        if not fields.get("thema"):
            return ["Kies het thema of de indicator waar deze notitie bij hoort"]
    return []
