"""A small client for Statistics Finland's PxWeb API (v1), using only the standard library.

What it does: list a database folder, read a table's metadata (GET), POST a query and parse the
JSON-stat 2.0 answer into tidy rows, splitting a query that would exceed the server's cell limit
into several. It is polite: at most ``max_calls`` requests per ``period`` seconds (Statistics
Finland documents 10 queries per 10 seconds; the live ``?config`` said 40 per 60 s in 2026), a
timeout on every request, and retries with exponential backoff on HTTP 429 and 5xx. When the
machine has no network it raises :class:`NetworkUnavailable` with a message a person can act on.

URLs: ``{base_url}/{language}/{database}/{path}``, e.g.
``https://pxdata.stat.fi/PxWeb/api/v1/fi/StatFin/tyonv/12r5.px``. Since 8.6.2026 the table files
have short names (``12r5.px``, formerly ``statfin_tyonv_pxt_12r5.px``) and queries use variable
*codes*; :mod:`luotsi.integrations.statfin.catalogue` finds tables and variables from metadata.
"""

from __future__ import annotations

import http.client
import json
import math
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from luotsi.integrations.statfin.jsonstat import Dataset, parse_response

DEFAULT_BASE_URL = "https://pxdata.stat.fi/PxWeb/api/v1"
LANGUAGES = ("fi", "sv", "en")
#: Statistics Finland's documented cell limit per query (the live config allowed 120,000 in 2026).
DEFAULT_MAX_CELLS = 100_000
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class StatFinError(Exception):
    """Any failure talking to the PxWeb API; the message says what happened and what to do."""


class NetworkUnavailable(StatFinError):
    """The API cannot be reached at all (no network, DNS failure, connection refused)."""


class StatFinTimeout(StatFinError):
    """The server did not answer within the timeout, even after the retries."""


class HTTPStatusError(StatFinError):
    """The server answered with an error status (after retries for 429 and 5xx)."""

    def __init__(self, status: int, url: str, message: str):
        self.status = status
        self.url = url
        super().__init__(message)


class NotFound(HTTPStatusError):
    """HTTP 404: the database, folder or table does not exist (or a query selects nothing)."""


class BadResponse(StatFinError):
    """The server answered 200 with something that is not the expected JSON."""


@dataclass(frozen=True, slots=True)
class FolderEntry:
    """One item of a database folder listing: ``type`` is ``'l'`` (folder) or ``'t'`` (table)."""

    id: str
    type: str
    text: str
    updated: str = ""

    @property
    def is_table(self) -> bool:
        return self.type == "t"


@dataclass(frozen=True, slots=True)
class Variable:
    """One variable of a table: its code (used in queries), text, value codes and value texts."""

    code: str
    text: str
    values: tuple[str, ...]
    value_texts: tuple[str, ...]
    time: bool = False
    elimination: bool = False

    def text_of(self, value: str) -> str:
        try:
            return self.value_texts[self.values.index(value)]
        except (ValueError, IndexError):
            return value


@dataclass(frozen=True, slots=True)
class TableMetadata:
    title: str
    variables: tuple[Variable, ...]

    def variable(self, code: str) -> Variable:
        for v in self.variables:
            if v.code == code:
                return v
        raise KeyError(
            f"the table has no variable {code!r}; it has {[v.code for v in self.variables]}"
        )


