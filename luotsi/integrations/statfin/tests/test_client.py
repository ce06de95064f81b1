"""The PxWeb client against a local fake server serving the recorded responses."""

from __future__ import annotations

import socket

import pytest

from luotsi.integrations.statfin.client import (
    HTTPStatusError,
    NetworkUnavailable,
    NotFound,
    PxWebClient,
    RateLimiter,
    StatFinError,
    StatFinTimeout,
    plan_chunks,
    query_body,
)


def test_lists_databases_and_folders(client, fake):
    dbs = client.list_folder()
    assert "StatFin" in [d.id for d in dbs]
    tables = client.list_folder("StatFin/tyonv")
    assert [t.id for t in tables if t.is_table] == ["12r5.px", "12ti.px"]
    assert fake.log[-1][1] == "/PxWeb/api/v1/fi/StatFin/tyonv"


def test_reads_metadata_with_value_texts(client):
    meta = client.table_metadata("StatFin/tyonv/12r5.px")
    area = meta.variable("Alue")
    assert area.text_of("KU091") == "Helsinki"
    assert area.text_of("SSS") == "KOKO MAA"
    assert meta.variable("timeperiod_m").time
    assert len(meta.variable("contentscode").values) == 23
    with pytest.raises(KeyError, match="no variable 'Kunta'"):
        meta.variable("Kunta")


def test_language_goes_into_the_url(client, fake):
    client.with_language("sv").list_folder("StatFin/tyonv")
    client.with_language("en").table_metadata("StatFin/tyonv/12r5.px")
    assert [p for _, p, _ in fake.log] == [
        "/PxWeb/api/v1/sv/StatFin/tyonv",
        "/PxWeb/api/v1/en/StatFin/tyonv/12r5.px",
    ]
    with pytest.raises(ValueError, match="language"):
        PxWebClient(fake.base_url, "de")


def test_post_query_sends_item_selections_and_parses(client, fake):
    ds = client.post_query(
        "StatFin/tyonv/12r5.px",
        {
            "Alue": ["KU091", "SSS"],
            "timeperiod_m": ["2026M06"],
            "contentscode": ["TYOTTOMATLOPUSSA"],
        },
    )
    assert fake.posts()[-1] == query_body(
        {
            "Alue": ["KU091", "SSS"],
            "timeperiod_m": ["2026M06"],
            "contentscode": ["TYOTTOMATLOPUSSA"],
        }
    )
    assert fake.posts()[-1]["response"] == {"format": "json-stat2"}
    got = {r["Alue"]: r["value"] for r in ds.records()}
    assert got == {"SSS": 352001.0, "KU091": 52578.0}  # README national figure; Helsinki from CSV


def test_big_queries_are_split_under_the_cell_limit(fake, sleeps):
    client = PxWebClient(fake.base_url, max_cells=1000, sleep=sleeps.append, max_calls=1000)
    meta = client.table_metadata("StatFin/tyonv/12r5.px")
    areas = list(meta.variable("Alue").values)
    sel = {
        "Alue": areas,
        "timeperiod_m": ["2026M06"],
        "contentscode": list(meta.variable("contentscode").values),
    }
    rows = client.query_records("StatFin/tyonv/12r5.px", sel, keep_whole=["contentscode"])
    assert len(rows) == 421 * 23
    assert len({(r["Alue"], r["contentscode"]) for r in rows}) == 421 * 23
    posts = fake.posts()
    assert len(posts) == 10  # 9,683 cells in chunks of 43 areas x 23 measures = 989 cells
    for body in posts:
        counts = [len(q["selection"]["values"]) for q in body["query"]]
        assert counts[0] * counts[1] * counts[2] <= 1000
        assert counts[2] == 23


