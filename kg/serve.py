"""A SPARQL HTTP endpoint for the graph: the Oxigraph server (the ``oxigraph`` binary of the PyPI
package ``oxigraph``).

The graph is loaded with ``oxigraph load`` into a scratch store in a temporary folder, which is then
served with ``oxigraph serve-read-only`` (or ``oxigraph serve`` with ``--writable``; updates then go
to the scratch store and are discarded on exit: kg.ttl is never changed). The scratch store is
removed when the server stops.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any

import click

from .errors import InputError


def find_oxigraph() -> str | None:
    """The ``oxigraph`` server binary: on PATH, or in the scripts folder of this Python."""
    candidates = [shutil.which("oxigraph")]
    exe = "oxigraph.exe" if os.name == "nt" else "oxigraph"
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        if folder:
            candidates.append(str(Path(folder) / exe))
    for c in candidates:
        if c and Path(c).is_file() and os.access(c, os.X_OK):
            return c
    return None


def load_store(oxigraph: str, graph: Path, location: Path) -> None:
    """Load the Turtle file into an Oxigraph store folder with ``oxigraph load``."""
    proc = subprocess.run(
        [oxigraph, "load", "--location", str(location), "--file", str(graph), "--format", "ttl"],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        raise InputError(str(graph), f"oxigraph could not load it: {detail[-1] if detail else proc.returncode}")


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _wait_listening(proc: subprocess.Popen[bytes], host: str, port: int, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def _stderr_fd() -> int | None:
    try:
        return sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        return None


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def run_serve(graph: Path, host: str, port: int, writable: bool) -> int:
    """The ``kg serve`` command: serve ``graph`` until interrupted; returns the exit code."""
    oxigraph = find_oxigraph()
    if oxigraph is None:
        click.echo("kg serve: the `oxigraph` server binary was not found; install it with `pip install oxigraph`",
                   err=True)
        return 2
    if graph.is_dir() and (graph / "kg.ttl").is_file():
        graph = graph / "kg.ttl"  # the build's output folder
    if not graph.is_file():
        click.echo(f"kg serve: {graph}: no such graph file; run `kg build` first (it writes OUT/kg.ttl), "
                   "or point --graph at a kg.ttl", err=True)
        return 2
    if port == 0:
        port = _free_port(host)
    elif not _port_free(host, port):
        click.echo(f"kg serve: port {port} on {host} is already in use; pick another with --port", err=True)
        return 2

    scratch = Path(tempfile.mkdtemp(prefix="kg-serve-"))
    proc: subprocess.Popen[bytes] | None = None

    def _stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    # SIGTERM and SIGHUP stop the server as Ctrl-C does, so the child and the scratch store go too.
    main_thread = threading.current_thread() is threading.main_thread()
    stop_signals = [sig for sig in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if sig]
    old_handlers = {sig: signal.signal(sig, _stop) for sig in stop_signals} if main_thread else {}
    try:
        store = scratch / "store"
        load_store(oxigraph, graph, store)
        mode = "serve" if writable else "serve-read-only"
        proc = subprocess.Popen(
            [oxigraph, mode, "--location", str(store), "--bind", f"{_url_host(host)}:{port}"],
            stdin=subprocess.DEVNULL,
            stdout=_stderr_fd(),  # stdout is kept for the endpoint line
        )
        if not _wait_listening(proc, host, port):
            click.echo(f"kg serve: the oxigraph server did not start on {host}:{port}", err=True)
            return 1
        base = f"http://{_url_host(host)}:{port}"
        if writable:
            click.echo(f"SPARQL endpoint: {base}/query (writable: updates at {base}/update, "
                       f"graph store at {base}/store; changes are discarded on exit)")
        else:
            click.echo(f"SPARQL endpoint: {base}/query (read-only)")
        click.echo(f"Serving {graph}; press Ctrl-C to stop.", err=True)
        sys.stdout.flush()
        return proc.wait() and 1
    except InputError as err:
        click.echo(f"kg serve: {err}", err=True)
        return 2
    except KeyboardInterrupt:
        return 0
    finally:
        if proc is not None:
            stop_process(proc)
        for sig, handler in old_handlers.items():
            signal.signal(sig, handler)
        shutil.rmtree(scratch, ignore_errors=True)


def stop_process(proc: subprocess.Popen[Any], timeout: float = 10) -> None:
    """Terminate a server process and wait for it; kill it if it does not stop in ``timeout`` seconds."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
