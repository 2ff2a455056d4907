"""kg.ttl in real triple stores: the Oxigraph server (loaded over the Graph Store HTTP Protocol, and
through ``kg serve``) and Virtuoso (loaded with isql), queried over HTTP with the bundled examples;
the rows must equal the in-process answers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import free_port, which_or_skip

from kg.query import examples, load_store, select_rows
from kg.serve import find_oxigraph, stop_process

EXAMPLES = {e.name: e.text for e in examples()}


def _norm(var: str, value: str | None) -> str | None:
    # GROUP_CONCAT has no defined order: compare its parts as a set.
    if value is not None and var == "aliases":
        return "|".join(sorted(value.split("|")))
    return value


def local_rows(ttl: Path, query: str) -> tuple[list[str], list[tuple[str | None, ...]]]:
    variables, rows = select_rows(load_store(ttl), query)
    out = [
        tuple(_norm(v, None if t is None else str(t.value)) for v, t in zip(variables, r, strict=True)) for r in rows
    ]
    return variables, sorted(out, key=repr)


def http_rows(
    endpoint: str,
    query: str,
    variables: list[str],
    params: dict[str, str] | None = None,
) -> list[tuple[str | None, ...]]:
    data = urllib.parse.urlencode({"query": query, **(params or {})}).encode()
    req = urllib.request.Request(
        endpoint,
        data=data,
        headers={
            "Accept": "application/sparql-results+json",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    with urllib.request.urlopen(req, timeout=20) as resp:
        res = json.load(resp)
    rows = [tuple(_norm(v, b[v]["value"] if v in b else None) for v in variables) for b in res["results"]["bindings"]]
    return sorted(rows, key=repr)


def wait_http(url: str, proc: subprocess.Popen[Any], timeout: float = 25.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


def stop(proc: subprocess.Popen[Any]) -> None:
    stop_process(proc, timeout=15)


@pytest.fixture(params=["fixture", "sample"])
def graph_ttl(request: pytest.FixtureRequest, fixture_ttl: Path, sample_build: Path) -> Path:
    return fixture_ttl if request.param == "fixture" else sample_build / "kg.ttl"


# --------------------------------------------------------------------------------------------------
# Oxigraph


@pytest.fixture
def oxigraph_server() -> Iterator[str]:
    """An empty, writable in-memory Oxigraph server on a free loopback port; yields its base URL."""
    binary = find_oxigraph()
    if binary is None:
        pytest.skip("the `oxigraph` server binary (PyPI package oxigraph) is not installed")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "serve", "--bind", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/query?query=ASK%7B%7D", proc)
        yield base
    finally:
        stop(proc)


def test_oxigraph_server_answers_like_in_process(oxigraph_server: str, graph_ttl: Path) -> None:
    req = urllib.request.Request(
        f"{oxigraph_server}/store?default",
        data=graph_ttl.read_bytes(),
        method="PUT",
        headers={"Content-Type": "text/turtle"},
    )
    with urllib.request.urlopen(req, timeout=20) as resp:
        assert resp.status in (200, 201, 204)
    count = http_rows(f"{oxigraph_server}/query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", ["n"])
    _, local_count = local_rows(graph_ttl, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert count == local_count
    for name, text in EXAMPLES.items():
        variables, expected = local_rows(graph_ttl, text)
        assert http_rows(f"{oxigraph_server}/query", text, variables) == expected, name


def test_kg_serve_starts_a_read_only_endpoint(fixture_ttl: Path, tmp_path: Path) -> None:
    if find_oxigraph() is None:
        pytest.skip("the `oxigraph` server binary (PyPI package oxigraph) is not installed")
    port = free_port()
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from kg.cli import main; main()",
            "serve",
            "--graph",
            str(fixture_ttl),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        endpoint = f"http://127.0.0.1:{port}/query"
        assert line == f"SPARQL endpoint: {endpoint} (read-only)"
        text = EXAMPLES["evidence"]
        variables, expected = local_rows(fixture_ttl, text)
        assert expected and http_rows(endpoint, text, variables) == expected
        update = urllib.request.Request(
            f"http://127.0.0.1:{port}/update",
            method="POST",
            data=b"INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }",
            headers={"Content-Type": "application/sparql-update"},
        )
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(update, timeout=10)
        assert err.value.code in (403, 405)
        assert any(p.name.startswith("kg-serve-") for p in scratch.iterdir())
    finally:
        stop(proc)
    assert proc.returncode == 0
    assert not any(p.name.startswith("kg-serve-") for p in scratch.iterdir()), "the scratch store was left behind"


def test_kg_serve_reports_a_missing_graph(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kg.cli import main

    result = CliRunner().invoke(main, ["serve", "--graph", str(tmp_path / "kg.ttl"), "--port", "0"])
    assert result.exit_code == 2
    assert "kg build" in result.stderr and str(tmp_path / "kg.ttl") in result.stderr


# --------------------------------------------------------------------------------------------------
# Virtuoso

VIRTUOSO_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 0
DirsAllowed = ., {d}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerThreads = 4
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
"""

