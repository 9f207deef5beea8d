"""``python -m bench [--quick] [--rounds N] [--codec fast|betterproto2] [--out PATH]``: the benchmark harness.

The official SDK's async ``AppClient`` and ours (``AsyncAppClient`` and the blocking ``AppClient``) call the same
canned server (``bench.server``, its own process) in the same run. Workloads are interleaved: every round runs each
workload for every client, in an order rotated per round, so drift of the machine hits all clients alike. Reported:
medians over rounds, and ours / official for each workload. Then, in fresh processes: peak memory while streaming
logs, import time, and import + connect + first call; and the local fleet server's throughput.

``--codec betterproto2`` runs our clients on betterproto2's own codec (the "before" figures).
Results: a JSON file (default ``bench/results/latest.json``) and a markdown table on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .processes import instructions_of, stop

RESULTS = Path(__file__).resolve().parent / "results"
MIXED_CLIENTS = 50  # see bench.local


@dataclass
class Workload:
    """One measured operation: ``step(adapter)`` does ``count`` units of work; the result is seconds per unit."""

    name: str
    unit: str  # what one sample measures, for the table
    count: int  # calls per sample (per-call figures divide by it)
    step: Callable[[Any], Any]
    expect: Callable[[Any], bool] = lambda result: True
    samples: dict[str, list[float]] = field(default_factory=dict)  # wall time
    cpu: dict[str, list[float]] = field(default_factory=dict)  # CPU time of this process (all its threads)


def _len_is(n: int) -> Callable[[Any], bool]:
    return lambda result: result == n or (hasattr(result, "__len__") and len(result) == n)


def _listing(machines: int, calls: int, *, read: bool) -> Workload:
    """``list_robots`` of ``machines`` machines, ``calls`` times a sample: the call alone, or every field then read."""
    name = f"list_robots, {machines:,} machines" + (", every field read" if read else "")

    def step(adapter: Any) -> Any:
        list_robots = adapter.list_robots_read if read else adapter.list_robots
        return _repeat(adapter, lambda: list_robots(f"n{machines}"), calls)

    return Workload(name, "ms/call", calls, step, _len_is(machines))


def workloads(quick: bool) -> list[Workload]:
    seq = 100 if quick else 300
    config = __import__("bench.fixtures", fromlist=["config"]).config()
    listings = ((100, 20 if quick else 50), (5000, 2 if quick else 5))  # machines, calls per sample
    out = [
        Workload(f"get_robot, {seq} sequential", "ms/call", seq, lambda c: _repeat(c, lambda: c.get_robot("r1"), seq)),
        Workload("get_robot, 1,000 concurrent", "s", 1, lambda c: c.run(lambda: c.get_robot_many("r1", 1000))),
        *(_listing(machines, calls, read=False) for machines, calls in listings),
        *(_listing(machines, calls, read=True) for machines, calls in listings),
        Workload("logs 10,000 (list)", "s", 1, lambda c: c.run(lambda: c.logs_list("logs-10000")), _len_is(10_000)),
        Workload("logs 10,000 (stream)", "s", 1, lambda c: c.run(lambda: c.logs_stream("logs-10000")), _len_is(10_000)),
    ]
    if not quick:
        out += [
            Workload(
                "logs 100,000 (list)", "s", 1, lambda c: c.run(lambda: c.logs_list("logs-100000")), _len_is(100_000)
            ),
            Workload(
                "logs 100,000 (stream)",
                "s",
                1,
                lambda c: c.run(lambda: c.logs_stream("logs-100000")),
                _len_is(100_000),
            ),
        ]
    n = 3 if quick else 5
    out += [
        Workload(
            "get_robot_part, 200 KB config",
            "ms/call",
            n,
            lambda c: _repeat(c, lambda: c.get_robot_part("part"), n),
        ),
        Workload(
            "update_robot_part, 200 KB config",
            "ms/call",
            n,
            lambda c: _repeat(c, lambda: c.update_robot_part("part", config), n),
        ),
    ]
    return out


def _repeat(adapter: Any, call: Callable[[], Any], n: int) -> Any:
    if adapter.is_async:

        async def loop() -> Any:
            result = None
            for _ in range(n):
                result = await call()
            return result

        return adapter.run(loop)
    result = None
    for _ in range(n):
        result = call()
    return result


def run_clients(port: int, rounds: int, quick: bool) -> list[Workload]:
    from .clients import ADAPTERS

    loop = asyncio.new_event_loop()
    adapters = [cls(port, loop) for cls in ADAPTERS]
    items = workloads(quick)
    try:
        for adapter in adapters:  # warm-up: connections open, lazy imports done, caches filled
            adapter.run(lambda a=adapter: a.get_robot("r1"))
            adapter.run(lambda a=adapter: a.list_robots("n100"))
        for round_no in range(rounds):
            for item in items:
                order = adapters[round_no % len(adapters) :] + adapters[: round_no % len(adapters)]
                for adapter in order:
                    if item.name.endswith("(stream)") and adapter.name == "official":
                        continue  # no such call in the official client; compared against its list below
                    start, cpu = time.perf_counter(), time.process_time()
                    result = item.step(adapter)
                    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
                    if not item.expect(result):
                        raise AssertionError(f"{item.name} on {adapter.name}: unexpected result")
                    scale = (1000 if item.unit == "ms/call" else 1) / item.count
                    item.samples.setdefault(adapter.name, []).append(elapsed * scale)
                    item.cpu.setdefault(adapter.name, []).append(cpu * scale)
            print(f"round {round_no + 1}/{rounds} done", file=sys.stderr, flush=True)
    finally:
        for adapter in adapters:
            adapter.close()
        loop.close()
    return items


def _clean_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure imports as installed: with cached bytecode
    return env


IMPORTS = {
    "fleetwire": "from fleetwire import AppClient, AsyncAppClient",
    "official": "from viam.app.app_client import AppClient",
}
"""What the import rows measure: each SDK's client classes loaded, as a program using them imports them."""


