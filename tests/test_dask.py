"""``kg build --scheduler``: extraction on a real Dask cluster (a ``dask scheduler`` and two ``dask worker``
processes on 127.0.0.1) gives the outputs of a local build byte for byte, also when a worker is killed
mid-build; a scheduler that is gone ends the build with a clear error and leaves the last outputs.

The client runs in the corpus's parent folder and is given relative paths, the workers in another
folder: a worker that opened a path instead of using the bytes it was sent would not find the file.
"""

from __future__ import annotations

import os
import pickle
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import free_port
from distributed import Client
from test_parallel import load_generator

from kg.build.cache import Cache
from kg.build.dask import ClusterError, DaskExecutor
from kg.build.executors import EXECUTORS, Source, register_executor
from kg.build.inputs import sample_corpus
from kg.build.parallel import extract, file_keys
from kg.build.process import extract_source
from kg.writers.tables import OUTPUTS

BIN = Path(sys.executable).parent
START_TIMEOUT = 60  # seconds for the cluster to come up on a busy machine
BUILD_TIMEOUT = 600


def dask_cmd(*args: str) -> list[str]:
    exe = BIN / "dask"
    return [str(exe), *args] if exe.exists() else [sys.executable, "-m", "dask", *args]


def stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    """Stop a process started in its own session, with its children (a worker's nanny and its worker)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)


def wait_for_port(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the scheduler exited:\n{log.read_text(errors='replace')}"
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"the scheduler did not listen within {START_TIMEOUT} s:\n{log.read_text(errors='replace')}")


class Cluster:
    def __init__(
        self, address: str, scheduler: subprocess.Popen[bytes], workers: list[subprocess.Popen[bytes]], logs: Path
    ) -> None:
        self.address, self.scheduler, self.workers, self.logs = address, scheduler, workers, logs

    def log(self) -> str:
        tails = (f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in sorted(self.logs.glob("*.log")))
        return "\n".join(tails)


@contextmanager
def dask_cluster(root: Path, n_workers: int = 2) -> Iterator[Cluster]:
    """A scheduler and ``n_workers`` single-thread workers on loopback, free ports, stopped on exit."""
    logs, workdir = root / "logs", root / "workers"
    logs.mkdir(parents=True)
    workdir.mkdir()
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs: list[subprocess.Popen[bytes]] = []

    def start(name: str, *args: str) -> subprocess.Popen[bytes]:
        with (logs / f"{name}.log").open("wb") as out:
            proc = subprocess.Popen(
                dask_cmd(*args),
                cwd=workdir,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        procs.append(proc)
        return proc

    try:
        scheduler = start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard")
        wait_for_port(port, scheduler, logs / "scheduler.log")
        workers = [
            start(
                f"worker{i}",
                "worker",
                address,
                "--nthreads",
                "1",
                "--host",
                "127.0.0.1",
                "--no-dashboard",
                "--name",
                f"w{i}",
                "--local-directory",
                str(workdir / f"w{i}"),
            )
            for i in range(n_workers)
        ]
        with Client(address, timeout=START_TIMEOUT, set_as_default=False) as client:
            client.wait_for_workers(n_workers, timeout=START_TIMEOUT)
        yield Cluster(address, scheduler, workers, logs)
    finally:
        for proc in reversed(procs):
            stop(proc)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with dask_cluster(tmp_path_factory.mktemp("dask")) as c:
        yield c


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with ``sample/`` (the bundled pages), ``10MB/`` (the benchmark corpus) and ``bad/`` (two
    sample pages beside a binary file, an undecodable one and a .jsonl file with a broken line)."""
    root = tmp_path_factory.mktemp("work")
    (root / "sample").mkdir()
    for page in sample_corpus():
        shutil.copyfile(page, root / "sample" / page.name)
    load_generator().generate(10, root, seed=0)
    bad = root / "bad"
    bad.mkdir()
    for page in sample_corpus()[:2]:
        shutil.copyfile(page, bad / page.name)
    (bad / "binary.txt").write_bytes(b"\x00\x01\x02PK\x03\x04" * 200)
    (bad / "cut.txt").write_bytes("高新区企业".encode() * 50 + b"\xe4\xb8")
    (bad / "feed.jsonl").write_text(
        '{"id": "a", "text": "贵州翰斯智能技术有限公司落户贵阳高新区。"}\n{"id": \n', encoding="utf-8"
    )
    return root


