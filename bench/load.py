"""The load benchmark: the API under gunicorn on PostgreSQL.

Creates a throwaway PostgreSQL database (``kbinventory_bench``, dropped at the
end), fills it with bench.synthetic's inventory (10,000 activities with full
history), then serves it in production settings (DEBUG off, plain HTTP on
127.0.0.1 only) with Django's ``runserver`` as the baseline and with gunicorn
(2 and 4 sync workers, and 2 workers of 4 threads each). ``wrk`` (Debian
package) drives four endpoints on each server for a bounded time; the script
prints requests per second and p50/p99 latency, then each gunicorn's ratio to
runserver. ``--busy N`` keeps N CPU-bound processes running meanwhile, as on
a machine shared with other work.

Report requests go to the local Redis (database 14, flushed at the end) so the
POST measures accepting the request, not building the workbook.

    make bench-load
    .venv/bin/python -m bench.load --activities 1000 --seconds 3

Speed is only judged here, as a ratio to the baseline, never in the tests.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"  # the only target this script ever sends requests to
SERVER = "postgres://postgres@127.0.0.1:5432"
DATABASE = "kbinventory_bench"
BROKER = "redis://127.0.0.1:6379/14"
POST_TIA = """wrk.method = "POST"
wrk.body = '{"kind": "tia"}'
wrk.headers["Content-Type"] = "application/json"
"""


@dataclass
class Result:
    server: str
    endpoint: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def environment() -> dict[str, str]:
    """Production settings for plain HTTP on this machine only."""
    return {
        "DATABASE_URL": f"{SERVER}/{DATABASE}",
        "DEBUG": "False",
        "HTTPS": "False",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": HOST,
        "CELERY_BROKER_URL": BROKER,
        # The API's throttling would answer 429 beyond 20 requests a second
        # (30 report requests a minute): this measures serving, not refusing.
        "API_USER_RATE": "1000000/minute",
        "API_REPORT_RATE": "1000000/minute",
        "DJANGO_SETTINGS_MODULE": "kbinventory.settings",
    }


def admin_sql(statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(statement)


@contextmanager
def throwaway_database() -> Iterator[None]:
    admin_sql(f"DROP DATABASE IF EXISTS {DATABASE}")
    admin_sql(f"CREATE DATABASE {DATABASE}")
    try:
        yield
    finally:
        from django.db import connections

        connections.close_all()
        admin_sql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def set_up(activities: int) -> tuple[str, int]:
    """Migrate, write the inventory; a DPO's token and a mid-range activity id."""
    here = str(ROOT / "bench")
    sys.path[:] = [str(ROOT), *(p for p in sys.path if p != here)]
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.contrib.auth.models import Group, User
    from rest_framework.authtoken.models import Token

    from bench.pages import settle
    from bench.synthetic import Shape, populate
    from inventory.models import ProcessingActivity
    from inventory.roles import DPO

    started = time.perf_counter()
    populate(Shape(activities=activities))
    print(f"Inventory: {activities} activities written in", end=" ")
    print(f"{time.perf_counter() - started:.0f} s")
    settle()
    user = User.objects.create(username="bench-dpo", is_staff=True)
    user.groups.add(Group.objects.get(name=DPO))
    ids = list(ProcessingActivity.objects.order_by("pk").values_list("pk", flat=True))
    return Token.objects.create(user=user).key, ids[len(ids) // 2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


SERVERS = (
    "runserver",
    "gunicorn 2 workers",
    "gunicorn 4 workers",
    "gunicorn 2 workers x 4 threads",
)


def server_commands(ports: dict[str, int]) -> list[list[str]]:
    """runserver (the baseline), then gunicorn with 2 and 4 sync workers and
    with 2 workers of 4 threads each (gthread), on 127.0.0.1."""
    runserver, two, four, threads = (f"{HOST}:{port}" for port in ports.values())
    gunicorn = [str(BIN / "gunicorn"), "kbinventory.wsgi", "-b"]
    return [
        [str(BIN / "python"), "manage.py", "runserver", "--noreload", runserver],
        [*gunicorn, two, "-w", "2"],
        [*gunicorn, four, "-w", "4"],
        [*gunicorn, threads, "-w", "2", "--threads", "4"],
    ]


@contextmanager
def busy(processes: int) -> Iterator[None]:
    """``processes`` other programs spinning on the CPU while the servers are
    measured: a machine shared with other work."""
    spin = [sys.executable, "-c", "while True: pass"]
    procs = [subprocess.Popen(spin) for _ in range(processes)]
    try:
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def wait_until_up(url: str, token: str, proc: subprocess.Popen[bytes]) -> None:
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
    for _ in range(300):
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    raise SystemExit(f"server did not answer at {url}")


@contextmanager
def serving(argv: list[str], url: str, token: str) -> Iterator[None]:
    """The server as a child process, stopped by its own PID afterwards."""
    proc = subprocess.Popen(
        argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_until_up(url, token, proc)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def milliseconds(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(output: str) -> tuple[float, float, float, int, int]:
    """Requests/s, p50 and p99 (ms), requests and non-2xx/3xx or socket errors."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)  # type: ignore[union-attr]
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    socket_errors = re.search(r"Socket errors: (.*)", output)
    if socket_errors:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
    return rps, milliseconds(p50), milliseconds(p99), total, errors


def drive(url: str, token: str, args: argparse.Namespace, script: str = "") -> str:
    argv = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{max(1, args.seconds // 2)}s",
        "--latency",
        "--timeout",
        "30s",
        "-H",
        f"Authorization: Token {token}",
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        if script:
            lua.write(script)
            lua.flush()
            argv += ["-s", lua.name]
        done = subprocess.run(
            [*argv, url], capture_output=True, text=True, timeout=args.seconds + 60
        )
    if done.returncode != 0:
        raise SystemExit(f"wrk failed: {done.stderr.strip()}")
    return done.stdout


def endpoints(base: str, activity: int) -> list[tuple[str, str, str]]:
    api = f"{base}/api/v1"
    return [
        ("activities list (page of 50)", f"{api}/activities/", ""),
        ("one activity", f"{api}/activities/{activity}/", ""),
        ("history page", f"{api}/activities/{activity}/history/", ""),
        ("report request (POST tia)", f"{api}/reports/", POST_TIA),
    ]


def measure(token: str, activity: int, args: argparse.Namespace) -> list[Result]:
    """Both servers up at once, measured one after the other on each endpoint,
    in alternating order, half the time each: a change in the load of the
    (shared) machine then falls on both alike (halves joined by combine)."""
    ports = {name: free_port() for name in SERVERS}
    with ExitStack() as stack:
        for port, argv in zip(ports.values(), server_commands(ports), strict=True):
            url = f"http://{HOST}:{port}/api/v1/activities/"
            stack.enter_context(serving(argv, url, token))
        results = []
        for index in range(len(endpoints("", activity))):
            halves: dict[str, list[Result]] = {server: [] for server in ports}
            for order in (list(ports), list(ports)[::-1]):
                for server in order:
                    base = f"http://{HOST}:{ports[server]}"
                    name, url, script = endpoints(base, activity)[index]
                    output = drive(url, token, args, script)
                    halves[server].append(Result(server, name, *parse_wrk(output)))
            for server, pair in halves.items():
                results.append(combine(pair))
                print(f"  {server}: {pair[0].endpoint}: {results[-1].rps:.0f} req/s")
    return sorted(results, key=lambda r: list(ports).index(r.server))


def combine(pair: list[Result]) -> Result:
    """Two half-time runs as one: mean req/s, mean of the two p50s, the
    higher p99 (conservative), all requests and errors."""
    return Result(
        pair[0].server,
        pair[0].endpoint,
        sum(r.rps for r in pair) / len(pair),
        sum(r.p50_ms for r in pair) / len(pair),
        max(r.p99_ms for r in pair),
        sum(r.requests for r in pair),
        sum(r.errors for r in pair),
    )


def print_tables(results: list[Result]) -> None:
    print("| server | endpoint | req/s | p50 ms | p99 ms | requests | errors |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r.server} | {r.endpoint} | {r.rps:.0f} | {r.p50_ms:.1f} "
            f"| {r.p99_ms:.1f} | {r.requests} | {r.errors} |"
        )
    print()
    print("| server | endpoint | req/s / runserver | p99 runserver / p99 |")
    print("|---|---|---|---|")
    baseline = {r.endpoint: r for r in results if r.server == SERVERS[0]}
    for r in results:
        if r.server != SERVERS[0]:
            base = baseline[r.endpoint]
            print(
                f"| {r.server} | {r.endpoint} | {r.rps / base.rps:.2f} "
                f"| {base.p99_ms / r.p99_ms:.2f} |"
            )


def flush_broker() -> None:
    """Drop the report tasks the benchmark queued (its own Redis database)."""
    import redis

    redis.Redis.from_url(BROKER).flushdb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--activities", type=int, default=10_000)
    parser.add_argument(
        "--seconds", type=int, default=10, help="per endpoint and server"
    )
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument(
        "--busy", type=int, default=0, help="CPU-bound processes running alongside"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    os.environ.update(environment())
    with throwaway_database():
        try:
            token, activity = set_up(args.activities)
            print(f"wrk: {args.connections} connections, {args.seconds} s each")
            print(
                f"load average before: {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs"
            )
            with busy(args.busy):
                print(f"{args.busy} CPU-bound processes alongside")
                results = measure(token, activity, args)
            print(f"load average after: {os.getloadavg()[0]:.1f}")
            print_tables(results)
        finally:
            flush_broker()


if __name__ == "__main__":
    main()
