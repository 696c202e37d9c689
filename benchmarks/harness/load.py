"""A bounded load generator: N threads, each with its own keep-alive http.client connection and logged-in session,
sending a fixed number of requests (or for a fixed number of seconds) taken round-robin from a case's list, or from
the list of the account the thread is logged in as (writes only that account may make: W8)."""
import http.client
import itertools
import re
import statistics
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Request:
    method: str
    path: str
    form: dict | None = None  # POSTed with the client's CSRF token added


class Client:
    """One keep-alive connection with its own cookies (one browser)."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.cookies: dict[str, str] = {}
        self.csrf_token = ""
        self.login = ""
        self._conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        """(status, headers, body); reconnects once if the server closed the kept-alive connection."""
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        for attempt in range(2):
            if self._conn is None:
                self._conn = http.client.HTTPConnection(self.host, self.port, timeout=300)
            try:
                self._conn.request(method, path, body=body, headers=headers)
                response = self._conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self._conn.close()
                self._conn = None
                if attempt:
                    raise
        for value in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if response.headers.get("Connection", "").lower() == "close":
            self._conn.close()
            self._conn = None
        return response.status, response.headers, data

    def send(self, spec: Request, headers: dict | None = None):
        body = None
        if spec.form is not None:
            body = urlencode({**spec.form, "csrf_token": self.csrf_token}, doseq=True).encode()  # lists: many values
        return self.request(spec.method, spec.path, body, headers)

    def log_in(self, login: str, password: str) -> "Client":
        status, _headers, page = self.request("GET", "/accounts/login")
        found = CSRF.search(page.decode())
        if status != 200 or not found:
            raise RuntimeError(f"no login form at /accounts/login (status {status})")
        body = urlencode({"login": login, "password": password, "csrf_token": found.group(1)}).encode()
        status, _headers, page = self.request("POST", "/accounts/login", body)
        if status != 302:
            raise RuntimeError(f"could not log in as {login} (status {status}): check the password")
        _status, _headers, page = self.request("GET", "/proposals/")  # every page has a form (logout): the token
        found = CSRF.search(page.decode())
        self.csrf_token = found.group(1) if found else ""
        self.login = login
        return self

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()


@dataclass
class Sample:
    seconds: float
    status: int
    sql: int | None
    size: int
    request_id: str


@dataclass
class Outcome:
    samples: list[Sample] = field(default_factory=list)
    wall: float = 0.0
    failures: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        times = sorted(s.seconds for s in self.samples)
        sql = [s.sql for s in self.samples if s.sql is not None]
        errors = [s for s in self.samples if s.status >= 400] + [None] * len(self.failures)
        return {"requests": len(self.samples), "p50_ms": round(percentile(times, 50) * 1000, 2),
                "p95_ms": round(percentile(times, 95) * 1000, 2), "p99_ms": round(percentile(times, 99) * 1000, 2),
                "rps": round(len(self.samples) / self.wall, 1) if self.wall else 0.0,
                "sql_per_request": round(statistics.mean(sql), 2) if sql else None,
                "bytes_per_response": round(statistics.mean(s.size for s in self.samples)) if self.samples else 0,
                "errors": len(errors)}


def percentile(ordered: list[float], pct: float) -> float:
    """Nearest-rank percentile of a sorted list (0 when empty)."""
    if not ordered:
        return 0.0
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def run(clients: list[Client], specs: list[Request] | dict[str, list[Request]], *, requests: int | None = None,
        seconds: float | None = None, tag: str = "r", log_first: int = 0) -> Outcome:
    """Send `requests` requests (or for `seconds`) from len(clients) threads; the first `log_first` carry
    X-SQL-Log: 1 so the server logs their SQL (core/sql_trace.py) under the request id `<tag>-<n>`.

    `specs` by login: each thread sends the requests of the account it is logged in as, in order (threads of one
    account share its list, so no request of it is sent twice while the list lasts)."""
    outcome, lock = Outcome(), threading.Lock()
    counter = itertools.count()
    per_login = {login: itertools.count() for login in specs} if isinstance(specs, dict) else None
    deadline = time.perf_counter() + seconds if seconds else None

    def worker(client: Client) -> None:
        while True:
            n = next(counter)
            if (requests is not None and n >= requests) or (deadline and time.perf_counter() >= deadline):
                return
            if per_login is None:
                spec = specs[n % len(specs)]
            else:
                own = specs[client.login]
                spec = own[next(per_login[client.login]) % len(own)]
            request_id = f"{tag}-{n}"
            headers = {"X-Request-ID": request_id}
            if n < log_first:
                headers["X-SQL-Log"] = "1"
            started = time.perf_counter()
            try:
                status, response_headers, data = client.send(spec, headers)
            except Exception as error:  # noqa: BLE001 - a failed request is counted, the run goes on
                with lock:
                    outcome.failures.append(f"{spec.method} {spec.path}: {error!r}")
                continue
            elapsed = time.perf_counter() - started
            count = response_headers.get("X-SQL-Count")
            with lock:
                outcome.samples.append(Sample(elapsed, status, int(count) if count else None, len(data), request_id))

    threads = [threading.Thread(target=worker, args=(client,), daemon=True) for client in clients]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcome.wall = time.perf_counter() - started
    return outcome