def kg(work: Path, *args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real ``kg`` command line, run in ``work`` (so inputs are relative paths)."""
    exe = BIN / "kg"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-c", "from kg.cli import main; main()"]
    return subprocess.run(
        [*cmd, *map(str, args)],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
    )


def outputs(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in OUTPUTS}


@pytest.fixture(scope="module")
def local(work: Path) -> dict[str, dict[str, bytes]]:
    """Each corpus built locally (all cores, no cache): the reference outputs, and the exit code and messages."""
    ref: dict[str, dict[str, bytes]] = {}
    for corpus in ("sample", "10MB", "bad"):
        done = kg(work, "build", corpus, "-o", f"local-{corpus}", "--no-cache")
        assert done.returncode == (1 if corpus == "bad" else 0), done.stderr
        ref[corpus] = outputs(work / f"local-{corpus}")
        skipped = [ln for ln in done.stderr.splitlines() if ln.startswith("kg: skipped ")]
        ref[corpus]["stderr"] = "\n".join(skipped).encode()
    return ref


@pytest.mark.parametrize("corpus", ["sample", "10MB"])
def test_cluster_build_is_byte_identical_to_a_local_one(
    corpus: str, cluster: Cluster, work: Path, local: dict[str, dict[str, bytes]], tmp_path: Path
) -> None:
    started = time.monotonic()
    done = kg(work, "build", corpus, "-o", tmp_path / "out", "--no-cache", "--scheduler", cluster.address)
    assert done.returncode == 0, done.stderr + cluster.log()
    print(f"{corpus} through the cluster: {time.monotonic() - started:.1f} s")
    got = outputs(tmp_path / "out")
    for name in OUTPUTS:
        assert got[name] == local[corpus][name], name
    assert len(got["extractions.jsonl"].splitlines()) >= 5


def test_bad_input_is_reported_as_a_local_build_does(
    cluster: Cluster, work: Path, local: dict[str, dict[str, bytes]], tmp_path: Path
) -> None:
    # The scheduler from the environment, as a user sets it once for every build.
    done = kg(work, "build", "bad", "-o", tmp_path / "out", "--no-cache", env={"KG_SCHEDULER": cluster.address})
    assert done.returncode == 1, done.stderr
    skipped = "\n".join(ln for ln in done.stderr.splitlines() if ln.startswith("kg: skipped "))
    assert skipped.encode() == local["bad"]["stderr"]
    assert "bad/binary.txt: binary file" in skipped and "bad/cut.txt" in skipped and "bad/feed.jsonl:2" in skipped
    got = outputs(tmp_path / "out")
    assert all(got[name] == local["bad"][name] for name in OUTPUTS)
    assert b"feed.jsonl#a" in got["extractions.jsonl"]  # the good line of the broken file is built


class Recording(DaskExecutor):
    """The dask executor, registered under another name, recording what it is sent."""

    sent: list[Source] = []

    def imap(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        def record() -> Iterator[Any]:
            for item in items:
                Recording.sent.append(item)
                yield item

        return super().imap(fn, record())


@pytest.fixture
def recording() -> Iterator[str]:
    register_executor("dask-recording")(Recording)
    Recording.sent = []
    try:
        yield "dask-recording"
    finally:
        del EXECUTORS["dask-recording"]


def test_cached_files_are_never_sent_and_results_come_in_input_order(
    cluster: Cluster, work: Path, tmp_path: Path, recording: str
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for page in sorted((work / "10MB").glob("*.txt"))[:24]:
        shutil.copyfile(page, corpus / page.name)
    files = sorted(corpus.glob("*.txt"))
    assert len(files) == 24
    cache = Cache(tmp_path / "cache")
    options = {"address": cluster.address, "batch": 3}
    seen: list[int] = []
    # jobs=1: a cluster's executor runs the uncached files whatever the local core count
    first = list(
        extract(
            files,
            cache=cache,
            progress=seen.append,
            keys=file_keys(files),
            executor=recording,
            executor_options=options,
        )
    )
    assert seen == [1] * len(files)  # per-file progress
    assert [s.name for s in Recording.sent] == [str(p) for p in files]
    assert all(s.data == p.read_bytes() for s, p in zip(Recording.sent, files, strict=True))
    local = list(extract(files, jobs=1))
    assert [(d[0], d[1]) for d in first] == [(d[0], d[1]) for d in local]  # in input order, the same results
    # One file edited: only it goes to the cluster; the others come from the client's cache.
    files[7].write_text(
        files[7].read_text(encoding="utf-8") + "\n中关村科技园区与清华大学签署战略合作协议。\n", encoding="utf-8"
    )
    Recording.sent.clear()
    again = list(extract(files, cache=cache, keys=file_keys(files), executor=recording, executor_options=options))
    assert [s.name for s in Recording.sent] == [str(files[7])]
    assert [(d[0], d[1]) for d in again] == [(d[0], d[1]) for d in extract(files, jobs=1)]


def test_an_unreadable_file_is_never_sent_as_a_path(cluster: Cluster, tmp_path: Path, recording: str) -> None:
    page = sample_corpus()[0]
    good, gone = tmp_path / page.name, tmp_path / "gone.txt"
    shutil.copyfile(page, good)
    gone.symlink_to(tmp_path / "nowhere.txt")
    options = {"address": cluster.address}
    got = list(extract([gone, good], executor=recording, executor_options=options))
    assert [s.data for s in Recording.sent] == [b"", good.read_bytes()]  # bytes only, never a path to open
    assert [str(e) for e in got[0][2]] == [f"{gone}: broken symbolic link"] and not got[0][0]
    assert [(d.doc, d.path) for d in got[1][0]] == [(page.name, str(good))] and not got[1][2]


def test_a_worker_extracts_the_bytes_it_is_sent_not_the_path(tmp_path: Path) -> None:
    page = sample_corpus()[0]
    assert extract_source(Source(name=str(page), data=page.read_bytes())) == extract_source(Source(str(page), None))
    elsewhere = str(tmp_path / "not-here" / page.name)  # what a worker sees of the client's path: nothing
    summaries, text, errors = extract_source(Source(name=elsewhere, data=page.read_bytes()))
    docs = pickle.loads(summaries)
    assert not errors and [(d.doc, d.path) for d in docs] == [(page.name, elsewhere)] and docs[0].relations
    _, _, errors = extract_source(Source(name=elsewhere, data=b"\x00\x01\x02\x03" * 50))
    assert [str(e) for e in errors] == [f"{elsewhere}: binary file (contains NUL bytes), not text"]


def test_a_worker_killed_mid_build_changes_nothing(
    work: Path, local: dict[str, dict[str, bytes]], tmp_path: Path
) -> None:
    with dask_cluster(tmp_path / "cluster") as cl, Client(cl.address, set_as_default=False) as watch:
        victim = cl.workers[0]
        victim_address = next(a for a, w in watch.scheduler_info()["workers"].items() if w["name"] == "w0")
        exe = BIN / "kg"
        proc = subprocess.Popen(
            [str(exe), "build", "10MB", "-o", str(tmp_path / "out"), "--no-cache", "--scheduler", cl.address],
            cwd=work,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + BUILD_TIMEOUT
            busy: Iterable[str] = ()
            while time.monotonic() < deadline:  # until the victim is running tasks
                busy = watch.processing().get(victim_address, ())
                if busy or proc.poll() is not None:
                    break
                time.sleep(0.05)
            assert busy and proc.poll() is None, "the build ended before a worker could be killed"
            stop(victim, signal.SIGKILL)  # the nanny and its worker process: a machine gone
            _, err = proc.communicate(timeout=BUILD_TIMEOUT)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == 0, err + cl.log()
        assert len(watch.scheduler_info()["workers"]) == 1  # the build finished on the other worker
        print(f"killed w0 with {len(list(busy))} task(s) on it")
    got = outputs(tmp_path / "out")
    for name in OUTPUTS:
        assert got[name] == local["10MB"][name], name


def test_a_stopped_scheduler_is_a_clear_error_and_the_last_outputs_stay(work: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(work / "local-sample", out)
    before = outputs(out)
    port = free_port()
    log = tmp_path / "scheduler.log"
    with log.open("wb") as fh:
        scheduler = subprocess.Popen(
            dask_cmd("scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"),
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for_port(port, scheduler, log)
    finally:
        stop(scheduler)
    started = time.monotonic()
    done = kg(
        work,
        "build",
        "sample",
        "-o",
        out,
        "--no-cache",
        "--scheduler",
        f"tcp://127.0.0.1:{port}",
        env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "3s"},
    )
    assert done.returncode == 2, done.stderr
    assert f"kg: cannot reach the Dask scheduler at tcp://127.0.0.1:{port}" in done.stderr
    assert "left as they were" in done.stderr and "Traceback" not in done.stderr
    assert time.monotonic() - started < 60
    assert outputs(out) == before
    assert sorted(p.name for p in out.iterdir()) == sorted(before)  # no staging folder left behind


def test_the_executor_reports_a_lost_scheduler(tmp_path: Path) -> None:
    with dask_cluster(tmp_path / "cluster", n_workers=1) as cl:
        executor = DaskExecutor(address=cl.address)
        try:
            results = executor.imap(time.sleep, [0.05] * 400)
            assert next(results) is None
            stop(cl.scheduler, signal.SIGKILL)
            with pytest.raises(ClusterError, match=r"lost the Dask scheduler at tcp://127\.0\.0\.1:\d+"):
                list(results)
        finally:
            executor.close()


def test_dask_is_an_executor_imported_only_when_one_is_made(tmp_path: Path) -> None:
    assert EXECUTORS["dask"] is DaskExecutor and DaskExecutor.shares_filesystem is False
    code = "import sys, kg.cli, kg.build.builder; print(sorted(m for m in ('dask', 'distributed') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "[]", done.stderr  # kg builds without the dask extra installed
    done = kg(tmp_path, "build", "-o", tmp_path / "out", "--executor", "dask", env={"KG_SCHEDULER": ""})
    assert done.returncode == 2 and "the executor dask needs its scheduler's address" in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_task_carries_the_clients_recognizers() -> None:
    # Workers started with `dask worker` share neither the client's environment (KG_RECOGNIZERS, set by
    # --recognizers/--fast) nor its configure(): each task brings the client's choice, and a worker
    # whose own differs switches to it before extracting, so the cache key and the results agree.
    from kg.build.dask import _run_batch
    from kg.extract.mentions import chosen, configure

    before = chosen()
    try:
        configure(["lexicon", "suffix"], "rules-first")
        wanted = chosen()
        configure(None, None)  # the worker's own default
        assert chosen() != wanted
        seen = _run_batch(lambda _: chosen(), [0, 1], None, wanted)
        assert seen == [wanted, wanted]
    finally:
        configure(*before)
