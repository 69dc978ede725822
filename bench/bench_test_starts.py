"""What the test suite pays per server it starts and per officer's password, as ratios to a baseline measured in the
same run (alternating rounds, CPU seconds of the processes: the machine is shared, wall time says little).

1. A live server (tests/live.py LiveServer: start until /healthz answers, then SIGTERM): `python run.py` (the
   baseline, as before) against tests/live.py's RUN_SERVER (run.py with aiohttp kept out, as on a center's PC) and
   against a server forked from tests/forkserver.py's zygote (what LiveServer does now).
   CPU: the server process's user + sys (RUSAGE_CHILDREN around its start and stop; for a forked one, the zygote's
   own and its reaped children's, from /proc), plus this process's.
2. An officer's password on that server's database: `python -m server passwd` (the baseline, a second interpreter)
   against tests/officer.py's store_password in this process (the same core calls). CPU as above.

    .venv/bin/python bench/bench_test_starts.py               # records its section of BENCHMARKS.md
    .venv/bin/python bench/bench_test_starts.py --rounds 3 --no-record
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchmarks_file import record  # noqa: E402
from tests import live  # noqa: E402
from tests.forkserver import ForkServer  # noqa: E402
from tests.live import ROOT as TESTS_ROOT  # noqa: E402
from tests.live import LiveServer  # noqa: E402
from tests.officer import PASSWORD, store_password  # noqa: E402

PLAIN_RUN = [sys.executable, str(TESTS_ROOT / "run.py")]


def zygote_cpu_seconds() -> float:
    """User + sys of the fork server's zygote and of the children it reaped (fields 14–17 of /proc/PID/stat)."""
    server = ForkServer._instances.get("eventlet")
    if server is None:
        return 0.0
    fields = Path(f"/proc/{server.zygote.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def cpu_seconds() -> float:
    """User + sys of this process, of its children that were waited for, and of the zygote's."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime + zygote_cpu_seconds()


def server_round(workdir: Path, command: list[str] | None, index: int) -> tuple[float, LiveServer]:
    """CPU of one server's start (until it answers) and stop; the server's database is kept for the passwords.
    `command` None: forked from the zygote."""
    live.RUN_SERVER, saved = command or live.RUN_SERVER, live.RUN_SERVER
    live.FORK = command is None
    try:
        server = LiveServer(workdir / f"s{index}.db")
        before = cpu_seconds()
        server.start(timeout=60)
        server.stop()
        return cpu_seconds() - before, server
    finally:
        live.RUN_SERVER, live.FORK = saved, True


def passwd_by_command(server: LiveServer) -> float:
    env = {**os.environ, "HANGDOI_CENTER": str(server.center), "HANGDOI_DATABASE": str(server.database)}
    before = cpu_seconds()
    subprocess.run([sys.executable, "-m", "server", "passwd", "an"], input=PASSWORD + "\n", text=True, check=True,
                   capture_output=True, cwd=TESTS_ROOT, env=env, timeout=120)
    return cpu_seconds() - before


def passwd_in_process(server: LiveServer) -> float:
    before = cpu_seconds()
    store_password(server.database, server.center, "an")
    return cpu_seconds() - before


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    plain, trimmed, forked, by_command, in_process = [], [], [], [], []
    with tempfile.TemporaryDirectory() as workdir:
        # The zygote's imports, paid once per test process, are left out: a first server that refuses to start.
        refused = {**os.environ, "HANGDOI_CENTER": str(Path(workdir) / "missing.toml"),
                   "HANGDOI_DATABASE": str(Path(workdir) / "refused.db"), "HANGDOI_PORT": str(live.free_port())}
        ForkServer.get(TESTS_ROOT / "run.py").spawn(refused, Path(workdir) / "refused.log", TESTS_ROOT).wait(60)
        for index in range(args.rounds):  # alternating, so a change of load weighs on both sides
            cpu, server = server_round(Path(workdir), PLAIN_RUN, 3 * index)
            plain.append(cpu)
            cpu, _ = server_round(Path(workdir), live.RUN_SERVER, 3 * index + 1)
            trimmed.append(cpu)
            cpu, _ = server_round(Path(workdir), None, 3 * index + 2)
            forked.append(cpu)
            by_command.append(passwd_by_command(server))
            in_process.append(passwd_in_process(server))

    def row(name, baseline_name, baseline, measured_name, measured):
        base, new = statistics.median(baseline), statistics.median(measured)
        return f"| {name} | {baseline_name}: {base:.2f} s | {measured_name}: {new:.2f} s | {new / base:.2f} |"

    lines = [
        "## Test suite: a server's start and an officer's password (bench/bench_test_starts.py)", "",
        f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores;"
        f" median of {args.rounds} alternating rounds; CPU seconds (user + sys) of the processes involved; load"
        f" average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after (other engineers' work shares the cores)."
        f" Command: `.venv/bin/python bench/bench_test_starts.py`. The zygote's own start (run.py's imports, once per"
        f" test process) is left out of the forked row.", "",
        "| what | baseline | now | ratio |", "|---|---:|---:|---:|",
        row("a live server, start to answering /healthz, then SIGTERM", "`python run.py`", plain,
            "tests/live.py RUN_SERVER (no aiohttp)", trimmed),
        row("the same, forked from the zygote that imported run.py once", "`python run.py`", plain,
            "tests/forkserver.py", forked),
        row("an officer's password", "`python -m server passwd`", by_command,
            "tests/officer.py store_password", in_process),
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_record:
        record("test-starts", text)


if __name__ == "__main__":
    main()