def import_times(runs: int) -> dict[str, float]:
    """Median seconds to import each client in a fresh interpreter (bytecode cached by a first, untimed run)."""
    code = "import time; t = time.perf_counter(); {stmt}; print(time.perf_counter() - t)"
    env = _clean_env()
    samples: dict[str, list[float]] = {name: [] for name in IMPORTS}
    for stmt in IMPORTS.values():
        subprocess.run([sys.executable, "-c", stmt], check=True, env=env)
    for _ in range(runs):
        for name, stmt in IMPORTS.items():
            out = subprocess.run(
                [sys.executable, "-c", code.format(stmt=stmt)], check=True, env=env, capture_output=True, text=True
            )
            samples[name].append(float(out.stdout.strip()))
    return {name: statistics.median(values) for name, values in samples.items()}


def import_instructions() -> dict[str, int] | None:
    """Instructions each import executes beyond a bare interpreter's start-up, counted by valgrind (None without it).

    Wall-clock import times swing by tens of percent on a shared machine; these counts repeat within a fraction of a
    percent, so one run of each suffices. The bytecode is cached, as for :func:`import_times`.
    """
    if shutil.which("valgrind") is None:
        return None
    statements = {"interpreter": "pass", **IMPORTS}
    counts: dict[str, int] = {}
    for name, statement in statements.items():
        counts[name] = instructions_of([sys.executable, "-c", statement], _clean_env())
    start = counts.pop("interpreter")
    return {name: count - start for name, count in counts.items()}