class RateLimiter:
    """At most ``max_calls`` calls in any window of ``period`` seconds (sliding window)."""

    def __init__(
        self,
        max_calls: int,
        period: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if max_calls < 1 or period <= 0:
            raise ValueError("a rate limit needs max_calls >= 1 and period > 0")
        self.max_calls, self.period = max_calls, period
        self._clock, self._sleep = clock, sleep
        self._calls: deque[float] = deque()

    def wait(self) -> float:
        """Block until a call is allowed, record it, and return the seconds waited."""
        waited = 0.0
        now = self._clock()
        while self._calls and now - self._calls[0] >= self.period:
            self._calls.popleft()
        if len(self._calls) >= self.max_calls:
            waited = self.period - (now - self._calls[0])
            if waited > 0:
                self._sleep(waited)
            now = self._clock()
            self._calls.popleft()
        self._calls.append(now)
        return max(waited, 0.0)


def plan_chunks(
    selections: Mapping[str, Sequence[str]], max_cells: int, *, keep_whole: Sequence[str] = ()
) -> list[dict[str, list[str]]]:
    """Split item selections so that each chunk has at most ``max_cells`` cells.

    The largest variable not in ``keep_whole`` is cut into runs of consecutive values; when one
    value of it still makes too many cells, the next largest is cut too. The chunks together
    select exactly the original cells, each once.
    """
    if max_cells < 1:
        raise ValueError("max_cells must be at least 1")
    sel = {k: list(v) for k, v in selections.items()}
    cells = math.prod(len(v) for v in sel.values()) if sel else 0
    if cells <= max_cells:
        return [sel]
    candidates = [k for k in sel if k not in keep_whole and len(sel[k]) > 1]
    if not candidates:
        raise StatFinError(
            f"the query selects {cells} cells, more than the limit of {max_cells}, and cannot be "
            "split further; select fewer values"
        )
    biggest = max(candidates, key=lambda k: len(sel[k]))
    rest = cells // len(sel[biggest])
    step = max(1, max_cells // rest)
    out: list[dict[str, list[str]]] = []
    for start in range(0, len(sel[biggest]), step):
        part = dict(sel, **{biggest: sel[biggest][start : start + step]})
        out.extend(plan_chunks(part, max_cells, keep_whole=keep_whole))
    return out


def query_body(selections: Mapping[str, Sequence[str]], fmt: str = "json-stat2") -> dict:
    """The POST body for item selections (``{"query": [...], "response": {"format": fmt}}``)."""
    return {
        "query": [
            {"code": code, "selection": {"filter": "item", "values": list(values)}}
            for code, values in selections.items()
        ],
        "response": {"format": fmt},
    }


class PxWebClient:
    """Client of one PxWeb API (base URL) in one language (``fi``, ``sv`` or ``en``)."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        language: str = "fi",
        *,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 1.0,
        max_backoff: float = 30.0,
        max_calls: int = 10,
        period: float = 10.0,
        max_cells: int = DEFAULT_MAX_CELLS,
        user_agent: str = "Luotsi (+https://github.com/luotsi) urllib",
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must be an http(s) URL, got {base_url!r}")
        if retries < 0 or timeout <= 0:
            raise ValueError("retries must be >= 0 and timeout > 0")
        self.base_url = base_url.rstrip("/")
        self.language = language
        self.timeout, self.retries = timeout, retries
        self.backoff, self.max_backoff = backoff, max_backoff
        self.max_cells = max_cells
        self.user_agent = user_agent
        self._sleep = sleep
        self.limiter = RateLimiter(max_calls, period, clock=clock, sleep=sleep)
        self.requests_made = 0

    # --- URLs and transport ------------------------------------------------------------------

    def url(self, path: str = "") -> str:
        """Absolute URL of ``path`` (``"StatFin/tyonv/12r5.px"``) in this client's language."""
        quoted = urllib.parse.quote(path.strip("/"), safe="/?=&*")
        return f"{self.base_url}/{self.language}/{quoted}".rstrip("/")

    def with_language(self, language: str) -> PxWebClient:
        """A client for the same API in another language (sharing the rate limiter)."""
        other = object.__new__(PxWebClient)
        other.__dict__.update(self.__dict__)
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
        other.language = language
        return other

    def request_json(self, path: str, body: Mapping[str, Any] | None = None) -> Any:
        """GET (``body`` None) or POST ``body`` as JSON to ``path``; return the decoded JSON."""
        url = self.url(path)
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"Accept": "application/json", "User-Agent": self.user_agent}
        if data is not None:
            headers["Content-Type"] = "application/json"
        attempt = 0
        while True:
            self.limiter.wait()
            self.requests_made += 1
            request = urllib.request.Request(url, data=data, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    raw = response.read()
                break
            except urllib.error.HTTPError as exc:
                status = exc.code
                detail = _error_body(exc)
                if status in RETRY_STATUSES and attempt < self.retries:
                    self._sleep(self._delay(attempt, exc.headers.get("Retry-After")))
                    attempt += 1
                    continue
                raise _status_error(status, url, detail, attempt) from None
            except TimeoutError as exc:
                if attempt < self.retries:
                    self._sleep(self._delay(attempt, None))
                    attempt += 1
                    continue
                raise StatFinTimeout(
                    f"Statistics Finland's API did not answer within {self.timeout:g} s "
                    f"({attempt + 1} attempts): {url}"
                ) from exc
            except urllib.error.URLError as exc:
                if isinstance(exc.reason, TimeoutError) and attempt < self.retries:
                    self._sleep(self._delay(attempt, None))
                    attempt += 1
                    continue
                if isinstance(exc.reason, TimeoutError):
                    raise StatFinTimeout(
                        f"Statistics Finland's API did not answer within {self.timeout:g} s: {url}"
                    ) from exc
                raise NetworkUnavailable(_offline_message(self.base_url, exc.reason)) from exc
            except (ConnectionError, http.client.HTTPException) as exc:
                # Connected, then the server dropped the connection: a server-side failure.
                if attempt < self.retries:
                    self._sleep(self._delay(attempt, None))
                    attempt += 1
                    continue
                raise StatFinError(
                    f"Statistics Finland's server closed the connection ({exc!r}) after "
                    f"{attempt} retries: {url}"
                ) from exc
        try:
            return json.loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BadResponse(f"{url} did not return JSON: {raw[:120]!r}") from exc

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        if retry_after:
            try:
                return min(float(retry_after), self.max_backoff)
            except ValueError:
                pass
        return min(self.backoff * (2**attempt), self.max_backoff)

    # --- API -----------------------------------------------------------------------------------

    def config(self) -> dict[str, Any]:
        """The server's published limits (``maxValues``, ``maxCells``, ``maxCalls``, ``timeWindow``)."""
        result = self.request_json("?config")
        if not isinstance(result, dict):
            raise BadResponse("the ?config answer is not a JSON object")
        return result

    def list_folder(self, path: str = "") -> tuple[FolderEntry, ...]:
        """The databases (``path=""``), or the folders and tables under ``path``."""
        result = self.request_json(path)
        if not isinstance(result, list):
            raise BadResponse(f"{self.url(path)} is not a folder (expected a JSON list)")
        out = []
        for item in result:
            ident = item.get("id") or item.get("dbid")
            if not ident:
                raise BadResponse(f"{self.url(path)}: a listing entry has no id: {item!r}")
            out.append(
                FolderEntry(
                    str(ident),
                    str(item.get("type", "l")),
                    str(item.get("text", ident)),
                    str(item.get("updated", "")),
                )
            )
        return tuple(out)

    def table_metadata(self, path: str) -> TableMetadata:
        """A table's variables, their value codes and texts (GET on the table's URL)."""
        result = self.request_json(path)
        if not isinstance(result, dict) or not isinstance(result.get("variables"), list):
            raise BadResponse(f"{self.url(path)} is not a table (no 'variables' in the answer)")
        variables = []
        for v in result["variables"]:
            values = tuple(str(x) for x in v.get("values") or [])
            texts = tuple(str(x) for x in v.get("valueTexts") or values)
            if len(texts) != len(values):
                raise BadResponse(f"variable {v.get('code')!r}: values and valueTexts differ")
            variables.append(
                Variable(
                    str(v["code"]),
                    str(v.get("text", v["code"])),
                    values,
                    texts,
                    bool(v.get("time", False)),
                    bool(v.get("elimination", False)),
                )
            )
        return TableMetadata(str(result.get("title", "")), tuple(variables))

    def post_query(self, path: str, selections: Mapping[str, Sequence[str]]) -> Dataset:
        """One POST of item selections, answered in JSON-stat 2.0 and parsed."""
        cells = math.prod(len(v) for v in selections.values()) if selections else 0
        if cells > self.max_cells:
            raise StatFinError(
                f"the query selects {cells} cells, over the limit of {self.max_cells}; "
                "use query_records, which splits it"
            )
        return parse_response(self.request_json(path, query_body(selections)))

    def query_records(
        self,
        path: str,
        selections: Mapping[str, Sequence[str]],
        *,
        keep_whole: Sequence[str] = (),
    ) -> list[dict[str, Any]]:
        """Tidy rows (one per cell) for the selections, in as many queries as the limit needs."""
        rows: list[dict[str, Any]] = []
        for chunk in plan_chunks(selections, self.max_cells, keep_whole=keep_whole):
            rows.extend(self.post_query(path, chunk).records())
        return rows


def _error_body(exc: urllib.error.HTTPError) -> str:
    try:
        return exc.read(300).decode("utf-8", "replace").strip()
    except Exception:
        return ""


def _status_error(status: int, url: str, detail: str, retries: int) -> HTTPStatusError:
    tail = f": {detail}" if detail else ""
    if status == 404:
        return NotFound(
            status,
            url,
            f"not found (HTTP 404): {url}{tail}. Table and variable codes changed on 8.6.2026; "
            "find the table from the folder listing (catalogue.find_table) instead of an old name",
        )
    if status == 429:
        return HTTPStatusError(
            status,
            url,
            f"Statistics Finland's rate limit was hit (HTTP 429) and {retries} retries did not "
            f"help: {url}. Wait a minute and try again",
        )
    if status >= 500:
        return HTTPStatusError(
            status,
            url,
            f"Statistics Finland's server failed (HTTP {status}) after {retries} retries: {url}{tail}",
        )
    return HTTPStatusError(status, url, f"the request was refused (HTTP {status}): {url}{tail}")


def _offline_message(base_url: str, reason: object) -> str:
    return (
        f"Cannot reach Statistics Finland's PxWeb API at {base_url} ({reason}). This machine "
        "seems to have no network connection. Nothing was changed. Try again when online, or "
        "import the shipped month file instead: python -m luotsi.integrations.statfin import "
        "--csv luotsi/data/statfin_tyonv_12r5_2026M06.csv --store PATH"
    )
