"""What `etl vernieuw` fetches from CBS: one LiveSource per table or yearly series of tables, with the rows and measures
to ask for and the registry indicators each measure maps to.

Read by both sides of a refresh: the fetcher (etl/live.py) finds and fetches the tables, and the build reads what was
fetched (etl/sources/cbs_live.py) through the same declaration. Only declarations live here: a source whose rows need more
than "measure -> indicator" names its own shape function, which stays in its source module (these import only common
helpers, so nothing here leads back to the fetcher or the build).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from etl.cbs import Measure
from etl.sources import cbs_85383ned, cbs_kwb_2020, iv3_live

PREFIX = "live_"  # a fetched table's snapshot folder: live_<bron>_<TABEL>


@dataclass(frozen=True)
class Dim:
    """A dimension fixed to one member: by key when we know it, else by title (checked against CBS's member list)."""

    name: str
    key: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class LiveSource:
    bron: str  # name for --bron and in the snapshot folder
    title: str  # CBS title; "{jaar}" where a yearly series has the year ("... wijken en buurten {jaar}")
    known: dict[int, str]  # table id per year (0 = one table for all years); the fallback when the catalogue fails
    region: str | None  # region dimension (None: national table)
    measures: dict[Measure, tuple[str | None, str | None]]  # measure -> (indicator for gemeenten, indicator for Nederland)
    kind: str  # "stand" (a count on a date) or "stroom" (a flow over the period)
    fixed: tuple[Dim, ...] = ()  # dimensions fixed to one member (their totals)
    keep: tuple[str, ...] = ()  # further dimensions kept as columns (e.g. StatusCijfer)
    period: str | None = "Perioden"  # the period dimension (None: the table's year is the period)
    indeling: str = "periode"  # whose gemeente boundaries the rows follow: the period's year or the table's year ("tabel")
    host: str = "opendata"  # or "dataderden" (Iv3)
    where: str | None = None  # an extra OData filter (e.g. only taakvelden 6.x)
    # A source whose rows need more than "measure -> indicator" (Iv3: sum categories) shapes them itself:
    # shape(frame, herkomst, ctx, file) -> tidy observations.
    shape: Callable | None = None
    members: str | None = None  # fetch only this dimension's member list (Gebieden in Nederland: the gemeenten of a year)
    # Which years of a yearly series a default run fetches (--jaren widens it): the newest, plus every year from `since`
    # (default: our first known year) that the shipped snapshots do not hold completely (`shipped`).
    shipped: frozenset[int] = frozenset()
    since: int | None = None
    # A monthly indicator whose December value is also a yearly indicator (the stock on 31 December): month -> year id.
    december: dict[str, str] = field(default_factory=dict)

    @property
    def yearly(self) -> bool:
        return "{jaar}" in self.title


WIJKBUURT = {2013: "83618NED", 2014: "83012NED", 2015: "83173NED", 2016: "83577NED", 2017: "83759NED", 2018: "84417NED",
             2019: "84692NED", 2020: "84897NED", 2021: "85042NED", 2022: "85317NED", 2023: "85586NED", 2024: "86003NED"}
KWB = {2015: "83220NED", 2016: "83487NED", 2017: "83765NED", 2018: "84286NED", 2019: "84583NED", 2020: "84799NED", 2021: "85039NED",
       2022: "85318NED", 2023: "85618NED", 2024: "85984NED", 2025: "86165NED"}
IV3 = {2012: "45001NED", 2013: "45004NED", 2014: "45005NED", 2015: "45006NED", 2016: "45031NED", 2017: "45038NED",
       2018: "45042NED", 2019: "45046NED", 2020: "45050NED", 2021: "45054NED", 2022: "45059NED", 2023: "45063NED",
       2024: "45067NED", 2025: "45071NED", 2026: "45078NED"}
# Gemeenten keys are GM codes (padded), so region_filter's startswith(GM/NL) fits. Keys of TaakveldBalanspost are padded to 6
# ('6.3   '): startswith, not eq. There is no Perioden: the year is the table's.
IV3_TAAKVELDEN = "(" + " or ".join(f"startswith(TaakveldBalanspost,'{tv}')" for tv in iv3_live.TAAKVELDEN) + ")"

LIVE: list[LiveSource] = [
    # The shipped quarterly dump is partial (29–61 gemeenten per year): no year counts as shipped.
    LiveSource("kwartaal", "Personen met een uitkering; soort uitkering, wijken en buurten {jaar}", WIJKBUURT, "WijkenEnBuurten",
               {Measure("Bijstandsuitkering", unit="aantal"): ("bijstand_alg_personen_kwartaal",
                                                               "bijstand_alg_personen_nl_kwartaal")},
               "stand", indeling="tabel"),
    LiveSource("maand", "Bijstandsuitkeringen; uitkeringsgrondslag, regio's", {0: "82015NED"}, "RegioS",
               {Measure("AantalBijstandsuitkeringen"): ("bijstandsuitkeringen_maand", "bijstandsuitkeringen_maand"),
                Measure("LeefvormAlleenstaande"): ("bijstandsuitkeringen_alleenstaande_maand",) * 2,
                Measure("LeefvormAlleenstaandeOuder"): ("bijstandsuitkeringen_alleenstaande_ouder_maand",) * 2,
                Measure("LeefvormEchtPaar"): ("bijstandsuitkeringen_paar_maand",) * 2},
               "stand", fixed=(Dim("UitkeringenInRelatieMetDeAOW", title="Totaal"),)),
    LiveSource("regio", "Personen met een uitkering; uitkeringsontvangers per regio", {0: "80794ned"}, "RegioS",
               {Measure("BijstandTotDeAOWLeeftijd"): ("bijstand_personen_tot_aow_maand",) * 2,
                Measure("BijstandGerelateerdTotAOWLeeftijd"): ("bijstand_gerelateerd_tot_aow_maand",) * 2},
               "stand"),
    LiveSource("stromen", "Personen met bijstand; (her)instromers en uitstromers", {0: "85615NED"}, None,
               {Measure("Instromers"): (None, "bijstand_instromers_nl_kwartaal"),
                Measure("HerInstromersBinnenEenJaar"): (None, "bijstand_herinstromers_nl_kwartaal"),
                Measure("Uitstromers"): (None, "bijstand_uitstromers_nl_kwartaal")},
               "stroom", fixed=(Dim("Geslacht", key="T001038"), Dim("Leeftijd", key="10000"), Dim("Herkomstland", key="T001040"),
                                Dim("GeboortelandOuders", key="T001638"))),
    # Handhaving: open bijstandsvorderingen per gemeente and month, all ontstaansgronden (the dimension's total, by title).
    LiveSource("vorderingen", "Bijstand; bijstandsvorderingen naar ontstaansgrond en regio", {0: "82020NED"}, "RegioS",
               {Measure("AantalOpenstaandeVorderingen"): ("bijstandsvorderingen_aantal",) * 2,
                Measure("OpenstaandSaldo"): ("bijstandsvorderingen_saldo",) * 2},
               "stand", fixed=(Dim("Vorderingen", title="Totaal"),)),
    # Re-integratie-/participatievoorzieningen per gemeente and month: three tables with three definitions, three indicators.
    # The titles of these tables are not recorded anywhere we can read (the dump has no titles): the catalogue will not find
    # them by title, so the known ids are used; the dimension members are the titles the dump shows.
    LiveSource("reintegratie", "Re-integratie-/participatievoorzieningen; type, status, regio", {0: "85588NED"}, "RegioS",
               {Measure("ReIntegratieParticipatievoorzieningen"): ("reintegratie_voorz_lopend_maand",) * 2}, "stand",
               fixed=(Dim("TypeReIntegratieParticipatievoorz", title="Totaal re-integratie-/participatievoorz."),
                      Dim("StatusVoorziening", title="Lopend eind verslagperiode")),
               december={"reintegratie_voorz_lopend_maand": "reintegratie_voorz_lopend_dec"}),
    LiveSource("reintegratie_2019", "Re-integratie-/participatievoorzieningen 2019-2022; type, status, regio", {0: "84510NED"},
               "RegioS", {Measure("ReIntegratieParticipatievoorzieningen"): ("reintegratie_voorz_lopend_beeindigd_maand",) * 2},
               "stroom", fixed=(Dim("TypeReIntegratieParticipatievoorz", title="Totaal re-integratie-/participatievoorz."),
                                Dim("StatusVoorzieningEindeVerslagperiode", title="Totaal voorzieningen:Lopend en beëindigd"))),
    LiveSource("reintegratie_2015", "Re-integratievoorzieningen 2015-2018; regio", {0: "83062NED"}, "RegioS",
               {Measure("VoorzieningenEindVerslagperiode"): ("reintegratie_voorz_eind_maand_2015",) * 2}, "stand",
               fixed=(Dim("ReIntegratievoorzieningen", title="Totaal re-integratievoorzieningen"),)),
    # Kerncijfers wijken en buurten: one table per year, measures found by title (the key suffixes change every year).
    LiveSource("kwb", "Kerncijfers wijken en buurten {jaar}", KWB, "WijkenEnBuurten",
               {Measure(c.rsplit("_", 1)[0], t, "aantal"): (None, None) for c, t in cbs_kwb_2020.TITLES.items()}, "stand",
               period=None, indeling="tabel", shape=cbs_kwb_2020.live_shape,
               shipped=frozenset({2020, 2024})),  # cbs_kwb_2020_84799NED, cbs_kwb_2024_85984NED
    # The Fvw maatstaven: the same table (or a successor with the same measures) as the shipped one, onto the same indicators.
    LiveSource("fvw", "Maatstaven Financiële-verhoudingswet (Fvw)", {0: "85383NED"}, "RegioS",
               {Measure(c.rsplit("_", 1)[0]): (i, i) for c, i in cbs_85383ned.MEASURES.items()}, "stand",
               keep=("StatusCijfer",), shape=cbs_85383ned.live_shape),
    # Iv3: the amounts are summed per gemeente, taakveld and verslagsoort into the iv3_* indicators by iv3_live.shape.
    LiveSource("iv3", "Gemeenten {jaar} onbewerkte Iv3-data", IV3, "Gemeenten", {Measure(iv3_live.MEASURE): (None, None)},
               "stroom", keep=("TaakveldBalanspost", "Categorie", "Verslagsoort"), period=None, indeling="tabel",
               host="dataderden", where=IV3_TAAKVELDEN, shape=iv3_live.shape,
               shipped=frozenset({2023, 2024, 2025})),  # michielsd_iv3_gemeentefonds
    # The gemeenten of each year as CBS lists them, so that a new herindeling is recognised (etl/sources/cbs_live.check_list).
    LiveSource("gebieden", "Gebieden in Nederland {jaar}", {2015: "82949NED", 2016: "83287NED"}, None, {}, "stand",
               members="RegioS", shipped=frozenset(range(1990, 2026))),  # nlextract_gemeentelijke_indeling: 1990–2025
]
BY_NAME = {s.bron: s for s in LIVE}