def first_call_times(port: int, runs: int) -> dict[str, float]:
    """Median seconds from import to the first ``get_robot`` answer, each in a fresh interpreter (``bench.first_call``).

    The import figure's counterpart: what a program pays before its first result, so that work moved from the import
    to the first call shows up here.
    """
    clients = {"official": "official", "fleetwire async": "async", "fleetwire blocking": "blocking"}
    env = _clean_env()
    samples: dict[str, list[float]] = {name: [] for name in clients}
    for argument in clients.values():  # bytecode caches written, lazy first-use work of the server done
        subprocess.run([sys.executable, "-m", "bench.first_call", str(port), argument], check=True, env=env)
    for _ in range(runs):
        for name, argument in clients.items():
            out = subprocess.run(
                [sys.executable, "-m", "bench.first_call", str(port), argument],
                check=True,
                env=env,
                capture_output=True,
                text=True,
            )
            samples[name].append(float(out.stdout.strip()))
    return {name: statistics.median(values) for name, values in samples.items()}


def memory(port: int, codec: str, quick: bool) -> dict[str, float]:
    """Peak RSS growth while fetching logs, each in a fresh process."""
    cases = [("fleetwire", "stream", 10_000), ("fleetwire", "stream", 100_000), ("official", "list", 100_000)]
    if not quick:
        cases.append(("fleetwire", "list", 100_000))
    out: dict[str, float] = {}
    for client, mode, entries in cases:
        result = subprocess.run(
            [sys.executable, "-m", "bench.memory", str(port), client, mode, str(entries), codec],
            check=True,
            capture_output=True,
            text=True,
            env=_clean_env(),
        )
        data = json.loads(result.stdout.strip().splitlines()[-1])
        assert data["entries"] == entries, data
        out[f"{client} {mode} {entries:,}"] = data["peak_rss_growth_mb"]
    return out


def start_server() -> tuple[subprocess.Popen[str], int]:
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert server.stdout is not None
    return server, int(server.stdout.readline())


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def _cell(value: float | None, unit: str) -> str:
    return f"{value:.3g} {unit}" if value is not None else "—"


def _ratio(value: float | None, base: float | None) -> str:
    return f"{value / base:.2f}×" if value is not None and base else "—"  # noqa: RUF001 - the times sign


