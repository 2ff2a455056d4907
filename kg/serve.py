"""A SPARQL HTTP endpoint for the graph: the Oxigraph server (the ``oxigraph`` binary of the PyPI
package ``oxigraph``).

The graph is loaded with ``oxigraph load`` into a scratch store in a temporary folder, which is then
served with ``oxigraph serve-read-only`` (or ``oxigraph serve`` with ``--writable``; updates then go
to the scratch store and are discarded on exit: kg.ttl is never changed). The scratch store is
removed when the server stops.

The Oxigraph server has no predeclared prefixes (its CLI offers no option for them), so it listens on
a loopback port of its own and ``kg serve`` answers at the address asked for with a small proxy that
adds the PREFIX lines of the prefixes ``kg query`` predeclares to each query or update that uses them
without declaring them (:func:`kg.query.with_prefixes`), and passes everything else on unchanged: a
query that works in ``kg query`` works at the endpoint too.
"""

from __future__ import annotations

import http.client
import http.server
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
import urllib.parse
from pathlib import Path
from types import FrameType
from typing import Any

import click

from .errors import InputError
from .query import with_prefixes

# Headers that belong to one connection, not to the request or response passed on.
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
    "expect",
}
_SPARQL_PATHS = {"/query": "query", "/update": "update"}
_SPARQL_BODY_TYPES = {"application/sparql-query", "application/sparql-update"}


def _rewrite(path: str, method: str, content_type: str, body: bytes) -> tuple[str, bytes]:
    """The request's path and body with the predeclared prefixes added to its query or update."""
    url = urllib.parse.urlsplit(path)
    key = _SPARQL_PATHS.get(url.path)
    if key is None:
        return path, body
    if url.query:
        params = urllib.parse.parse_qsl(url.query, keep_blank_values=True)
        if any(k == key for k, _ in params):
            params = [(k, with_prefixes(v) if k == key else v) for k, v in params]
            path = urllib.parse.urlunsplit(url._replace(query=urllib.parse.urlencode(params)))
    if method == "POST" and body:
        kind = content_type.split(";", 1)[0].strip().lower()
        try:
            if kind in _SPARQL_BODY_TYPES:
                body = with_prefixes(body.decode("utf-8")).encode("utf-8")
            elif kind == "application/x-www-form-urlencoded":
                params = urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True)
                body = urllib.parse.urlencode([(k, with_prefixes(v) if k == key else v) for k, v in params]).encode()
        except UnicodeDecodeError:
            pass  # passed on as it is, for the server to refuse
    return path, body


def make_proxy(host: str, port: int, upstream: tuple[str, int]) -> http.server.ThreadingHTTPServer:
    """An HTTP server on (host, port) passing every request on to ``upstream``, SPARQL with prefixes added."""

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
            path, body = _rewrite(self.path, self.command, self.headers.get("Content-Type", ""), body)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            if body or self.command in ("POST", "PUT", "PATCH"):
                headers["Content-Length"] = str(len(body))
            conn = http.client.HTTPConnection(*upstream, timeout=3600)
            try:
                conn.request(self.command, path, body=body or None, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
            except OSError as err:
                self.send_error(502, f"the Oxigraph server did not answer: {err}")
                return
            finally:
                conn.close()
            self.send_response(resp.status, resp.reason)
            for k, v in resp.getheaders():
                if k.lower() not in _HOP_BY_HOP:
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_PATCH = _forward

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
            pass  # no log of requests, as the Oxigraph server keeps none

    class Server(http.server.ThreadingHTTPServer):
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        daemon_threads = True

    return Server((host, port), Handler)


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


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def run_serve(graph: Path, host: str, port: int, writable: bool) -> int:
    """The ``kg serve`` command: serve ``graph`` until interrupted; returns the exit code."""
    oxigraph = find_oxigraph()
    if oxigraph is None:
        click.echo(
            "kg serve: the `oxigraph` server binary was not found; install it with `pip install oxigraph`", err=True
        )
        return 2
    if graph.is_dir() and (graph / "kg.ttl").is_file():
        graph = graph / "kg.ttl"  # the build's output folder
    if not graph.is_file():
        click.echo(
            f"kg serve: {graph}: no such graph file; run `kg build` first (it writes OUT/kg.ttl), "
            "or point --graph at a kg.ttl",
            err=True,
        )
        return 2
    if port == 0:
        port = _free_port(host)
    elif not _port_free(host, port):
        click.echo(f"kg serve: port {port} on {host} is already in use; pick another with --port", err=True)
        return 2

    scratch = Path(tempfile.mkdtemp(prefix="kg-serve-"))
    proc: subprocess.Popen[bytes] | None = None
    proxy: http.server.ThreadingHTTPServer | None = None

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
        inner = _free_port("127.0.0.1")  # the Oxigraph server, behind the prefix-adding proxy
        proc = subprocess.Popen(
            [oxigraph, mode, "--location", str(store), "--bind", f"127.0.0.1:{inner}"],
            stdin=subprocess.DEVNULL,
            # its only line, "Listening … at" its inner port, would mislead; stdout is for the endpoint line
            stdout=subprocess.DEVNULL,
        )
        if not _wait_listening(proc, "127.0.0.1", inner):
            click.echo(f"kg serve: the oxigraph server did not start on 127.0.0.1:{inner}", err=True)
            return 1
        try:
            proxy = make_proxy(host, port, ("127.0.0.1", inner))
        except OSError as err:
            click.echo(f"kg serve: cannot listen on {host}:{port}: {err.strerror or err}", err=True)
            return 2
        threading.Thread(target=proxy.serve_forever, name="kg-serve-proxy", daemon=True).start()
        base = f"http://{_url_host(host)}:{port}"
        if writable:
            click.echo(
                f"SPARQL endpoint: {base}/query (writable: updates at {base}/update, "
                f"graph store at {base}/store; changes are discarded on exit)"
            )
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
        if proxy is not None:
            proxy.shutdown()
            proxy.server_close()
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
