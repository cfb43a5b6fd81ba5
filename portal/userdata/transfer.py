"""A visitatie to and from a JSON file, so it can move between installations."""

from __future__ import annotations

import json

from portal import metrics
from portal.indeling import is_gemeente_code
from portal.nl import nl_number
from portal import visitatie as vt
from portal.access import Gebruiker, may_create
from portal.userdata.checks import MAX_ITEMS, MAX_PERSONEN, check_foto, check_item, check_visitatie, is_number, iso_time
from portal.userdata.db import now as _now
from portal.userdata.dossiers import JSON_FIELDS, Dossiers
from portal.userdata.errors import UserDataError

EXPORT_FORMAAT = "bijstandsportaal-visitatie"
EXPORT_VERSIE = 1
MAX_BESTAND = 2_000_000  # bytes: an export with the foto and a few hundred notes is well under 1 MB
MAX_MELDINGEN = 20  # problems listed in one refusal


def legacy_norm_notes(normen: dict) -> list[dict]:
    """Norms on key figures of an earlier version: not carried over (the new figure has another definition), but kept
    as an observation in the dossier so nothing the team set is lost."""
    notes = []
    for old, value in normen.items():
        if old in vt.LEGACY:
            new = vt.LEGACY[old]
            notes.append({"soort": "Observatie", "thema": vt.KERN_BY_ID[new].thema, "indicator": new, "prioriteit": None,
                          "tekst": f"Norm uit het ingelezen bestand niet overgenomen: {old} = {value}. Die indicator is vervangen "
                                  f"door '{metrics.get(new).label}', met een andere definitie; zet zo nodig een nieuwe norm."})
    return notes


class Transfer(Dossiers):
    """Export and import of whole visitaties (on top of the dossiers)."""

    # ---- export and import ----------------------------------------------------------------------------------------------
    def export_visitatie(self, vid: int) -> dict:
        v = self.visitatie(vid)
        if v is None:
            raise UserDataError(f"Visitatie {vid} bestaat niet (meer).")
        return {"formaat": EXPORT_FORMAAT, "formaatversie": EXPORT_VERSIE, "geexporteerd": _now(),
                "visitatie": {k: v[k] for k in ("gemeente_code", "titel", "periode", "status", *JSON_FIELDS,
                                                "foto_bevroren")},
                "items": [{k: i[k] for k in ("soort", "tekst", "thema", "indicator", "prioriteit")} for i in self.items(vid)]}

    def import_visitatie(self, data: bytes | str, user: Gebruiker, known_codes: set[str] | None = None) -> int:
        """A visitatie from an exported file, always as a NEW visitatie (nothing existing is overwritten).

        Every field is checked (type, range, length) before anything is written; the message lists every problem in
        Dutch. The dossier belongs to whoever imports it: unless beheer imports it, the team's links to user accounts
        are dropped (their names stay) and the importer joins the team, so an import cannot put a dossier in another
        team's list."""
        if not may_create(user):
            raise UserDataError("Alleen het visitatieteam en beheer kunnen een visitatie inlezen.")
        doc = parse_export(data)
        fields, items, problems = check_export(doc, known_codes)
        if problems:
            shown = problems[:MAX_MELDINGEN] + ([f"en nog {len(problems) - MAX_MELDINGEN} problemen"]
                                                 if len(problems) > MAX_MELDINGEN else [])
            raise UserDataError("Het bestand kan niet worden ingelezen: " + "; ".join(shown) + ". Er is niets opgeslagen.")
        if user.rol != "beheer":
            fields["team"] = owned_team(fields["team"], user)
        with self._db(write=True) as db:  # one transaction: all or nothing
            vid = self._insert_visitatie(db, user.naam, fields,
                                         f"geïmporteerd uit bestand (geëxporteerd {str(doc.get('geexporteerd', '?'))[:40]})")
            for f in items:
                self._insert_item(db, vid, user.naam, f)
        return vid


def owned_team(team: list[dict], user: Gebruiker) -> list[dict]:
    """The team of an imported dossier for a non-beheer importer: the names as they were, without links to user
    accounts of this installation, and the importer as a member with their own account (keeping a role the file
    gives them)."""
    own = next((m for m in team if m.get("gebruiker") == user.naam), None)
    rest = [{k: v for k, v in m.items() if k != "gebruiker"} for m in team if m is not own]
    me = {"naam": (own or {}).get("naam") or user.naam, "gebruiker": user.naam, "rol": (own or {}).get("rol") or "lid"}
    return [me, *rest][:MAX_PERSONEN]


