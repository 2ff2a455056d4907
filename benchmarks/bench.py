"""Benchmark ``kg build`` on generated corpora and print the results as Markdown tables.

Measures, on corpora made by ``gen_corpus.py`` (1, 10 and 100 MB by default):

* the end-to-end ``kg build`` (the real CLI in a subprocess, all outputs written, a cold extraction
  cache) — wall time, MB of input text per second, peak memory of the process tree;
* a plain ``jieba.lcut`` pass over the same files in this process (the anchor; the dictionary is
  loaded before the clock starts), and the ratio build / jieba;
* scaling: each size's build time against the previous size's, to compare with the size ratio;
* an incremental rebuild into the same output folder after editing one file (of the 10 MB corpus,
  else the largest), checked byte for byte against a full build of the edited corpus, and one after
  only touching a file (with and without the record of the last build);
* writing Turtle with ``kg.writers.rdf.write_turtle`` against rdflib's serializer on the same triples;
* the latency of each bundled example query (``kg/data/queries``) on the largest graph, in-process
  with pyoxigraph (loaded once; median of 5 runs, results fully read).

With ``--scheduler`` it measures instead, on each size (default 100 MB), ``kg build`` through a Dask
``LocalCluster`` of 2 single-thread worker processes (``kg build --scheduler``) against the same build on
the local process pool, in one run on the same machine, alternating, and prints the overhead (needs the
``dask`` extra); the outputs of the two are checked byte for byte.

Usage::

    python benchmarks/bench.py                  # 1, 10 and 100 MB (the 100 MB build takes minutes)
    python benchmarks/bench.py --sizes 1,10     # skip 100 MB
    python benchmarks/bench.py --scheduler      # 100 MB: a Dask LocalCluster vs the local pool
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_corpus import DEFAULT_OUT, generate  # noqa: E402

from kg.writers.tables import OUTPUTS  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


@dataclass
class BuildRun:
    seconds: float
    peak_mem: int  # bytes: the highest PSS sum over the process tree
    summary: str


def corpus_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.txt"))


def kg_command() -> list[str]:
    exe = Path(sys.executable).with_name("kg")
    return [str(exe)] if exe.exists() else [sys.executable, "-c", "from kg.cli import main; main()"]


def tree_memory(proc: psutil.Process) -> int:
    """Physical memory of a process tree: the sum of PSS (each shared page split among its sharers,
    so forked workers sharing the parent's data are not counted twice), RSS where PSS is unknown."""
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            info = p.memory_full_info()
            total += getattr(info, "pss", info.rss)
        except psutil.Error:
            pass
    return total


def run_build(corpus: Path, out: Path, cache: Path | None, jobs: int | None, extra: tuple[str, ...] = ()) -> BuildRun:
    """``kg build CORPUS -o OUT [EXTRA]`` in a subprocess, polling the memory of its process tree."""
    cmd = [*kg_command(), "build", str(corpus), "-o", str(out), *extra]
    cmd += ["--cache-dir", str(cache)] if cache else ["--no-cache"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = psutil.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        peak = 0
        while proc.poll() is None:
            try:
                peak = max(peak, tree_memory(proc))
            except psutil.Error:
                pass
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        err.seek(0)
        log = err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise SystemExit(f"bench: `{' '.join(cmd)}` failed ({proc.returncode}):\n{log}")
    summary = next((ln for ln in reversed(log.splitlines()) if ln.startswith("kg: ")), "")
    return BuildRun(seconds, peak, summary)


def cache_entries(cache: Path) -> set[Path]:
    return set(cache.glob("*/*/*.pkl"))


def jieba_pass(files: list[Path]) -> float:
    """Read and ``jieba.lcut`` every file, one process; the dictionary is loaded beforehand."""
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    started = time.perf_counter()
    for path in files:
        jieba.lcut(path.read_text(encoding="utf-8"))
    return time.perf_counter() - started


def edit_one_file(files: list[Path], variant: int = 0) -> tuple[Path, bytes]:
    path = files[len(files) // 2]
    original = path.read_bytes()
    lab = "人工智能联合实验室" if variant == 0 else f"人工智能联合实验室{variant + 1}期"
    path.write_bytes(original + f"\n中关村科技园区与清华大学签署战略合作协议，共建{lab}。\n".encode())
    return path, original


def rdf_writing(corpus: Path, cache: Path, jobs: int, scratch: Path) -> dict[str, float | int]:
    """Turtle written by kg.writers.rdf.write_turtle vs rdflib's serializer, on the same graph and triples."""
    import rdflib

    from kg.build.pipeline import build
    from kg.writers import rdf

    graph = build(corpus_files(corpus), jobs=jobs, cache_dir=cache).graph  # from the warm cache
    started = time.perf_counter()
    rdf.write_turtle(scratch / "kg.ttl", graph)
    ours = time.perf_counter() - started

    g = rdflib.Graph()
    for prefix, ns in rdf.PREFIXES.items():
        g.bind(prefix, rdflib.Namespace(ns), override=True, replace=True)
    for s, p, o in rdf.iter_triples(graph):
        if isinstance(o, rdf.Literal):
            obj: rdflib.term.Node = rdflib.Literal(
                o.value, lang=o.lang, datatype=rdflib.URIRef(o.datatype) if o.datatype else None
            )
        else:
            obj = rdflib.URIRef(o)
        g.add((rdflib.URIRef(s), rdflib.URIRef(p), obj))
    started = time.perf_counter()
    g.serialize(destination=str(scratch / "rdflib.ttl"), format="turtle")
    theirs = time.perf_counter() - started
    return {
        "triples": len(g),
        "ours": ours,
        "rdflib": theirs,
        "ours_bytes": (scratch / "kg.ttl").stat().st_size,
        "rdflib_bytes": (scratch / "rdflib.ttl").stat().st_size,
    }


def sparql_latency(ttl: Path, runs: int = 5) -> tuple[float, int, list[tuple[str, int, float]]]:
    """Load the graph once, then each example query ``runs`` times: (load s, triples, [(name, rows, ms)])."""
    from kg.query import examples, execute, load_store

    started = time.perf_counter()
    store = load_store(ttl)
    load = time.perf_counter() - started
    out = []
    for ex in examples():
        times = []
        rows = 0
        for _ in range(runs):
            started = time.perf_counter()
            rows = sum(1 for _ in execute(store, ex.text))
            times.append(time.perf_counter() - started)
        out.append((ex.name, rows, statistics.median(times) * 1000))
    return load, len(store), out


def fmt_mb(n: float) -> str:
    return f"{n / 1e6:,.0f}"


def git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def scheduler_bench(
    sizes: list[float], corpora: Path, seed: int, jobs: int | None, repeat: int, json_out: Path | None
) -> int:
    """Each corpus built on the local pool and through a fresh Dask LocalCluster of 2 single-thread
    workers (started before the clock, as a user's cluster would be running; their one-time setup, the
    lexicons, is timed: it happens in their first task), alternating; the fastest of ``repeat`` each."""
    import dask
    from distributed import LocalCluster

    scratch = Path(tempfile.mkdtemp(prefix="kg-bench-dask-"))
    rows = []
    try:
        for size in sizes:
            corpus = generate(size, corpora, seed=seed)
            files = corpus_files(corpus)
            nbytes = sum(p.stat().st_size for p in files)
            local_runs, dask_runs = [], []
            for i in range(repeat):
                print(f"bench: {size:g} MB, run {i + 1}: the local pool…", file=sys.stderr)
                local_runs.append(run_build(corpus, scratch / "local", None, jobs))
                print(f"bench:   {local_runs[-1].seconds:.1f} s; a Dask LocalCluster of 2 × 1 thread…", file=sys.stderr)
                # Workers as README advises for kg: the statistical profiler (a 10 ms sampling thread)
                # off, since it costs CPU the extraction needs (measured: +15.0% -> +5.0% at 100 MB).
                with (
                    dask.config.set({"distributed.worker.profile.enabled": False}),
                    LocalCluster(
                        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
                    ) as cluster,
                ):
                    dask_runs.append(
                        run_build(corpus, scratch / "dask", None, jobs, ("--scheduler", str(cluster.scheduler_address)))
                    )
                print(f"bench:   {dask_runs[-1].seconds:.1f} s", file=sys.stderr)
            identical = all(
                (scratch / "local" / n).read_bytes() == (scratch / "dask" / n).read_bytes() for n in OUTPUTS
            )
            rows.append((size, len(files), nbytes, local_runs, dask_runs, identical))
        print(
            f"\n### kg build on a Dask cluster\n\n{os.cpu_count()} cores, {platform.python_implementation()} "
            f"{platform.python_version()}, commit {git_commit()}, no extraction cache; the local pool is `kg build "
            f"--jobs {jobs or os.cpu_count()}`, the cluster a `distributed.LocalCluster` of 2 worker processes × 1 "
            f"thread on the same machine, the workers' profiler off (`kg build --scheduler`)"
            f"{f', the fastest of {repeat} runs' if repeat > 1 else ''}.\n"
        )
        print(
            "| corpus | files | local pool (s) | Dask cluster (s) | overhead | client peak PSS, local / Dask (MB) "
            "| outputs |"
        )
        print("|---|---:|---:|---:|---:|---:|---|")
        results = {}
        for size, n_files, nbytes, local_runs, dask_runs, identical in rows:
            local_s, dask_s = min(r.seconds for r in local_runs), min(r.seconds for r in dask_runs)
            print(
                f"| {size:g} MB | {n_files} | {local_s:.1f} | {dask_s:.1f} | {dask_s / local_s - 1:+.1%} | "
                f"{fmt_mb(max(r.peak_mem for r in local_runs))} / {fmt_mb(max(r.peak_mem for r in dask_runs))} | "
                f"{'byte-identical' if identical else 'DIFFERENT'} |"
            )
            results[f"{size:g}"] = {
                "files": n_files,
                "bytes": nbytes,
                "local_s": [r.seconds for r in local_runs],
                "dask_s": [r.seconds for r in dask_runs],
                "identical": identical,
            }
        print(
            "\n(The client's peak excludes the Dask workers, which are not its children; the local pool's workers are.)"
        )
        if json_out:
            json_out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0 if all(row[5] for row in rows) else 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark kg build; prints Markdown tables.")
    ap.add_argument(
        "--sizes", default=None, help="Corpus sizes in MB, comma-separated (default 1,10,100; 100 with --scheduler)."
    )
    ap.add_argument("--jobs", type=int, default=None, help="Passed to kg build --jobs (default: its own, all cores).")
    ap.add_argument("--seed", type=int, default=0, help="Corpus generator seed.")
    ap.add_argument("--corpora", type=Path, default=DEFAULT_OUT, help="Where the corpora are generated.")
    ap.add_argument(
        "--rdf-size",
        type=float,
        default=10,
        help="Corpus whose graph is used for the Turtle comparison (default 10 MB, else the largest).",
    )
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="Time every build, rebuild and jieba pass N times (a fresh cache each first build) "
        "and report the fastest; peak memory is the highest (default 1).",
    )
    ap.add_argument("--keep", type=Path, default=None, help="Keep the build outputs in this folder.")
    ap.add_argument("--json", type=Path, default=None, help="Also write the numbers as JSON here.")
    ap.add_argument(
        "--scheduler",
        action="store_true",
        help="Measure kg build through a Dask LocalCluster of 2 single-thread workers against the local "
        "pool instead (on --sizes, default 100).",
    )
    args = ap.parse_args(argv)
    if args.scheduler:
        sizes = sorted(float(s) for s in (args.sizes or "100").split(",") if s.strip())
        return scheduler_bench(sizes, args.corpora, args.seed, args.jobs, args.repeat, args.json)
    sizes = sorted(float(s) for s in (args.sizes or "1,10,100").split(",") if s.strip())
    jobs = args.jobs or os.cpu_count() or 1
    scratch = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    results: dict[str, object] = {"sizes": {}}
    try:
        rows = []
        prev: tuple[float, float] | None = None
        rebuild = None
        rebuild_size = 10.0 if 10.0 in sizes else sizes[-1]
        for size in sizes:
            corpus = generate(size, args.corpora, seed=args.seed)
            files = corpus_files(corpus)
            nbytes = sum(p.stat().st_size for p in files)
            print(f"bench: {size:g} MB: {len(files)} files, building…", file=sys.stderr)
            runs = []
            for _ in range(args.repeat):  # each into a fresh folder with a cold cache; the last is kept
                out, cache = scratch / f"out-{size:g}", scratch / f"cache-{size:g}"
                shutil.rmtree(out, ignore_errors=True)
                shutil.rmtree(cache, ignore_errors=True)
                runs.append(run_build(corpus, out, cache, args.jobs))
                print(f"bench:   {runs[-1].summary}", file=sys.stderr)
            run = BuildRun(min(r.seconds for r in runs), max(r.peak_mem for r in runs), runs[-1].summary)
            anchor = min(jieba_pass(files) for _ in range(args.repeat))
            if size == rebuild_size:
                # Rebuilds go where a user's go: into the same output folder as the first build.
                agains, toucheds, relinkeds = [], [], []
                before = cache_entries(cache)
                for i in range(args.repeat):
                    path, original = edit_one_file(files, variant=i)
                    try:
                        agains.append(run_build(corpus, out, cache, args.jobs).seconds)
                        # the same corpus built into a fresh folder (nothing to copy from): the same bytes?
                        shutil.rmtree(scratch / "out-check", ignore_errors=True)
                        run_build(corpus, scratch / "out-check", cache, args.jobs)
                        identical = all(
                            (out / n).read_bytes() == (scratch / "out-check" / n).read_bytes() for n in OUTPUTS
                        )
                    finally:
                        path.write_bytes(original)
                    run_build(corpus, out, cache, args.jobs)  # back to the first build's corpus
                    os.utime(path)  # `touch`: a newer time stamp, the same content (cached: nothing to extract)
                    toucheds.append(run_build(corpus, out, cache, args.jobs).seconds)
                    # the same without the record of the last build: nothing is extracted, but the corpus is
                    # linked and every output written again (copying what it can from the last kg.ttl/kg.nt)
                    for record in (cache / "builds").glob("*.build"):
                        record.unlink()
                    os.utime(path)
                    relinkeds.append(run_build(corpus, out, cache, args.jobs).seconds)
                extracted = len(cache_entries(cache) - before)
                if extracted != args.repeat:
                    print(
                        f"bench: warning: the rebuilds extracted {extracted} files, not {args.repeat} (was kg "
                        "edited during the run? the cache is keyed by the code)",
                        file=sys.stderr,
                    )
                rebuild = (
                    size,
                    run.seconds,
                    min(agains),
                    extracted // args.repeat,
                    min(toucheds),
                    identical,
                    min(relinkeds),
                )
            scale = ""
            if prev:
                scale = f"{run.seconds / prev[1]:.1f}× for {size / prev[0]:g}× the text"
            prev = (size, run.seconds)
            rows.append((size, len(files), nbytes, run, anchor, scale))
            results["sizes"][f"{size:g}"] = {  # type: ignore[index]
                "files": len(files),
                "bytes": nbytes,
                "build_s": run.seconds,
                "jieba_s": anchor,
                "peak_mem": run.peak_mem,
                "summary": run.summary,
                "runs_s": [r.seconds for r in runs],
            }

        rdf_size = args.rdf_size if args.rdf_size in sizes else sizes[-1]
        print(f"bench: Turtle writing on the {rdf_size:g} MB graph…", file=sys.stderr)
        turtle = rdf_writing(args.corpora / f"{rdf_size:g}MB", scratch / f"cache-{rdf_size:g}", jobs, scratch)
        biggest = sizes[-1]
        print(f"bench: SPARQL on the {biggest:g} MB graph…", file=sys.stderr)
        load_s, n_triples, queries = sparql_latency(scratch / f"out-{biggest:g}" / "kg.ttl")

        print(
            f"\n### kg build benchmark\n\n{os.cpu_count()} cores, {platform.python_implementation()} "
            f"{platform.python_version()}, {platform.system()} {platform.machine()}, commit {git_commit()}, "
            f"`kg build --jobs {jobs}`, cold extraction cache"
            f"{f', the fastest of {args.repeat} runs' if args.repeat > 1 else ''}; corpora from "
            f"`benchmarks/gen_corpus.py "
            f"--seed {args.seed}`.\n"
        )
        print(
            "| corpus | files | kg build (s) | MB/s | jieba.lcut (s) | build / jieba "
            "| peak memory, PSS (MB) | scaling |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---|")
        for size, n_files, nbytes, run, anchor, scale in rows:
            print(
                f"| {size:g} MB | {n_files} | {run.seconds:.1f} | {nbytes / 1e6 / run.seconds:.2f} | {anchor:.1f} | "
                f"{run.seconds / anchor:.2f} | {fmt_mb(run.peak_mem)} | {scale or '—'} |"
            )
        if rebuild:
            size, first, again, extracted, touched_s, identical, relinked_s = rebuild
            print(
                f"\nRebuild of the {size:g} MB corpus into the same folder after editing one file: {again:.2f} s "
                f"= {again / first:.0%} of the first build ({first:.1f} s); files extracted again: {extracted}; "
                f"outputs {'byte-identical' if identical else 'NOT identical'} to a full build of the edited "
                f"corpus. After only touching one file (a new time stamp, the same content: nothing to "
                f"extract, nothing written): {touched_s:.2f} s = {touched_s / first:.0%}; the same without the "
                f"record of the last build (the corpus linked and every output written again): "
                f"{relinked_s:.2f} s = {relinked_s / first:.0%}."
            )
            results["rebuild"] = {
                "size": size,
                "first_s": first,
                "rebuild_s": again,
                "extracted": extracted,
                "touched_s": touched_s,
                "identical_to_full_build": identical,
                "touched_relinked_s": relinked_s,
            }
        print(f"\n| Turtle writing ({rdf_size:g} MB graph, {turtle['triples']:,} triples) | seconds | MB written |")
        print("|---|---:|---:|")
        print(f"| kg.writers.rdf.write_turtle | {turtle['ours']:.2f} | {turtle['ours_bytes'] / 1e6:.1f} |")
        print(
            f'| rdflib Graph.serialize(format="turtle") | {turtle["rdflib"]:.2f} | {turtle["rdflib_bytes"] / 1e6:.1f} |'
        )
        print(f"| speed-up | {turtle['rdflib'] / turtle['ours']:.1f}× | |")
        results["turtle"] = turtle
        print(
            f"\n| SPARQL example ({biggest:g} MB graph: {n_triples:,} triples, loaded in {load_s:.1f} s) "
            "| rows | median of 5 (ms) |"
        )
        print("|---|---:|---:|")
        for name, n_rows, ms in queries:
            print(f"| {name} | {n_rows:,} | {ms:.1f} |")
        results["sparql"] = {
            "load_s": load_s,
            "triples": n_triples,
            "queries": {n: {"rows": r, "ms": ms} for n, r, ms in queries},
        }
        if args.json:
            args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    finally:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for sub in scratch.glob("out-*"):
                shutil.copytree(sub, args.keep / sub.name, dirs_exist_ok=True)
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
