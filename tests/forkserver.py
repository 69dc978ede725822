"""Test servers forked from one process that has already imported them: a fresh server in ~0.15 s of CPU instead
of ~0.9 s (bench/bench_test_starts.py), and the suite starts a few hundred.

Run as a script (`python tests/forkserver.py run.py`) it is the zygote: it runs run.py's top level without its
`main` (the monkey patch of its HANGDOI_ASYNC_MODE, eventlet or gevent, then every import a server needs; no hub,
no thread, no socket yet), then forks one child per request read from its standard input. A request is one JSON
line {"env", "log", "cwd"}; the child takes that environment and log file as a `python run.py` process would, and
runs `main([])`. The zygote writes "started <pid>" for each child and "exited <pid> <code>" when it reaps one (the
code as subprocess gives it: negative for a signal).

Imported, it is the tests' side: `ForkServer.get(run_py, async_mode).spawn(env, log)` returns a `ForkedProcess`,
which answers poll(), wait(), send_signal(), terminate(), kill() and pid like the subprocess.Popen it replaces.
There is one zygote per async mode: a process patched for one cannot serve the other.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import signal
import subprocess
import sys
import threading
from pathlib import Path

# Kept before run.py's monkey patch replaces them with green versions, which need a hub to run (gevent's fork would
# also watch the children on a hub the zygote never runs, against its own reaping).
_select, _waitpid, _fork = select.select, os.waitpid, os.fork


def zygote(run_py: str):
    sys.modules["aiohttp"] = None  # as tests/live.py RUN_SERVER: engineio imports it whenever it is there
    main = __import__("runpy").run_path(run_py, run_name="hangdoi_zygote")["main"]
    stdin = sys.stdin.buffer
    while True:
        readable, _, _ = _select([stdin], [], [], 0.2)
        reap()
        if not readable:
            continue
        line = stdin.readline()
        if not line:
            return  # the tests' process has gone: the children are stopped by their owners' signals
        request = json.loads(line)
        pid = _fork()
        if pid == 0:
            child(main, request)
        print("started", pid, flush=True)


def reap():
    while True:
        try:
            pid, status = _waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        print("exited", pid, os.waitstatus_to_exitcode(status), flush=True)


def child(main, request: dict):
    """In the fork: become `python run.py` with the request's environment, output to its log; never return."""
    code = 1
    try:
        if "gevent" in sys.modules:  # forked without gevent's own fork: its hub starts afresh (gevent.reinit docs)
            sys.modules["gevent"].reinit()
        os.setpgid(0, 0)  # a signal meant for the tests' process group is not this server's
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        # Unbuffered like PYTHONUNBUFFERED=1: a kill -9 loses no line already written.
        sys.stdout = open(1, "w", encoding="utf-8", errors="backslashreplace", buffering=1, closefd=False)
        sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", buffering=1, closefd=False)
        os.environ.clear()
        os.environ.update(request["env"])
        __import__("time").tzset()  # a TZ of the request's, as a new process would read it
        os.chdir(request["cwd"])
        signal.signal(signal.SIGINT, signal.default_int_handler)
        main([])
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:  # noqa: BLE001 — written to the server's log, as an uncaught exception would be
        __import__("traceback").print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


class ForkedProcess:
    """A forked server as the tests see it: the part of subprocess.Popen they use."""

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None
        self.exited = threading.Event()

    def poll(self) -> int | None:
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if not self.exited.wait(timeout):
            raise subprocess.TimeoutExpired(f"forked server {self.pid}", timeout)
        return self.returncode

    def send_signal(self, sig: int):
        if self.returncode is None:
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:  # exited; its report is on its way
                pass

    def terminate(self):
        self.send_signal(signal.SIGTERM)

    def kill(self):
        self.send_signal(signal.SIGKILL)


class ForkServer:
    """One zygote per async mode and test process (each xdist worker), started at the first request, stopped at
    exit."""

    _instances: dict[str, ForkServer] = {}
    _lock = threading.Lock()

    def __init__(self, run_py: Path, async_mode: str):
        self.zygote = subprocess.Popen([sys.executable, __file__, str(run_py)], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, cwd=run_py.parent,
                                       env={**os.environ, "HANGDOI_ASYNC_MODE": async_mode})
        self.started: list[int] = []
        self.processes: dict[int, ForkedProcess] = {}
        self.exits: dict[int, int] = {}  # reported before their process object was made
        self.answer = threading.Condition()
        self.request_lock = threading.Lock()  # one request at a time: its "started" line is its answer
        threading.Thread(target=self._read, name="forkserver-reader", daemon=True).start()

    @classmethod
    def get(cls, run_py: Path, async_mode: str = "eventlet") -> ForkServer:
        with cls._lock:
            running = cls._instances.get(async_mode)
            if running is None or running.zygote.poll() is not None:
                running = cls._instances[async_mode] = ForkServer(run_py, async_mode)
                atexit.register(running.close)
            return running

    def close(self):
        """End the zygote and wait for it: its CPU and its children's then count as this process's (time -v)."""
        try:
            self.zygote.stdin.close()
            self.zygote.wait(10)
        except (OSError, subprocess.TimeoutExpired):
            self.zygote.kill()

    def spawn(self, env: dict, log: Path, cwd: Path) -> ForkedProcess:
        request = json.dumps({"env": env, "log": str(log), "cwd": str(cwd)}) + "\n"
        with self.request_lock:
            with self.answer:
                before = len(self.started)
            self.zygote.stdin.write(request.encode())
            self.zygote.stdin.flush()
            with self.answer:
                if not self.answer.wait_for(lambda: len(self.started) > before or self.zygote.poll() is not None,
                                            timeout=120):
                    raise RuntimeError("the fork server did not answer")
                if len(self.started) == before:
                    raise RuntimeError(f"the fork server exited ({self.zygote.returncode})")
                pid = self.started[before]
                process = self.processes[pid] = ForkedProcess(pid)
                if pid in self.exits:
                    self._exited(process, self.exits.pop(pid))
                return process

    def _read(self):
        for line in self.zygote.stdout:
            word, *fields = line.decode(errors="replace").split()
            if word not in ("started", "exited"):
                continue  # something an import printed: not ours
            pid, rest = fields[0], fields[1:]
            with self.answer:
                if word == "started":
                    self.started.append(int(pid))
                elif int(pid) in self.processes:
                    self._exited(self.processes.pop(int(pid)), int(rest[0]))
                else:
                    self.exits[int(pid)] = int(rest[0])
                self.answer.notify_all()
        with self.answer:
            self.answer.notify_all()

    @staticmethod
    def _exited(process: ForkedProcess, code: int):
        process.returncode = code
        process.exited.set()


if __name__ == "__main__":
    zygote(sys.argv[1])
