"""Realtime benchmark: Talkmall's websocket chat against a bare `websockets` reference server.

    .venv/bin/python bench/realtime.py                                   # SQLite, 1 process
    .venv/bin/python bench/realtime.py --database mysql://root@127.0.0.1:3306/tm_rtbench \\
        --redis redis://127.0.0.1:6379/0 --procs 1,2                      # MariaDB + Redis

It migrates the scratch database, creates ``--users`` real users (members of a new open store
channel) and their signed-in session cookies, starts ``--procs`` daphne processes serving the
real consumers (``make serve-prod`` does the same in production; ``--server uvicorn``:
uvicorn processes), and for each process count
runs ``compare.py`` from the shared wsbench folder: the reference server and Talkmall, one
after the other, pinned, with the ratios Talkmall/reference. Then it opens ``--idle`` idle
sockets on Talkmall and on the reference and prints the memory (RSS) per socket, and with more
than one process count, the deliveries/s of N processes against one. ``--profiles ''`` skips
``compare.py``: only the idle memory figures (``--profiles '' --idle 1000``).

Figures are printed (and written to ``--json-out``); nothing is asserted. The send rate limit is
lifted in the benchmark's servers (``TALKMALL_CHAT_RATE_LIMIT=0``): one user sends thousands
of messages. Never point ``--database`` at a database you care about.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
WSBENCH = Path(os.environ.get("WSBENCH", ROOT.parent.parent / "shared" / "wsbench"))
if not WSBENCH.exists():
    WSBENCH = Path("/work/shared/wsbench")
SECRET = "realtime-bench-secret-key-not-for-production-" + "x" * 20


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--database",
        default="sqlite:////tmp/talkmall-rtbench.sqlite3",
        help="scratch DATABASE_URL (default: a SQLite file in /tmp)",
    )
    p.add_argument("--redis", default="", help="REDIS_URL; none: in-memory layer (1 process)")
    p.add_argument(
        "--server",
        choices=["daphne", "uvicorn"],
        default="daphne",
        help="ASGI server (uvicorn: httptools + uvloop + websockets, requirements-dev.txt)",
    )
    p.add_argument("--procs", default="1", help="process counts to run, e.g. 1,2")
    p.add_argument(
        "--profiles",
        default="echo,fanout100,fanout1000,persist",
        help="compare.py profiles ('' = skip compare.py: only the idle memory figures)",
    )
    p.add_argument("--repeat", type=int, default=1, help="compare.py --repeat (medians)")
    p.add_argument("--scale", type=float, default=1.0, help="compare.py --scale")
    p.add_argument(
        "--ref-persist",
        choices=["none", "sqlite", "sqlite-inline"],
        help="compare.py --ref-persist (default: only the persist profile persists)",
    )
    p.add_argument(
        "--channels",
        type=int,
        default=1,
        help="talks the clients are spread over (each on every process); compare.py's "
        "profiles use one (1), several let a process count show scaling (--channels 4)",
    )
    p.add_argument("--users", type=int, default=100, help="signed-in users (cookies round-robin)")
    p.add_argument("--idle", type=int, default=1000, help="idle sockets for memory (0 = skip)")
    p.add_argument("--no-pin", action="store_true", help="do not pin client and servers to CPUs")
    p.add_argument("--port", type=int, default=0, help="first server port (default: free ports)")
    p.add_argument("--wsbench", default=str(WSBENCH), help="folder of compare.py")
    p.add_argument("--json-out", help="write every raw figure here")
    return p.parse_args()  # fmt: skip


def setup_django(args) -> None:
    os.environ["DATABASE_URL"] = args.database
    os.environ["SECRET_KEY"] = SECRET
    os.environ["DEBUG"] = "0"
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ.pop("REDIS_URL", None)  # the bench process itself publishes nothing
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "mysql":  # a scratch database of its own, made when missing
        name = connection.settings_dict["NAME"]
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4")
    print("migrating the scratch database…", file=sys.stderr, flush=True)
    call_command("migrate", verbosity=0, interactive=False)


def make_talks(users: int, channels: int) -> tuple[list[int], list[str]]:
    """``channels`` new open store channels (one store each) with the same ``users`` active
    members; their session cookies."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from chat.models import Membership
    from chat.services.channels import channel_ensure_for_store
    from shop.models import Store, StoreStaff, Visibility

    User = get_user_model()
    stamp = f"{int(time.time())}"
    owner = User.objects.create_user(username=f"rtowner{stamp}", password=None)
    talks = []
    for c in range(channels):
        store = Store.objects.create(
            owner=owner, name=f"벤치 {stamp} {c + 1}", slug=f"rtbench-{stamp}-{c + 1}",
            visibility=Visibility.OPEN,
        )  # fmt: skip
        StoreStaff.objects.create(store=store, user=owner, role=StoreStaff.Role.OWNER)
        talks.append(channel_ensure_for_store(store=store))
    cookies = []
    for n in range(users):
        user = User.objects.create_user(username=f"rt{stamp}u{n}", password=None)
        Membership.objects.bulk_create(
            [Membership(channel=talk, user=user, state=Membership.State.ACTIVE) for talk in talks]
        )
        client = Client()
        client.force_login(user)
        cookies.append(
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
    return [talk.pk for talk in talks], cookies


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def talk_urls(servers, channel_ids: list[int]) -> list[str]:
    """compare.py hands these out round-robin (senders first, then listeners): channel by
    channel, each channel's sockets spread over every process, as a proxy would spread them."""
    return [
        f"ws://127.0.0.1:{port}/ws/channels/{channel_id}/"
        for channel_id in channel_ids
        for _proc, port in servers
    ]


def start_servers(args, count: int, log_dir: Path) -> list[tuple[subprocess.Popen, int]]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=args.database, SECRET_KEY=SECRET, DEBUG="0", SECURE_SSL_REDIRECT="0",
        ALLOWED_HOSTS="127.0.0.1,localhost", TALKMALL_CHAT_RATE_LIMIT="0",
        REDIS_PREFIX=f"rtbench{os.getpid()}",
    )  # fmt: skip
    if args.redis:
        env["REDIS_URL"] = args.redis
    else:
        env.pop("REDIS_URL", None)
    servers = []
    for i in range(count):
        port = args.port + i if args.port else free_port()
        log = open(log_dir / f"{args.server}-{port}.log", "wb")  # noqa: SIM115 - lives with the process
        if args.server == "uvicorn":  # the same app; fan-out takes the generic ASGI send path
            cmd = [str(ROOT / ".venv/bin/uvicorn"), "--host", "127.0.0.1", "--port", str(port),
                   "--loop", "uvloop", "--http", "httptools", "--ws", "websockets",
                   "--ws-per-message-deflate", "false", "--no-access-log",
                   "--log-level", "warning", "marketplace.asgi:application"]  # fmt: skip
        else:
            cmd = [str(ROOT / ".venv/bin/daphne"), "-b", "127.0.0.1", "-p", str(port),
                   "marketplace.asgi:application"]  # fmt: skip
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        servers.append((proc, port))
    for proc, port in servers:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urlopen(f"http://127.0.0.1:{port}/healthz", timeout=3):  # noqa: S310
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    stop_servers(servers)
                    sys.exit(f"{args.server} on port {port} did not start: see {log_dir}")
                time.sleep(0.3)
    return servers


