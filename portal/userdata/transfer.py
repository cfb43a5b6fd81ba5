"""A visitatie to and from a JSON file, so it can move between installations."""

from __future__ import annotations

import json

from portal import metrics
from portal import visitatie as vt
from portal.userdata.db import now as _now
from portal.userdata.dossiers import JSON_FIELDS, Dossiers
from portal.userdata.errors import UserDataError

EXPORT_FORMAAT = "bijstandsportaal-visitatie"
EXPORT_VERSIE = 1


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

    def import_visitatie(self, data: bytes | str, wie: str, known_codes: set[str] | None = None) -> int:
        """A visitatie from an exported file, always as a NEW visitatie (nothing existing is overwritten).

        Every problem is found before anything is written; the message lists them in Dutch."""
        try:
            doc = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            raise UserDataError("Dit is geen leesbaar JSON-bestand. Kies een bestand dat met 'Exporteer (JSON)' is gemaakt.") from None
        if not isinstance(doc, dict) or doc.get("formaat") != EXPORT_FORMAAT:
            raise UserDataError("Dit bestand is geen visitatie-export van dit portaal (het veld 'formaat' ontbreekt of klopt niet).")
        versie = doc.get("formaatversie")
        if not isinstance(versie, int):
            raise UserDataError("Dit bestand heeft geen formaatversie: het komt uit een oudere of onbekende versie van het portaal "
                                f"en kan niet veilig worden ingelezen. Dit portaal leest formaatversie {EXPORT_VERSIE}.")
        if versie > EXPORT_VERSIE:
            raise UserDataError(f"Dit bestand heeft formaatversie {versie} en komt uit een nieuwere versie van het portaal; dit "
                                f"portaal leest tot en met versie {EXPORT_VERSIE}. Werk het portaal eerst bij.")
        v = doc.get("visitatie")
        if not isinstance(v, dict):
            raise UserDataError("In het bestand ontbreekt het onderdeel 'visitatie'.")
        problems = [f"veld '{k}' ontbreekt" for k in ("gemeente_code", "titel", "periode", "status", "groep") if k not in v]
        if "status" in v and v["status"] not in vt.STATUSSEN:
            problems.append(f"onbekende status '{v['status']}'")
        if isinstance(v.get("groep"), dict) and not isinstance(v["groep"].get("leden"), list):
            problems.append("de referentiegroep heeft geen ledenlijst")
        if v.get("status", "voorbereiding") != "voorbereiding" and not v.get("foto"):
            problems.append("de visitatie is voorbij de voorbereiding maar de bevroren foto ontbreekt")
        if known_codes is not None and v.get("gemeente_code") not in known_codes:
            problems.append(f"gemeentecode '{v.get('gemeente_code')}' bestaat niet in de gemeentelijke indeling van dit portaal")
        items = doc.get("items", [])
        for n, item in enumerate(items if isinstance(items, list) else [], start=1):
            missing = [k for k in ("soort", "tekst") if not isinstance(item, dict) or k not in item]
            if missing:
                problems.append(f"notitie {n}: veld {', '.join(repr(m) for m in missing)} ontbreekt")
        if not isinstance(items, list):
            problems.append("'items' is geen lijst")
        if problems:
            raise UserDataError("Het bestand kan niet worden ingelezen: " + "; ".join(problems) + ". Er is niets opgeslagen.")
        fields = {"gemeente_code": v["gemeente_code"], "titel": v["titel"], "periode": v["periode"], "status": v["status"],
                  "groep": v["groep"], "team": v.get("team") or [], "contacten": v.get("contacten") or [],
                  "datums": v.get("datums") or {}, "themas": v.get("themas") or list(vt.DEFAULT_THEMAS),
                  "normen": v.get("normen") or {}, "foto": v.get("foto"), "foto_bevroren": v.get("foto_bevroren")}
        try:
            legacy = legacy_norm_notes(fields["normen"]) if isinstance(fields["normen"], dict) else []
            fields["normen"] = {k: n for k, n in fields["normen"].items() if k not in vt.LEGACY} if legacy else fields["normen"]
            self._check_fields(fields)
            clean = legacy
            for item in items:
                f = {"soort": item["soort"], "tekst": (item["tekst"] or "").strip(), "thema": item.get("thema"),
                     "indicator": item.get("indicator"), "prioriteit": item.get("prioriteit")}
                self._check_item(f)
                clean.append(f)
        except UserDataError as e:
            raise UserDataError(f"Het bestand kan niet worden ingelezen: {e} Er is niets opgeslagen.") from None
        with self._db(write=True) as db:  # one transaction: all or nothing
            vid = self._insert_visitatie(db, wie, fields, f"geïmporteerd uit bestand (geëxporteerd {doc.get('geexporteerd', '?')})")
            for f in clean:
                self._insert_item(db, vid, wie, f)
        return vid