def test_plan_chunks_covers_each_cell_once():
    sel = {"a": [str(i) for i in range(7)], "b": ["x", "y", "z"], "c": ["1", "2"]}
    chunks = plan_chunks(sel, 5)
    cells = [(a, b, c) for ch in chunks for a in ch["a"] for b in ch["b"] for c in ch["c"]]
    assert sorted(cells) == sorted((a, b, c) for a in sel["a"] for b in sel["b"] for c in sel["c"])
    assert all(len(ch["a"]) * len(ch["b"]) * len(ch["c"]) <= 5 for ch in chunks)
    with pytest.raises(StatFinError, match="cannot be split"):
        plan_chunks({"a": ["1", "2"], "b": ["1", "2", "3"]}, 2, keep_whole=["a", "b"])


def test_retries_429_with_exponential_backoff(client, fake, sleeps):
    fake.fail_next = [429, 503]
    assert client.list_folder("StatFin/tyonv")
    assert sleeps == [0.5, 1.0]
    assert len(fake.log) == 3


def test_retry_after_header_is_respected(client, fake, sleeps):
    fake.fail_next = [429]
    fake.retry_after = "7"
    client.list_folder("StatFin/tyonv")
    assert sleeps == [7.0]


def test_gives_up_after_the_retries(client, fake, sleeps):
    fake.fail_next = [429] * 4
    with pytest.raises(HTTPStatusError, match="rate limit") as info:
        client.list_folder("StatFin/tyonv")
    assert info.value.status == 429
    assert len(fake.log) == 4 and sleeps == [0.5, 1.0, 2.0]


def test_404_is_not_retried_and_mentions_the_rename(client, fake, sleeps):
    with pytest.raises(NotFound, match=r"8\.6\.2026") as info:
        client.table_metadata("StatFin/tyonv/statfin_tyonv_pxt_12r5.px")
    assert info.value.status == 404
    assert len(fake.log) == 1 and sleeps == []


def test_timeout_is_retried_then_reported(fake, sleeps):
    fake.slow_seconds = 0.6
    client = PxWebClient(fake.base_url, timeout=0.2, retries=1, backoff=0.01, sleep=sleeps.append)
    with pytest.raises(StatFinTimeout, match=r"did not answer within 0\.2 s"):
        client.list_folder("StatFin/slow")
    assert sleeps == [0.01]


def test_dropped_connection_is_retried_and_not_called_offline(client, fake, sleeps):
    fake.drop_next = 1
    assert client.list_folder("StatFin/tyonv")
    assert sleeps == [0.5]
    fake.drop_next = 4
    with pytest.raises(StatFinError, match="closed the connection") as info:
        client.list_folder("StatFin/tyonv")
    assert not isinstance(info.value, NetworkUnavailable)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_no_network_gives_a_human_message():
    client = PxWebClient(
        f"http://127.0.0.1:{_closed_port()}/PxWeb/api/v1", retries=3, sleep=lambda s: None
    )
    with pytest.raises(NetworkUnavailable) as info:
        client.list_folder("StatFin")
    message = str(info.value)
    assert "no network connection" in message and "--csv" in message
    assert client.requests_made == 1  # an unreachable host is not hammered


def test_rate_limiter_spaces_calls():
    now = [0.0]
    slept = []

    def sleep(s):
        slept.append(s)
        now[0] += s

    limiter = RateLimiter(10, 10.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(10):
        assert limiter.wait() == 0.0
        now[0] += 0.1
    assert limiter.wait() == pytest.approx(9.0)  # the 11th call waits until the 1st leaves
    assert slept == [pytest.approx(9.0)]
    now[0] += 20
    assert limiter.wait() == 0.0


def test_client_applies_the_rate_limit(fake):
    now = [0.0]
    slept = []
    client = PxWebClient(
        fake.base_url, max_calls=2, period=10.0, clock=lambda: now[0], sleep=slept.append
    )
    for _ in range(3):
        client.list_folder("StatFin/tyonv")
    assert slept == [10.0]


def test_server_config_is_readable(client):
    assert client.config()["maxCells"] == 120000