def parse_export(data: bytes | str) -> dict:
    """The JSON document of an export file, with the Dutch refusals for what is not one."""
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "replace"))
    if size > MAX_BESTAND:
        raise UserDataError(f"Het bestand is te groot ({nl_number(size / 1e6, 1)} MB; maximaal {nl_number(MAX_BESTAND / 1e6)} "
                            "MB): dat is geen export van één visitatie. Er is niets opgeslagen.")
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise UserDataError("Dit is geen leesbaar JSON-bestand. Kies een bestand dat met 'Exporteren als JSON' is gemaakt.") from None
    except RecursionError:
        raise UserDataError("Dit bestand is te diep genest om een visitatie-export te zijn. Er is niets opgeslagen.") from None
    if not isinstance(doc, dict) or doc.get("formaat") != EXPORT_FORMAAT:
        raise UserDataError("Dit bestand is geen visitatie-export van dit portaal (het veld 'formaat' ontbreekt of klopt niet).")
    versie = doc.get("formaatversie")
    if not isinstance(versie, int) or isinstance(versie, bool):
        raise UserDataError("Dit bestand heeft geen formaatversie: het komt uit een oudere of onbekende versie van het portaal "
                            f"en kan niet veilig worden ingelezen. Dit portaal leest formaatversie {EXPORT_VERSIE}.")
    if versie > EXPORT_VERSIE:
        raise UserDataError(f"Dit bestand heeft formaatversie {versie} en komt uit een nieuwere versie van het portaal; dit "
                            f"portaal leest tot en met versie {EXPORT_VERSIE}. Werk het portaal eerst bij.")
    return doc


def check_export(doc: dict, known_codes: set[str] | None) -> tuple[dict, list[dict], list[str]]:
    """(visitatie fields, notes, problems) of an export document; the fields and notes are only usable without
    problems."""
    v = doc.get("visitatie")
    if not isinstance(v, dict):
        return {}, [], ["het onderdeel 'visitatie' ontbreekt"]
    problems = [f"veld '{k}' ontbreekt" for k in ("gemeente_code", "titel", "periode", "status", "groep") if k not in v]
    if problems:
        return {}, [], problems
    fields = {"gemeente_code": v["gemeente_code"], "titel": v["titel"], "periode": v["periode"], "status": v["status"],
              "groep": v["groep"], "team": v.get("team") or [], "contacten": v.get("contacten") or [],
              "datums": v.get("datums") or {}, "themas": v.get("themas") or list(vt.DEFAULT_THEMAS),
              "normen": v.get("normen") or {}, "foto": v.get("foto"), "foto_bevroren": v.get("foto_bevroren")}
    notes = []
    if isinstance(fields["normen"], dict):
        old = {k: x for k, x in fields["normen"].items() if k in vt.LEGACY}
        bad = [k for k, x in old.items() if not is_number(x)]
        problems += [f"de norm voor {k} is geen getal: {str(old[k])[:40]!r}" for k in bad]
        notes = legacy_norm_notes({k: x for k, x in old.items() if k not in bad})
        fields["normen"] = {k: x for k, x in fields["normen"].items() if k not in vt.LEGACY}
    problems += check_visitatie(fields)
    code = fields["gemeente_code"]
    if known_codes is not None and is_gemeente_code(code) and code not in known_codes:
        problems.append(f"gemeentecode {str(fields['gemeente_code'])[:20]!r} bestaat niet in de gemeentelijke indeling van dit "
                        "portaal")
    if fields["status"] == vt.STATUSSEN[0]:
        if fields["foto"] is not None or fields["foto_bevroren"] is not None:
            problems.append("de visitatie is nog in voorbereiding maar heeft een bevroren foto")
    elif fields["status"] in vt.STATUSSEN:
        if not fields["foto"]:
            problems.append("de visitatie is voorbij de voorbereiding maar de bevroren foto ontbreekt")
        else:
            problems += check_foto(fields["foto"])
        if not iso_time(fields["foto_bevroren"]):
            problems.append("het moment van bevriezen van de foto ontbreekt of is geen tijdstip")
    items = doc.get("items", [])
    if not isinstance(items, list):
        return fields, [], problems + ["'items' is geen lijst"]
    if len(items) > MAX_ITEMS:
        return fields, [], problems + [f"het bestand heeft {nl_number(len(items))} notities en bevindingen "
                                       f"(maximaal {nl_number(MAX_ITEMS)})"]
    for n, item in enumerate(items, start=1):
        missing = [k for k in ("soort", "tekst") if not isinstance(item, dict) or k not in item]
        if missing:
            problems.append(f"notitie {n}: veld {', '.join(repr(m) for m in missing)} ontbreekt")
            continue
        f = {"soort": item["soort"], "tekst": item["tekst"], "thema": item.get("thema"), "indicator": item.get("indicator"),
             "prioriteit": item.get("prioriteit")}
        problems += [f"notitie {n}: {x[0].lower()}{x[1:]}" for x in check_item(f)]
        notes.append(f)
    return fields, notes, problems