GRAPH = "urn:hitech-kg:test"


@pytest.fixture
def virtuoso(tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    """A fresh Virtuoso in tmp_path on free loopback ports; yields (isql address, /sparql URL, folder)."""
    server = which_or_skip("virtuoso-t")
    which_or_skip("isql-vt")
    d = tmp_path / "virtuoso"
    d.mkdir()
    sql_port, http_port = free_port(), free_port()
    ini = d / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(d=d, sql_port=sql_port, http_port=http_port), encoding="utf-8")
    proc = subprocess.Popen(
        [server, "+foreground", "+configfile", str(ini)], cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        endpoint = f"http://127.0.0.1:{http_port}/sparql"
        wait_http(f"{endpoint}?query=ASK%7B%7D", proc)
        yield f"127.0.0.1:{sql_port}", endpoint, d
    finally:
        stop(proc)


def test_virtuoso_answers_like_in_process(virtuoso: tuple[str, str, Path], graph_ttl: Path) -> None:
    address, endpoint, folder = virtuoso
    data = folder / "kg.ttl"
    data.write_bytes(graph_ttl.read_bytes())
    load = subprocess.run(
        [
            "isql-vt",
            address,
            "dba",
            "dba",
            f"exec=DB.DBA.TTLP_MT(file_to_string_output('{data}'), '', '{GRAPH}', 0); checkpoint;",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert load.returncode == 0 and "Error" not in load.stdout + load.stderr, load.stdout + load.stderr
    params = {"default-graph-uri": GRAPH}
    _, local_count = local_rows(graph_ttl, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert http_rows(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", ["n"], params) == local_count
    # Every bundled example runs unchanged on Virtuoso (they avoid CONCAT and REGEX on CJK text,
    # which Virtuoso's SPARQL mangles).
    for name, text in EXAMPLES.items():
        variables, expected = local_rows(graph_ttl, text)
        assert http_rows(endpoint, text, variables, params) == expected, name


def test_kg_serve_accepts_queries_without_prefix_lines(fixture_ttl: Path) -> None:
    """Issue 15: a query typed for ``kg query`` (predeclared hkg:, rdfs: …) failed at the endpoint."""
    if find_oxigraph() is None:
        pytest.skip("the `oxigraph` server binary (PyPI package oxigraph) is not installed")
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from kg.cli import main; main()",
            "serve",
            "--graph",
            str(fixture_ttl),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().startswith("SPARQL endpoint:")
        endpoint = f"http://127.0.0.1:{port}/query"
        bare = "SELECT ?name WHERE { ?p a hkg:Park ; rdfs:label ?name }"
        variables, expected = local_rows(fixture_ttl, bare)
        assert len(expected) == 4
        assert http_rows(endpoint, bare, variables) == expected  # POST, form-encoded
        get = urllib.request.Request(
            f"{endpoint}?{urllib.parse.urlencode({'query': bare})}",
            headers={"Accept": "application/sparql-results+json"},
        )
        with urllib.request.urlopen(get, timeout=20) as resp:
            assert len(json.load(resp)["results"]["bindings"]) == 4
        direct = urllib.request.Request(
            endpoint,
            data=bare.encode(),
            headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
        )
        with urllib.request.urlopen(direct, timeout=20) as resp:
            assert len(json.load(resp)["results"]["bindings"]) == 4
        # a prefix the query declares itself wins over the predeclared one
        own = "PREFIX hkg: <http://example.org/> ASK { ?p a hkg:Park }"
        ask = urllib.request.Request(
            f"{endpoint}?{urllib.parse.urlencode({'query': own})}",
            headers={"Accept": "application/sparql-results+json"},
        )
        with urllib.request.urlopen(ask, timeout=20) as resp:
            assert json.load(resp)["boolean"] is False
        # an unknown prefix is still the server's error
        bad = urllib.request.Request(f"{endpoint}?{urllib.parse.urlencode({'query': 'ASK { ?p a nope:Park }'})}")
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(bad, timeout=20)
        assert err.value.code == 400
    finally:
        stop(proc)
    assert proc.returncode == 0


# --------------------------------------------------------------------------------------------------
# The README's commands for loading kg.ttl into a store of one's own, run as written (issue 15)

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_block(name: str) -> str:
    """The fenced block after ``<!-- tested by tests/test_stores.py: NAME -->`` in README.md."""
    text = README.read_text(encoding="utf-8")
    marker = f"<!-- tested by tests/test_stores.py: {name} -->"
    assert marker in text, f"README.md has no {marker}"
    after = text.split(marker, 1)[1].lstrip("\n")
    assert after.startswith("```"), name
    return after.split("\n", 1)[1].split("```", 1)[0]


def _with_ports(text: str, ports: dict[str, int]) -> str:
    # the README's ports, replaced by free ones so that the test never meets a server already there
    for readme_port, port in ports.items():
        text = text.replace(readme_port, str(port))
    return text


def _count_csv(output: str) -> str:
    lines = output.strip().splitlines()
    assert len(lines) >= 2 and lines[0].strip() in ('"n"', "n"), output
    return lines[1].strip()


def test_readme_oxigraph_commands(fixture_ttl: Path, tmp_path: Path) -> None:
    binary = find_oxigraph()
    if binary is None:
        pytest.skip("the `oxigraph` server binary (PyPI package oxigraph) is not installed")
    which_or_skip("curl")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "kg.ttl").write_bytes(fixture_ttl.read_bytes())
    port = free_port()
    lines = [ln for ln in _with_ports(readme_block("oxigraph"), {"7878": port}).splitlines() if ln.strip()]
    assert [ln.split()[:2] for ln in lines] == [["oxigraph", "load"], ["oxigraph", "serve-read-only"], ["curl", "-s"]]
    env = {**os.environ, "PATH": f"{Path(binary).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    load = subprocess.run(["bash", "-c", lines[0]], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert load.returncode == 0, load.stderr
    server = subprocess.Popen(
        ["bash", "-c", f"exec {lines[1]}"], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", server)
        query = subprocess.run(
            ["bash", "-c", lines[2]], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
        )
        assert query.returncode == 0, query.stderr
    finally:
        stop(server)
    _, local_count = local_rows(fixture_ttl, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert _count_csv(query.stdout) == local_count[0][0]


def test_readme_virtuoso_commands(fixture_ttl: Path, tmp_path: Path) -> None:
    which_or_skip("virtuoso-t")
    which_or_skip("isql-vt")
    which_or_skip("curl")
    ports = {"1111": free_port(), "8890": free_port()}
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "kg.ttl").write_bytes(fixture_ttl.read_bytes())
    folder = tmp_path / "kg-virtuoso"
    folder.mkdir()
    (folder / "virtuoso.ini").write_text(_with_ports(readme_block("virtuoso.ini"), ports), encoding="utf-8")
    script = _with_ports(readme_block("virtuoso"), ports)
    try:
        run = subprocess.run(["bash", "-e", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stdout + run.stderr
        assert "Error" not in run.stdout + run.stderr, run.stdout + run.stderr
    finally:
        # the server the script started in the background, should the script have failed before `-K`
        lock = folder / "virtuoso.lck"
        if lock.is_file():
            pid = lock.read_text().strip().removeprefix("VIRT_PID=")
            if pid.isdigit():
                try:
                    os.kill(int(pid), 15)
                except ProcessLookupError:
                    pass
    _, local_count = local_rows(fixture_ttl, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    count_line = run.stdout[run.stdout.index('"n"') :]
    assert _count_csv(count_line.split("OpenLink", 1)[0]) == local_count[0][0]
