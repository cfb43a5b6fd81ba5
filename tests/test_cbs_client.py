"""etl/cbs.py against a local replay server serving CBS-shaped OData v3 JSON (never the internet).

The server (tests/cbs_replay.py) serves the recorded KWB 2020 (84799NED) TableInfos, DataProperties and TypedDataSet sample
rows in tests/fixtures/cbs; extra rows are copies of the recorded ones with new keys.
"""

from __future__ import annotations

import csv
import json
import re
import urllib.parse
from pathlib import Path

import pytest

from etl import cbs
from tests.cbs_replay import SKIP_REFUSED, FakeCbs, FakeTable, Server, kwb2020, kwb_catalogue

TABLE = "84799NED"
BIJSTAND = cbs.Measure("PersonenPerSoortUitkeringBijstand", "Personen per soort uitkering; Bijstand")
INWONERS = cbs.Measure("AantalInwoners", "Aantal inwoners")
DIMS = ["WijkenEnBuurten", "SoortRegio_2", "Codering_3"]


def make_rows(n: int) -> list[dict]:
    return kwb2020(n).rows


def Replay(rows: list[dict], cap: int = 10_000, links: bool = True) -> FakeTable:  # noqa: N802 - reads like the class it makes
    t = kwb2020(0)
    t.rows, t.cap, t.links = rows, cap, links
    return t


@pytest.fixture
def serve():
    servers = []

    def start(table: FakeTable) -> cbs.Client:
        servers.append(Server(FakeCbs({TABLE: table})))
        client = cbs.Client(base=servers[-1].base, timeout=5, retries=2, backoff=0, sleep=lambda s: None)
        client.catalogue = servers[-1].catalogue  # never the real catalogue
        return client

    yield start
    for srv in servers:
        srv.close()


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_paging_over_continuation_links_with_row_count_and_progress(serve, tmp_path):
    state = Replay(make_rows(11), cap=4, links=True)
    seen: list[cbs.Progress] = []
    out = cbs.fetch_table(TABLE, tmp_path / "kwb", [BIJSTAND, INWONERS], DIMS, client=serve(state),
                          progress=seen.append, page_size=4)
    rows = read_csv(out / f"{TABLE}_TypedDataSet.csv")
    assert len(rows) == 11 and rows[1]["Codering_3"] == "GM0363" and rows[1]["PersonenPerSoortUitkeringBijstand_83"] == "39780.0"
    assert [(p.rows, p.pages, p.pages_total) for p in seen] == [(4, 1, 3), (8, 2, 3), (11, 3, 3)]
    assert seen[-1].seconds_left == 0 and seen[0].seconds_left is not None
    data_pages = [p for p in state.log if "TypedDataSet?" in p]
    assert len(data_pages) == 3 and all(p.startswith("/ODataFeed/odata/84799NED/") for p in data_pages)
    assert "skip" not in data_pages[0] and data_pages[1].endswith("$skip=4") and data_pages[2].endswith("$skip=8")  # links
    assert not (tmp_path / ".gedeeltelijk" / TABLE).exists()  # partial pages are cleared after success


def test_paging_with_skip_and_filter_without_links(serve, tmp_path):
    state = Replay(make_rows(14), cap=5, links=False)  # a Feed that gives no continuation link: $skip on the Feed
    out = cbs.fetch_table(TABLE, tmp_path / "kwb", [BIJSTAND], DIMS, flt="SoortRegio_2 eq 'Buurt'",
                          client=serve(state), page_size=5)
    rows = read_csv(out / f"{TABLE}_TypedDataSet.csv")
    assert len(rows) == 9 and {r["SoortRegio_2"] for r in rows} == {"Buurt"}
    assert list(rows[0]) == [*DIMS, "PersonenPerSoortUitkeringBijstand_83"]  # $select honoured, order kept


