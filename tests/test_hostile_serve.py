"""``kg serve`` facing the network (issue 8): loopback only unless told otherwise, read-only unless
``--writable``, and it says so when it starts; a graph full of hostile names loads and answers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import free_port
from test_hostile_names import nasty_graph, nasty_results

from kg.serve import find_oxigraph

pytestmark = pytest.mark.skipif(
    find_oxigraph() is None, reason="the `oxigraph` server binary (PyPI package oxigraph) is not installed"
)

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
INSERT = "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }"


@pytest.fixture(scope="module")
def nasty_ttl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kg.build.builder import write_all

    out = tmp_path_factory.mktemp("serve")
    write_all(out, nasty_results(), nasty_graph())
    return out / "kg.ttl"


@contextmanager
def serving(graph: Path, *args: str) -> Iterator[tuple[subprocess.Popen[str], str, int]]:
    """``kg serve --graph GRAPH --port FREE ARGS``; yields the process, its first stdout line, the port."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from kg.cli import main; main()",
            "serve",
            "--graph",
            str(graph),
            "--port",
            str(port),
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        if not line:
            proc.wait(timeout=30)
            pytest.fail(f"kg serve did not start: {proc.stderr.read() if proc.stderr else ''}")
        yield proc, line, port
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        for fh in (proc.stdout, proc.stderr):
            if fh:
                fh.close()


def sparql(base: str, query: str) -> list[dict]:
    url = f"{base}/query?" + urllib.parse.urlencode({"query": query})
    req = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        rows: list[dict] = json.load(resp)["results"]["bindings"]
    return rows


def count(base: str) -> int:
    return int(sparql(base, COUNT)[0]["n"]["value"])


def refused(req: urllib.request.Request) -> bool:
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status >= 400
    except urllib.error.HTTPError as err:
        return err.code >= 400


def write_attempts(base: str) -> dict[str, urllib.request.Request]:
    """Every way a SPARQL server can be written to: the update endpoint, an update sent to the query
    endpoint, and the Graph Store protocol (PUT, POST, DELETE)."""
    turtle = b"<http://example.org/a> <http://example.org/b> <http://example.org/c> ."
    form = urllib.parse.urlencode({"update": INSERT}).encode()
    return {
        "update": urllib.request.Request(
            f"{base}/update", data=INSERT.encode(), method="POST", headers={"Content-Type": "application/sparql-update"}
        ),
        "update-form": urllib.request.Request(
            f"{base}/update", data=form, method="POST", headers={"Content-Type": "application/x-www-form-urlencoded"}
        ),
        "update-at-query": urllib.request.Request(
            f"{base}/query", data=INSERT.encode(), method="POST", headers={"Content-Type": "application/sparql-update"}
        ),
        "store-put": urllib.request.Request(
            f"{base}/store?default", data=turtle, method="PUT", headers={"Content-Type": "text/turtle"}
        ),
        "store-post": urllib.request.Request(
            f"{base}/store?default", data=turtle, method="POST", headers={"Content-Type": "text/turtle"}
        ),
        "store-delete": urllib.request.Request(f"{base}/store?default", method="DELETE"),
    }


def listening_addresses(proc: subprocess.Popen[str], port: int | None = None) -> set[str]:
    psutil = pytest.importorskip("psutil")
    addrs = set()
    for p in [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]:
        for c in p.net_connections(kind="inet"):
            if c.status == psutil.CONN_LISTEN and port in (None, c.laddr.port):
                addrs.add(c.laddr.ip)
    return addrs


def test_read_only_on_loopback_by_default(nasty_ttl: Path) -> None:
    before = nasty_ttl.read_bytes()
    with serving(nasty_ttl) as (proc, line, port):
        base = f"http://127.0.0.1:{port}"
        assert line == f"SPARQL endpoint: {base}/query (read-only)"
        assert listening_addresses(proc) == {"127.0.0.1"}
        n = count(base)
        assert n > 0
        for how, req in write_attempts(base).items():
            assert refused(req), f"a read-only server accepted a write ({how})"
        assert count(base) == n
    assert nasty_ttl.read_bytes() == before


def test_hostile_names_answer_over_http(nasty_ttl: Path) -> None:
    """The store (loaded with ``oxigraph load``, another parser) holds every hostile name exactly."""
    graph = nasty_graph()
    with serving(nasty_ttl) as (_, _, port):
        rows = sparql(
            f"http://127.0.0.1:{port}", "SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
        )
    assert {n.name for n in graph.nodes} <= {r["l"]["value"] for r in rows}


def test_writable_says_so_and_never_touches_the_file(nasty_ttl: Path) -> None:
    before = nasty_ttl.read_bytes()
    with serving(nasty_ttl, "--writable") as (proc, line, port):
        base = f"http://127.0.0.1:{port}"
        assert line.startswith(f"SPARQL endpoint: {base}/query") and "writable" in line and "read-only" not in line
        assert listening_addresses(proc) == {"127.0.0.1"}
        n = count(base)
        assert not refused(write_attempts(base)["update"])
        assert count(base) == n + 1
    assert nasty_ttl.read_bytes() == before


def test_other_host_only_when_asked(nasty_ttl: Path) -> None:
    with serving(nasty_ttl, "--host", "0.0.0.0") as (proc, line, port):
        assert f"http://0.0.0.0:{port}/query" in line
        # the endpoint on every interface; the Oxigraph server behind its prefix-adding proxy on loopback only
        assert listening_addresses(proc, port) == {"0.0.0.0"}
        assert listening_addresses(proc) == {"0.0.0.0", "127.0.0.1"}
        assert count(f"http://127.0.0.1:{port}") > 0