def stop_servers(servers) -> None:
    for proc, _port in servers:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc, _port in servers:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def open_idle(urls: list[str], cookies: list[str], count: int, origin: str | None):
    from websockets.asyncio.client import connect

    sockets, sem = [], asyncio.Semaphore(50)

    async def one(i: int) -> None:
        async with sem:
            headers = {"Cookie": cookies[i % len(cookies)]} if cookies else None
            ws = await connect(urls[i % len(urls)], origin=origin, additional_headers=headers,
                               compression=None, ping_interval=None, open_timeout=30)  # fmt: skip
            await asyncio.wait_for(ws.recv(), 30)  # ready
            sockets.append(ws)

    await asyncio.gather(*(one(i) for i in range(count)))
    return sockets


def idle_memory(urls, cookies, pids, count, origin) -> float:
    """KB of server RSS per idle, signed-in socket (after ready)."""

    async def run() -> float:
        before = sum(rss_kb(pid) for pid in pids)
        sockets = await open_idle(urls, cookies, count, origin)
        await asyncio.sleep(2)
        after = sum(rss_kb(pid) for pid in pids)
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
        return (after - before) / count

    return asyncio.run(run())


def reference_idle_memory(args, count: int) -> float:
    proc = subprocess.Popen(
        [sys.executable, str(Path(args.wsbench) / "ref_server.py"), "--port", "0",
         "--persist", "none"], stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        url = json.loads(proc.stdout.readline())["url"]
        return idle_memory([url], [], [proc.pid], count, None)
    finally:
        proc.terminate()
        proc.wait(10)


def run_compare(args, urls, pids, cookie_file: str, origin: str, json_out: str) -> None:
    cmd = [sys.executable, str(Path(args.wsbench) / "compare.py"), "--profiles", args.profiles,
           "--repeat", str(args.repeat), "--scale", str(args.scale), "--cookie-file", cookie_file,
           "--origin", origin, "--json-out", json_out]  # fmt: skip
    if not args.no_pin:
        cmd.append("--pin")
    if args.ref_persist:
        cmd += ["--ref-persist", args.ref_persist]
    for url in urls:
        cmd += ["--target", url]
    for pid in pids:
        cmd += ["--target-pid", str(pid)]
    subprocess.run(cmd, check=False)


def medians(raw: dict) -> dict:
    """profile -> side -> the figures of the (first) run, for the summary."""
    out = {}
    for profile, sides in raw.items():
        out[profile] = {}
        for side, runs in sides.items():
            runs = [r for r in runs if r]
            if runs:
                r = runs[len(runs) // 2]
                out[profile][side] = {
                    "msg_s": r["throughput"], "p99_ms": r["lat_ms"]["p99"],
                    "us_dlv": r["server_us_per_delivery"], "lost": r["lost"],
                    "dup": r["duplicated"],
                }  # fmt: skip
    return out


# Issue 9's targets: (profile, figure, how it is read, bound, "min" or "max").
TARGETS = [
    ("echo", "msg_s", "round trips/s, Talkmall / reference", 0.6, "min"),
    ("fanout100", "us_dlv", "server CPU per delivery, Talkmall / reference", 2.0, "max"),
    ("fanout100", "msg_s", "deliveries/s, Talkmall / reference", 0.8, "min"),
    ("fanout1000", "us_dlv", "server CPU per delivery, Talkmall / reference", 2.5, "max"),
    ("fanout1000", "p99_ms", "p99 latency ms (Talkmall)", 60.0, "max"),
    ("persist", "msg_s", "deliveries/s, Talkmall / reference", 0.4, "min"),  # on SQLite
    ("persist", "p99_ms", "p99 latency ms (Talkmall)", 30.0, "max"),
]
IDLE_KB = 25.0
SCALING = 1.7


def verdicts(results: dict, procs: list[int]) -> list[tuple[str, str, str]]:
    """(target, measured, met / missed) for every issue 9 target this run measured."""
    rows = []

    def add(name: str, value: float, bound: float, kind: str, applies: bool = True) -> None:
        met = value >= bound if kind == "min" else value <= bound
        sign = ">=" if kind == "min" else "<="
        verdict = ("met" if met else "MISSED") if applies else "(a target on SQLite only)"
        rows.append((f"{name} {sign} {bound:g}", f"{value:.3g}", verdict))

    for count in procs:
        figures = results[f"procs{count}"]["figures"]
        tag = f"[{count} proc] "
        for profile, figure, text, bound, kind in TARGETS:
            sides = figures.get(profile, {})
            target, ref = sides.get("target"), sides.get("ref")
            if not target or not ref:
                continue
            if figure == "p99_ms":
                add(f"{tag}{profile} {text}", target[figure], bound, kind)
            elif ref[figure]:
                applies = profile != "persist" or results["database"] == "sqlite"
                add(f"{tag}{profile} {text}", target[figure] / ref[figure], bound, kind, applies)
        for profile, sides in figures.items():
            target = sides.get("target") or {}
            if target:
                add(f"{tag}{profile} lost + duplicated", target["lost"] + target["dup"], 0, "max")
        idle = results[f"procs{count}"].get("idle_kb_per_socket")
        if idle is not None:
            add(f"{tag}idle KB per socket", idle, IDLE_KB, "max")
    base = results[f"procs{procs[0]}"]["figures"]
    for count in procs[1:]:
        for profile, sides in results[f"procs{count}"]["figures"].items():
            one, many = base.get(profile, {}).get("target"), sides.get("target")
            if one and many and one["msg_s"]:
                add(f"{profile} deliveries/s, {count} procs / {procs[0]}",
                    many["msg_s"] / one["msg_s"], SCALING, "min")  # fmt: skip
    return rows


def main() -> None:
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))  # servers stop in finally
    procs = [int(n) for n in args.procs.split(",")]
    if max(procs) > 1 and not args.redis:
        sys.exit("More than one process needs --redis (the processes share talk through Redis).")
    if args.profiles and not (Path(args.wsbench) / "compare.py").exists():
        sys.exit(f"compare.py not found in {args.wsbench}: pass --wsbench.")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    setup_django(args)
    channel_ids, cookies = make_talks(args.users, args.channels)
    work = Path(tempfile.mkdtemp(prefix="rtbench-"))
    cookie_file = work / "cookies.txt"
    cookie_file.write_text("\n".join(cookies) + "\n")
    print(f"channels {channel_ids}, {len(cookies)} users, logs in {work}", file=sys.stderr)
    results: dict = {"database": args.database.split(":")[0], "redis": bool(args.redis),
                     "server": args.server}  # fmt: skip
    for count in procs:
        print(f"\n=== Talkmall, {count} {args.server} process(es), database "
              f"{results['database']}, layer {'Redis' if args.redis else 'in-memory'} ===",
              flush=True)  # fmt: skip
        results[f"procs{count}"] = {"figures": {}}
        if args.profiles:
            servers = start_servers(args, count, work)
            try:
                urls = talk_urls(servers, channel_ids)
                pids = [proc.pid for proc, _ in servers]
                origin = f"http://127.0.0.1:{servers[0][1]}"
                raw_file = work / f"compare-{count}.json"
                run_compare(args, urls, pids, str(cookie_file), origin, str(raw_file))
                raw = json.loads(raw_file.read_text()) if raw_file.exists() else {}
                results[f"procs{count}"]["figures"] = medians(raw)
            finally:
                stop_servers(servers)
        if args.idle:  # on fresh processes: memory freed by the runs above would be reused
            servers = start_servers(args, count, work)
            try:
                urls = talk_urls(servers, channel_ids)
                origin = f"http://127.0.0.1:{servers[0][1]}"
                pids = [proc.pid for proc, _ in servers]
                per = idle_memory(urls, cookies, pids, args.idle, origin)
            finally:
                stop_servers(servers)
            results[f"procs{count}"]["idle_kb_per_socket"] = round(per, 1)
            print(f"idle sockets: {args.idle} signed-in sockets cost {per:.1f} KB each "
                  f"(server RSS, {count} process(es))", flush=True)  # fmt: skip
    if args.idle:
        ref = reference_idle_memory(args, args.idle)
        results["ref_idle_kb_per_socket"] = round(ref, 1)
        print(f"idle sockets: the reference costs {ref:.1f} KB each", flush=True)
    rows = verdicts(results, procs)
    if rows:
        print("\nissue 9 targets, this run:")
        width = max(len(name) for name, _v, _m in rows)
        for name, value, met in rows:
            print(f"  {name:<{width}}  {value:>8}  {met}")
    results["targets"] = rows
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