def test_table_cut_at_10000_rows_is_an_error_and_no_snapshot(serve, tmp_path):
    state = Replay(make_rows(10_050))
    state.cut_at = 10_000  # like the public copies: 10 000 rows, no continuation link, $count says 10 050
    with pytest.raises(cbs.CbsError) as exc:
        cbs.fetch_table(TABLE, tmp_path / "kwb", [BIJSTAND], DIMS, client=serve(state))
    assert "84799NED is onvolledig: CBS meldt 10.050 rijen, er zijn er 10.000 opgehaald" in str(exc.value)
    assert not (tmp_path / "kwb").exists()
    with pytest.raises(cbs.CbsError, match="Tabel 84799NED: CBS meldt 0 rijen voor filter \"SoortRegio_2 eq 'Provincie'\""):
        cbs.fetch_table(TABLE, tmp_path / "kwb", [BIJSTAND], DIMS, flt="SoortRegio_2 eq 'Provincie'", client=serve(state))


def test_measure_with_new_suffix_or_new_key_is_found_by_title(serve, tmp_path):
    state = Replay(make_rows(5))
    state.rename("PersonenPerSoortUitkeringBijstand_83", "PersonenPerSoortUitkeringBijstand_94")  # KWB 2024 numbering
    state.rename("AantalInwoners_5", "Inwoners_7")  # key renamed, title unchanged
    out = cbs.fetch_table(TABLE, tmp_path / "kwb", [BIJSTAND, INWONERS], DIMS, client=serve(state))
    rows = read_csv(out / f"{TABLE}_TypedDataSet.csv")
    assert rows[1]["PersonenPerSoortUitkeringBijstand_94"] == "39780.0" and rows[1]["Inwoners_7"] == "872757"
    h = json.loads((out / "herkomst.json").read_text(encoding="utf-8"))
    assert [m["sleutel"] for m in h["maatstaven"]] == ["PersonenPerSoortUitkeringBijstand_94", "Inwoners_7"]


def test_missing_or_retitled_measure_is_a_dutch_error(serve, tmp_path):
    state = Replay(make_rows(5))
    state.props = [p for p in state.props if p["Key"] != "PersonenPerSoortUitkeringBijstand_83"]
    with pytest.raises(cbs.CbsError, match=r"Tabel 84799NED: maatstaf 'Personen per soort uitkering; Bijstand' "
                                           r"\(PersonenPerSoortUitkeringBijstand_…\) ontbreekt"):
        cbs.fetch_table(TABLE, tmp_path / "kwb", [BIJSTAND], DIMS, client=serve(state))
    state2 = Replay(make_rows(5))
    state2.rename("PersonenPerSoortUitkeringBijstand_83", "PersonenPerSoortUitkeringBijstand_94", "Bijstand incl. IOAW")
    with pytest.raises(cbs.CbsError, match="PersonenPerSoortUitkeringBijstand_94 heet nu 'Bijstand incl. IOAW'"):
        cbs.fetch_table(TABLE, tmp_path / "kwb", [BIJSTAND], DIMS, client=serve(state2))
    assert not (tmp_path / "kwb").exists()


def test_429_with_retry_after_then_success(serve, tmp_path):
    state = Replay(make_rows(5))
    state.fail = [(429, {"Retry-After": "0"}), (503, {})]
    waits: list[float] = []
    client = serve(state)
    client.backoff, client.sleep = 1.0, waits.append
    cbs.fetch_table(TABLE, tmp_path / "kwb", [BIJSTAND], DIMS, client=client)
    assert waits == [0.0, 2.0]  # Retry-After honoured, then exponential backoff (1 * 2**1)
    assert len(read_csv(tmp_path / "kwb" / f"{TABLE}_TypedDataSet.csv")) == 5