def table(report: dict[str, Any]) -> str:
    """The markdown table: wall-time medians per client, ours / official, and the same ratio in client CPU time."""
    lists = {item["name"]: item for item in report["clients"]}
    rows = [
        "| workload | official | fleetwire async | ours / official | fleetwire blocking | ours / official "
        "| CPU ratio async | CPU ratio blocking |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for item in report["clients"]:
        name, unit, medians = item["name"], item["unit"], item["median"]
        cpu = item.get("cpu_median", {})
        base, base_cpu = medians.get("official"), cpu.get("official")
        shown = _cell(base, unit)
        if name.endswith("(stream)"):  # the official client has no iterator: compare with its list call
            listed = lists.get(name.replace("(stream)", "(list)"), {})
            base = listed.get("median", {}).get("official")
            base_cpu = listed.get("cpu_median", {}).get("official")
            shown = _cell(base, unit) + " (its list)"
        ours_async, ours_blocking = medians.get("fleetwire async"), medians.get("fleetwire blocking")
        rows.append(
            f"| {name} | {shown} | {_cell(ours_async, unit)} | {_ratio(ours_async, base)} | "
            f"{_cell(ours_blocking, unit)} | {_ratio(ours_blocking, base)} | "
            f"{_ratio(cpu.get('fleetwire async'), base_cpu)} | {_ratio(cpu.get('fleetwire blocking'), base_cpu)} |"
        )
    imports = report.get("import_seconds")
    if imports:
        rows.append(
            f"| import the client classes (fresh process, cached bytecode) | {imports['official'] * 1e3:.0f} ms | "
            f"{imports['fleetwire'] * 1e3:.0f} ms | {_ratio(imports['fleetwire'], imports['official'])} | "
            "(same) | | | |"
        )
    counted = report.get("import_instructions")
    if counted:
        rows.append(
            "| import the client classes, instructions beyond start-up (valgrind) | "
            f"{counted['official'] / 1e6:.0f} M | "
            f"{counted['fleetwire'] / 1e6:.0f} M | {_ratio(counted['fleetwire'], counted['official'])} | "
            "(same) | | | |"
        )
    first = report.get("first_call_seconds")
    if first:
        base = first["official"]
        rows.append(
            f"| import + connect + first get_robot (fresh process) | {base * 1e3:.0f} ms | "
            f"{first['fleetwire async'] * 1e3:.0f} ms | {_ratio(first['fleetwire async'], base)} | "
            f"{first['fleetwire blocking'] * 1e3:.0f} ms | {_ratio(first['fleetwire blocking'], base)} | | |"
        )
    lines = ["\n".join(rows)]
    if report.get("memory_mb"):
        peaks = ", ".join(f"{name}: {mb:.1f} MB" for name, mb in report["memory_mb"].items())
        lines.append(f"\nPeak RSS growth while fetching logs (fresh process each): {peaks}")
    local = report.get("local_server")
    if local:
        lines.append(
            f"\nLocal server ({report['codec']} codec): {local['mixed_rps']:,.0f} mixed requests/s "
            f"({local['mixed_requests']:,} calls from {MIXED_CLIENTS} clients); log entries ingested through "
            f"RobotService.Log {local['ingest_entries_per_s']:,.0f}/s, served through GetRobotPartLogs "
            f"{local['serve_entries_per_s']:,.0f}/s end to end to our decoding client ({local['log_entries']:,} "
            f"entries); the server's capacity, to raw readers counting entries undecoded: "
            f"{local['served_entries_per_s']:,.0f}/s to one, {local['served_concurrent_entries_per_s']:,.0f}/s to "
            f"{local['served_concurrent_readers']:.0f} at once "
            f"({local['served_concurrent_server_cpu_us_per_entry']:.1f} us of server CPU per entry)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer calls and rounds, no 100,000-entry log lists")
    parser.add_argument("--rounds", type=int, default=None, help="rounds of every workload (default 5, quick 3)")
    parser.add_argument("--codec", choices=("fast", "betterproto2"), default="fast", help="our clients' codec")
    parser.add_argument("--out", type=Path, default=None, help="JSON results (default bench/results/latest.json)")
    parser.add_argument("--skip", action="append", default=[], choices=("clients", "import", "memory", "local"))
    args = parser.parse_args(argv)
    rounds = args.rounds or (3 if args.quick else 5)
    if args.codec == "betterproto2":
        from . import reference_codec

        reference_codec.install()
    report: dict[str, Any] = {
        "machine": machine(),
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "codec": args.codec,
        "rounds": rounds,
        "quick": args.quick,
        "clients": [],
    }
    server, port = start_server()
    try:
        if "clients" not in args.skip:
            for item in run_clients(port, rounds, args.quick):
                report["clients"].append(
                    {
                        "name": item.name,
                        "unit": item.unit,
                        "samples": item.samples,
                        "median": {name: statistics.median(values) for name, values in item.samples.items()},
                        "cpu_samples": item.cpu,
                        "cpu_median": {name: statistics.median(values) for name, values in item.cpu.items()},
                    }
                )
        if "memory" not in args.skip:
            report["memory_mb"] = memory(port, args.codec, args.quick)
        if "import" not in args.skip:
            report["import_seconds"] = import_times(5 if args.quick else 9)
            report["first_call_seconds"] = first_call_times(port, 5 if args.quick else 9)
            if not args.quick:
                report["import_instructions"] = import_instructions()
    finally:
        stop(server)
    if "local" not in args.skip:
        from . import local

        report["local_server"] = local.measure(
            args.codec, calls_per_client=40 if args.quick else 200, log_entries=5_000 if args.quick else 50_000
        )
    out = args.out or RESULTS / ("latest.json" if args.codec == "fast" else "latest-betterproto2.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\n## fleetwire benchmarks, codec: {args.codec}, medians of {rounds} rounds\n")
    print(f"{report['machine']}; {report['date']}\n")
    print(table(report))
    print(f"\nresults: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