def test_500_beyond_retry_limit_keeps_the_old_snapshot(serve, tmp_path):
    state = Replay(make_rows(5))
    cbs.fetch_table(TABLE, tmp_path / "kwb", [BIJSTAND], DIMS, client=serve(state))
    before = {p.name: p.read_bytes() for p in (tmp_path / "kwb").iterdir()}
    state.fail_pages_after = 0  # every data page now fails (3 attempts with retries=2)
    with pytest.raises(cbs.CbsError, match="CBS gaf 3 keer een fout \\(laatste: 500\\)"):
        cbs.fetch_table(TABLE, tmp_path / "kwb", [BIJSTAND], DIMS, client=serve(state))
    assert {p.name: p.read_bytes() for p in (tmp_path / "kwb").iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gedeeltelijk", "kwb"]  # no temp folder left behind
    fresh = tmp_path / "nieuw"
    with pytest.raises(cbs.CbsError):
        cbs.fetch_table(TABLE, fresh, [BIJSTAND], DIMS, client=serve(state))
    assert not fresh.exists()


def test_resume_after_crash_requests_only_the_remaining_pages(serve, tmp_path):
    state = Replay(make_rows(13), cap=3)
    state.fail_pages_after = 2  # the "crash": pages 3 … fail after two good ones
    with pytest.raises(cbs.CbsError):
        cbs.fetch_table(TABLE, tmp_path / "kwb", [BIJSTAND], DIMS, client=serve(state), page_size=3)
    stored = sorted(p.name for p in (tmp_path / ".gedeeltelijk" / TABLE).glob("page_*.json"))
    assert stored == ["page_00000.json", "page_00001.json"] and not (tmp_path / "kwb").exists()
    state.fail_pages_after, state.log = None, []
    cbs.fetch_table(TABLE, tmp_path / "kwb", [BIJSTAND], DIMS, client=serve(state), page_size=3)
    skips = [int(urllib.parse.parse_qs(urllib.parse.urlparse(p).query)["$skip"][0]) for p in state.log if "TypedDataSet?" in p]
    assert skips == [6, 9, 12]
    rows = read_csv(tmp_path / "kwb" / f"{TABLE}_TypedDataSet.csv")
    assert [r["Codering_3"] for r in rows] == [r["Codering_3"].strip() for r in make_rows(13)]


def test_stale_partial_is_discarded_when_cbs_changed_the_table(serve, tmp_path):
    state = Replay(make_rows(9), cap=3)
    state.fail_pages_after = 1
    with pytest.raises(cbs.CbsError):
        cbs.fetch_table(TABLE, tmp_path / "kwb", [BIJSTAND], DIMS, client=serve(state), page_size=3)
    state.fail_pages_after, state.log = None, []
    state.info[0]["Modified"] = "2021-06-01T02:00:00"
    cbs.fetch_table(TABLE, tmp_path / "kwb", [BIJSTAND], DIMS, client=serve(state), page_size=3)
    assert sum("TypedDataSet?" in p for p in state.log) == 3  # all pages fetched again


def test_values_dot_x_dash_become_empty_and_keys_are_stripped(serve, tmp_path):
    rows = make_rows(5)
    rows[2]["PersonenPerSoortUitkeringBijstand_83"] = "x"
    rows[3]["PersonenPerSoortUitkeringBijstand_83"] = "-"
    rows[4]["PersonenPerSoortUitkeringBijstand_83"] = None
    state = Replay(rows)
    out = cbs.fetch_table(TABLE, tmp_path / "kwb", [BIJSTAND],
                          [*DIMS, "IndelingswijzigingWijkenEnBuurten_4"], client=serve(state))
    got = read_csv(out / f"{TABLE}_TypedDataSet.csv")
    assert [r["WijkenEnBuurten"] for r in got] == ["NL00", "GM0363", "GM0518", "GM0599", "GM0344"]
    assert [r["PersonenPerSoortUitkeringBijstand_83"] for r in got] == ["421110.0", "39780.0", "", "", ""]
    assert {r["IndelingswijzigingWijkenEnBuurten_4"] for r in got} == {""}  # CBS '.' in the recorded sample
    assert cbs.clean(0) == 0 and cbs.clean("  12 ") == "12"


def test_herkomst_and_provenance_and_verify_detects_tampering(serve, tmp_path):
    out = cbs.fetch_table(TABLE, tmp_path / "kwb", [BIJSTAND], DIMS, client=serve(Replay(make_rows(7))))
    h = json.loads((out / "herkomst.json").read_text(encoding="utf-8"))
    assert h["tabel"] == TABLE and h["titel"] == "Kerncijfers wijken en buurten 2020"
    assert h["cbs_gewijzigd"] == "2021-03-26T02:00:00" and h["licentie"].startswith("CC BY 4.0")
    assert h["bestanden"][f"{TABLE}_TypedDataSet.csv"]["rijen"] == 7 and "TypedDataSet" in h["url"]
    prov = (out / "PROVENANCE.md").read_text(encoding="utf-8")
    assert "Kerncijfers wijken en buurten 2020" in prov and "2021-03-26" in prov and "CC BY 4.0" in prov
    sums = (out / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    assert [ln.split("  ")[1] for ln in sums] == [f"{TABLE}_TypedDataSet.csv", "PROVENANCE.md", "herkomst.json"]
    assert cbs.verify(out) == []
    data = out / f"{TABLE}_TypedDataSet.csv"
    data.write_text(data.read_text(encoding="utf-8").replace("39780.0", "39781.0"), encoding="utf-8")
    problems = cbs.verify(out)
    assert any("checksum wijkt af van herkomst.json" in p for p in problems)
    assert any("klopt niet met SHA256SUMS" in p for p in problems)
    (out / "herkomst.json").unlink()
    assert cbs.verify(out) == ["kwb/herkomst.json ontbreekt of is onleesbaar"]


def test_no_connection_is_a_dutch_error_and_changes_nothing(tmp_path):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens here now: connection refused
    (tmp_path / "kwb").mkdir()
    (tmp_path / "kwb" / "oud.csv").write_text("a\n1\n", encoding="utf-8")
    client = cbs.Client(base=f"http://127.0.0.1:{port}/ODataApi/odata", timeout=2, retries=3, sleep=lambda s: None)
    with pytest.raises(cbs.CbsError, match=r"^Geen verbinding met CBS \(127\.0\.0\.1:\d+\): de verbinding werd geweigerd; "
                                           r"er is niets veranderd\.$"):
        cbs.fetch_table(TABLE, tmp_path / "kwb", [BIJSTAND], DIMS, client=client)
    assert len(client.requests) == 1  # no pointless retries while offline
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kwb"]
    assert (tmp_path / "kwb" / "oud.csv").read_text(encoding="utf-8") == "a\n1\n"


def test_malformed_json_is_a_dutch_error(serve, tmp_path):
    state = Replay(make_rows(5))
    state.fail = [(200, {}, b'{"value": [{"ID": 0, "Key": "Wijk')] * 3  # TableInfos cut off mid-answer, every try
    with pytest.raises(cbs.CbsError, match=r"^CBS gaf 3 keer een onleesbaar antwoord \(geen geldige JSON\) voor "
                                           r"http://.*/TableInfos\?\$format=json; begin: '\{\"value\""):
        cbs.fetch_table(TABLE, tmp_path / "kwb", [BIJSTAND], DIMS, client=serve(state))
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_time_out_on_a_page_is_retried(serve, tmp_path):
    state = Replay(make_rows(6), cap=3)
    state.slow_pages = 1
    client = serve(state)
    client.timeout = 0.5
    cbs.fetch_table(TABLE, tmp_path / "kwb", [BIJSTAND], DIMS, client=client, page_size=3)
    skips = [(re.search(r"skip=(\d+)", p) or [None, "-"])[1] for p in client.requests if "TypedDataSet?" in p]
    assert skips == ["-", "-", "3"]  # the timed-out first page was asked again, then paging went on
    assert len(read_csv(tmp_path / "kwb" / f"{TABLE}_TypedDataSet.csv")) == 6


def test_snapshot_that_fails_validation_never_replaces_the_old_one(serve, tmp_path, monkeypatch):
    state = Replay(make_rows(5))
    cbs.fetch_table(TABLE, tmp_path / "kwb", [BIJSTAND], DIMS, client=serve(state))
    before = {p.name: p.read_bytes() for p in (tmp_path / "kwb").iterdir()}
    state.rows = make_rows(6)
    monkeypatch.setattr(cbs, "verify", lambda folder: [f"{folder.name}/x.csv: 1 rijen, herkomst.json zegt 2"])
    with pytest.raises(cbs.CbsError, match="de nieuwe snapshot klopt niet: .kwb.nieuw/x.csv"):
        cbs.fetch_table(TABLE, tmp_path / "kwb", [BIJSTAND], DIMS, client=serve(state))
    assert {p.name: p.read_bytes() for p in (tmp_path / "kwb").iterdir()} == before
    assert not list(tmp_path.glob(".kwb.*"))


# ---- behaviour of real CBS that the replay follows (sources in tests/cbs_replay.py) ----
def test_default_endpoints_page_more_than_10000_rows_through_the_feed(serve, tmp_path):
    state = Replay(make_rows(10_050))  # CBS's pages: 10 000 rows, then an absolute nextLink with $skip
    client = serve(state)
    assert client.feed == client.base.replace("/ODataApi/", "/ODataFeed/")  # derived from CBS_ODATA_URL's value
    first = client.json(client.url(TABLE, "TypedDataSet", feed=True, select="WijkenEnBuurten"))
    assert len(first["value"]) == 10_000 and first["odata.nextLink"].startswith(client.feed + f"/{TABLE}/TypedDataSet?")
    assert first["odata.nextLink"].endswith("$skip=10000")
    state.log = []
    out = cbs.fetch_table(TABLE, tmp_path / "kwb", [BIJSTAND], DIMS, client=client)
    assert len(read_csv(out / f"{TABLE}_TypedDataSet.csv")) == 10_050
    data = [p for p in state.log if "TypedDataSet" in p]
    assert data[0] == f"/ODataApi/odata/{TABLE}/TypedDataSet/$count"  # plain digits: no $format (CBS's stack answers 415)
    assert [p.startswith(f"/ODataFeed/odata/{TABLE}/TypedDataSet?$format=json") for p in data[1:]] == [True, True]
    assert "skip" not in data[1] and data[2].endswith("$skip=10000")
    with pytest.raises(cbs.CbsError, match=r"CBS weigerde het verzoek \(415"):
        client.get(client.url(TABLE, "TypedDataSet/$count"))


def test_keys_in_a_filter_are_padded_as_cbs_compares_them(serve, tmp_path):
    state = Replay(make_rows(5))
    client = serve(state)
    stripped = client.url(TABLE, "TypedDataSet/$count", fmt=False, filter="WijkenEnBuurten eq 'GM0363'")
    assert client.get(stripped) == b"0"  # the replay, like CBS, finds nothing for a stripped key
    out = cbs.fetch_table(TABLE, tmp_path / "kwb", [BIJSTAND], DIMS, flt="WijkenEnBuurten eq 'GM0363'", client=client)
    rows = read_csv(out / f"{TABLE}_TypedDataSet.csv")
    assert [(r["WijkenEnBuurten"], r["SoortRegio_2"]) for r in rows] == [("GM0363", "Gemeente")]  # stored stripped
    h = json.loads((out / "herkomst.json").read_text(encoding="utf-8"))
    assert h["filter"] == "WijkenEnBuurten eq 'GM0363    '" and h["telling"] == "$count"
    # a string topic (KWB's SoortRegio_2) is padded to the width of the values CBS returns
    out = cbs.fetch_table(TABLE, tmp_path / "g", [BIJSTAND], DIMS, flt="SoortRegio_2 eq 'Gemeente'", client=client)
    assert len(read_csv(out / f"{TABLE}_TypedDataSet.csv")) == 4


def test_count_refused_falls_back_to_the_catalogue_or_the_pages_and_says_so(serve, tmp_path):
    state = Replay(make_rows(7), cap=3)
    state.count_status = 500
    seen: list[cbs.Progress] = []
    client = serve(state)
    out = cbs.fetch_table(TABLE, tmp_path / "kwb", [BIJSTAND], DIMS, client=client, progress=seen.append, page_size=3)
    h = json.loads((out / "herkomst.json").read_text(encoding="utf-8"))
    assert h["telling"] == "RecordCount" and h["bestanden"][f"{TABLE}_TypedDataSet.csv"]["rijen"] == 7
    assert 'CBS gaf 3 keer een fout (laatste: 500)' in h["telling_reden"]
    assert 'CBS meldt: "The $count segment failed (replay)."' in h["telling_reden"]
    assert "(`RecordCount`); `$count` werkte niet: CBS gaf 3 keer" in (out / "PROVENANCE.md").read_text(encoding="utf-8")
    assert {p.counted for p in seen} == {"RecordCount"} and seen[-1].total == 7
    seen.clear()  # with a filter the catalogue's count does not apply: the pages are counted
    out = cbs.fetch_table(TABLE, tmp_path / "b", [BIJSTAND], DIMS, flt="SoortRegio_2 eq 'Buurt'", client=client,
                          progress=seen.append, page_size=3)
    assert len(read_csv(out / f"{TABLE}_TypedDataSet.csv")) == 2
    assert json.loads((out / "herkomst.json").read_text(encoding="utf-8"))["telling"] == "pagina's"
    assert [(p.rows, p.total, p.counted) for p in seen] == [(2, 2, "pagina's")]
    assert "niet vergeleken met een aantal van CBS" in (out / "PROVENANCE.md").read_text(encoding="utf-8")


def test_odataapi_refusals_show_cbs_own_text(serve, tmp_path, monkeypatch):
    state = Replay(make_rows(4_000))
    client = serve(state)
    with pytest.raises(cbs.CbsError) as exc:
        client.json(client.url(TABLE, "TypedDataSet", select="ID", skip="10"))
    assert str(exc.value).startswith("CBS weigerde het verzoek (500 ") and f'CBS meldt: "{SKIP_REFUSED}"' in str(exc.value)
    assert len(client.requests) == 1  # a refusal is not retried
    monkeypatch.setenv("CBS_ODATA_FEED_URL", client.base)  # data forced through the ODataApi: 4 000 rows x 3 > 10 000 cells
    forced = cbs.Client(base=client.base, retries=1, backoff=0, sleep=lambda s: None)
    with pytest.raises(cbs.CbsError, match=r'CBS gaf 2 keer een fout \(laatste: 500\) .*CBS meldt: "The request exceeds the '
                                           r'limit of 10000 cells'):
        cbs.fetch_table(TABLE, tmp_path / "kwb", [BIJSTAND], DIMS, client=forced)
    assert not (tmp_path / "kwb").exists()


def test_page_cut_mid_json_and_connection_reset_are_retried(serve, tmp_path):
    state = Replay(make_rows(7), cap=3)
    state.torn_pages = 2  # the first page is cut off mid-JSON twice
    client = serve(state)
    client.json(client.url(TABLE, "TableInfos"))  # connected: a reset now is a failure to retry, not "no connection"
    state.fail = [("reset",)]
    out = cbs.fetch_table(TABLE, tmp_path / "kwb", [BIJSTAND], DIMS, client=client, page_size=3)
    assert len(read_csv(out / f"{TABLE}_TypedDataSet.csv")) == 7
    data = [p for p in client.requests if "TypedDataSet?" in p]
    assert len(data) == 5 and data[0] == data[1] == data[2]  # the torn page asked three times, then two more pages
    assert client.requests[1] == client.requests[2] and client.requests[1].endswith("/TableInfos?$format=json")  # reset


def test_catalogue_lists_every_year_of_a_series_and_is_asked_with_substringof(serve):
    srv = Server(FakeCbs({}))
    try:
        srv.state.catalogue = kwb_catalogue() + [{"Identifier": "X1", "Title": "Toerisme; Kerncijfers wijken en buurten 2020"}]
        client = cbs.Client(base=srv.base, retries=0, sleep=lambda s: None)
        client.catalogue = srv.catalogue
        found = cbs.catalogue(client, "Kerncijfers wijken en buurten")
        assert len(found) == 20 and sum(t["Title"].endswith(" ") for t in found) == 10  # titles may end in a space
        assert "substringof('Kerncijfers%20wijken%20en%20buurten',Title)" in srv.state.log[-1]
    finally:
        srv.close()
