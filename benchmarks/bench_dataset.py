"""How fast is the Parquet dataset: syncing a space into it, and loading it back?

Generates a space of 50 runs of 2,000 tasks each (100,000 tasks; ``make_run(2000,
random_state=k)`` for run k, every task's ``run_id`` set to its run's). The runs are made
finished (unfinished task statuses become ``failed``, evaluation-pending outputs lose their
note), so that a second sync has nothing to fetch. Each run's task pages are serialised once,
for the client's default ``page_size``, and only those bytes are kept: a local threaded HTTP
server (``tests/_server.py``) serves them, so the server costs little and no task dicts sit in
memory for the garbage collector to scan. Then:

1. Sync: ``sync_space`` into a fresh temporary root, timed once; tasks/s. The time spent in
   HTTP is measured by wrapping the client's ``_fetch`` (request sent, answer's body read in
   full; the JSON decode, paging and dedup are outside it) with a timer, so "outside HTTP" is
   everything the sync does besides transport. For reference, ``iter_run_tasks`` alone over
   the same runs (transport, decode, dedup) is timed too. The server's threads share this
   process, so their work (sending bytes) counts inside HTTP; a real API is far slower, so
   there the share outside HTTP is smaller. A second sync (every run complete and
   unchanged, so all are skipped after one ``page_size=1`` request each) is timed as well
   (best of ``--rounds``).
2. Load: ``open_dataset(root).load()`` against ``load_run`` of the 50 JSON snapshots the
   sync saved (``<root>/raw/<space>/<run>.json``, passed as one list of paths), best of
   ``--rounds`` interleaved rounds. Target: Parquet at least 10x faster.
3. Memory: the peak memory of ``Dataset.load()`` against the in-memory size of the four
   tables it returns (``memory_usage(deep=True)``). Arrow allocates outside Python, where
   tracemalloc does not look, so this is measured by the OS in a fresh subprocess (after its
   imports and the manifest read): the peak resident set size reached during the load
   (``VmHWM`` of ``/proc/self/status``, reset just before the load by writing 5 to
   ``/proc/self/clear_refs``) minus the resident set size right before it (``VmRSS``). Not
   ``getrusage().ru_maxrss``: Linux carries it over ``exec``, so a subprocess of this big
   process would start with the parent's peak. The peak counts pages the allocators keep for
   reuse, so it is an upper bound on what the load needs. Target: at most 2x the tables. A
   second subprocess cross-checks it with Arrow's pool peak
   (``pa.default_memory_pool().max_memory()``) plus tracemalloc's peak (Python and numpy
   allocations): what the load asks the allocators for, without what they keep around it
   (the two peaks need not coincide, so their sum is an upper bound of that).
4. One run: ``load(runs=[one])`` on the 50-run dataset against ``load()`` of a dataset
   holding only that run (``write_dataset`` of its snapshot), in the same interleaved rounds
   (the one-run loads 10 in a row each round, as they take milliseconds). The target is that
   a one-run load costs what that run costs, not what the dataset costs: at most 1.2x the
   run alone. Its share of ``load()`` is printed too; it sits above the ideal 1/50 because a
   load has a fixed cost of some milliseconds (opening four files, building four frames),
   while ``load()`` reads its 200 files in parallel.

The server is stopped and its pages freed before the load part. Prints each part's figures,
then the targets, met or MISSED. Linux only (``/proc``). Not part of the test run. At the
default size it takes about 1.5 minutes and 2.5 GB. The Parquet reads use every core, so run
it on a quiet machine; the share of CPU idle before the start is printed.

    .venv/bin/python benchmarks/bench_dataset.py [--runs 50] [--tasks-per-run 2000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa

from analytics.datasets import make_run
from analytics.io import write_dataset
from analytics.io.client import UnpodClient
from analytics.io.sync import sync_space
from analytics.load import load_run, open_dataset
from analytics.schema import UNFINISHED_TASK_STATUSES

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from _server import FakeUnpod, Reply, Request, ok, paged

SPACE = "SBENCH"
FEW = 10
"""One-run loads take milliseconds: each round times this many in a row."""
MIB = 2**20


def timed(fn: Callable, *args, **kwargs) -> float:
    gc.collect()
    start = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - start


def repeat(times: int, fn: Callable[[], object]) -> None:
    for _ in range(times):
        fn()


def best_of(rounds: int, calls: dict[str, Callable[[], object]]) -> dict[str, float]:
    """Best wall-clock time of each call over ``rounds`` rounds, the calls interleaved in
    every round so that a slow stretch of the machine hits all of them alike."""
    times = [{name: timed(call) for name, call in calls.items()} for _ in range(rounds)]
    return {name: min(t[name] for t in times) for name in calls}


# --- the space, served ------------------------------------------------------------------------


def finished(task: dict) -> dict:
    """``task`` as a finished run has it: no unfinished status, no evaluation still to come."""
    if task["status"] in UNFINISHED_TASK_STATUSES:
        task["status"] = "failed"
    output = task.get("output")
    note = output.get("data") if isinstance(output, dict) else None
    if isinstance(note, str) and "available soon" in note:  # the platform's "evaluating" note
        del output["data"]
    return task


def body(tasks: list[dict], page: int, size: int) -> bytes:
    return json.dumps(ok(tasks[(page - 1) * size : page * size], count=len(tasks)).body).encode()


def make_space(n_runs: int, n_tasks: int, page_size: int) -> tuple[list[dict], dict]:
    """The run objects (newest first, as listed) and, per run id, its served pages as bytes:
    every page of ``page_size`` up to the first short one, and the one-task count request."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    infos, pages = [], {}
    for k in range(n_runs):
        run_id = f"R{k:032x}"
        tasks = [finished(t) for t in make_run(n_tasks, random_state=k)["data"]]
        for task in tasks:
            task["run_id"] = run_id
        created = (start + timedelta(days=7 * k)).isoformat()
        infos.append(
            {"run_id": run_id, "status": "completed", "created": created, "batch_count": n_tasks}
        )
        served = {
            (p, page_size): body(tasks, p, page_size) for p in range(1, 2 + n_tasks // page_size)
        }
        pages[run_id] = served | {(1, 1): body(tasks, 1, 1)}
    return infos[::-1], pages


def serve(infos: list[dict], pages: dict) -> FakeUnpod:
    server = FakeUnpod()
    server.route(f"/spaces/{SPACE}/runs/", paged(infos))
    for run_id, served in pages.items():
        server.route(f"/spaces/{SPACE}/runs/{run_id}/tasks/", page_route(run_id, served))
    return server.start()


def page_route(run_id: str, served: dict) -> Callable[[Request], Reply]:
    def route(request: Request) -> Reply:
        key = int(request.query.get("page", 1)), int(request.query.get("page_size", 50))
        if key not in served:  # the sync fails this run, and the benchmark stops, saying so
            return Reply(400, {"message": f"page {key} of run {run_id} is not pre-serialised"})
        return Reply(200, served[key])

    return route


class HttpTimer:
    """Wraps ``client._fetch`` (request sent, body read) to add up the time spent in HTTP."""

    def __init__(self, client: UnpodClient) -> None:
        self.seconds, self.requests = 0.0, 0
        fetch = client._fetch

        def timed_fetch(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fetch(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start
                self.requests += 1

        client._fetch = timed_fetch  # type: ignore[method-assign]

    def reset(self) -> None:
        self.seconds, self.requests = 0.0, 0


# --- memory, in a fresh process ---------------------------------------------------------------


def vm(field: str) -> int:
    """A memory figure of this process from ``/proc/self/status``, in bytes."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith(field + ":"))
    return int(line.split()[1]) * 1024


def measure_memory(root: str, method: str) -> None:
    """Print, as JSON, the load's peak memory by ``method`` and the size of its tables."""
    data = open_dataset(root)
    gc.collect()
    if method == "rss":
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")  # VmHWM := VmRSS (Linux >= 4.0)
        before = vm("VmRSS")
        run = data.load()
        peak = vm("VmHWM") - before
        extra = {"before": before}
    else:
        pool = pa.default_memory_pool()
        arrow_before = pool.max_memory()
        tracemalloc.start()
        run = data.load()
        python_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        arrow_peak = pool.max_memory() - arrow_before
        peak = arrow_peak + python_peak
        extra = {"arrow": arrow_peak, "python": python_peak, "backend": pool.backend_name}
    tables = [run.tasks, run.calls, run.turns, run.problems]
    size = int(sum(frame.memory_usage(deep=True).sum() for frame in tables))
    print(json.dumps({"peak": peak, "tables": size, **extra}))


def memory_of_load(root: str, method: str) -> dict:
    script, flags = str(Path(__file__).resolve()), ["--memory", root, "--method", method]
    done = subprocess.run(
        [sys.executable, script, *flags], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.splitlines()[-1])


# --- the benchmark ----------------------------------------------------------------------------


def cpu_idle(seconds: float = 1.0) -> float:
    """The share of CPU time idle over ``seconds``, all cores (``/proc/stat``)."""

    def sample() -> list[int]:
        with open("/proc/stat") as stat:
            return [int(v) for v in stat.readline().split()[1:9]]

    before = sample()
    time.sleep(seconds)
    delta = [b - a for a, b in zip(before, sample())]
    return (delta[3] + delta[4]) / max(sum(delta), 1)


def main(n_runs: int, n_tasks: int, rounds: int) -> None:
    idle = cpu_idle()
    client = UnpodClient(token="bench", base_url="http://127.0.0.1:1/api/v2/platform")
    page_size = client.page_size
    client.close()
    start = time.perf_counter()
    infos, pages = make_space(n_runs, n_tasks, page_size)
    made = time.perf_counter() - start
    served_mb = sum(len(b) for served in pages.values() for b in served.values()) / 1e6
    total = n_runs * n_tasks
    print(
        f"space: {n_runs} runs x {n_tasks:,} tasks = {total:,} tasks; page_size {page_size} "
        f"(client default); {served_mb:,.0f} MB of pages served; generated in {made:.0f} s"
    )
    print(
        f"CPU idle before the start: {idle:.0%} of {os.cpu_count()} cores (the figures mean "
        "something only on a quiet machine: the Parquet reads use every core)"
    )
    server = serve(infos, pages)
    client = UnpodClient(token="bench", base_url=server.base_url, progress=False)
    http = HttpTimer(client)
    with tempfile.TemporaryDirectory() as tmp:
        root = str(Path(tmp) / "data")
        try:
            sync_figures(client, http, root, total, rounds)
            fetch_only(client, http, infos, total)
        finally:
            client.close()
            server.stop()
        del pages
        speed, one_run = load_figures(root, infos, rounds)
        memory = memory_figures(root)
    print("\ntargets                            measured   target")
    for name, measured, target, met in (speed, memory, one_run):
        print(f"   {name:<31} {measured:>8}   {target:<8} {'met' if met else 'MISSED'}")


def sync_figures(client: UnpodClient, http: HttpTimer, root: str, total: int, rounds: int) -> None:
    gc.collect()
    start = time.perf_counter()
    result = sync_space(SPACE, root=root, client=client, progress=False)
    first = time.perf_counter() - start
    if result.failed or len(result.fetched) != len(result.runs):
        raise SystemExit(f"the first sync did not fetch every run: {result}, {result.errors}")
    inside, requests = http.seconds, http.requests
    outside = first - inside
    print(f"\n1. Sync: sync_space into an empty root, once: {result!r}")
    print(f"   total              {first:7.2f} s   {total / first:9,.0f} tasks/s")
    print(
        f"   in HTTP            {inside:7.2f} s   ({requests:,} requests; time inside "
        "client._fetch: request sent, body read)"
    )
    print(f"   outside HTTP       {outside:7.2f} s   = {outside / first:.0%} of the sync")
    again = []
    for _ in range(rounds):
        http.reset()
        gc.collect()
        start = time.perf_counter()
        result = sync_space(SPACE, root=root, client=client, progress=False)
        again.append(time.perf_counter() - start)
        if len(result.skipped) != len(result.runs):
            raise SystemExit(f"the second sync did not skip every run: {result}")
    print(
        f"   second sync        {min(again):7.3f} s   (all {len(result.skipped)} runs skipped, "
        f"{http.requests} requests; best of {rounds})"
    )


def fetch_only(client: UnpodClient, http: HttpTimer, infos: list[dict], total: int) -> None:
    http.reset()
    gc.collect()
    start = time.perf_counter()
    n = sum(len(list(client.iter_run_tasks(SPACE, info["run_id"]))) for info in infos)
    took = time.perf_counter() - start
    assert n == total, (n, total)
    print(
        f"   reference: iter_run_tasks alone over the same runs {took:.2f} s "
        f"({http.seconds:.2f} s of it in HTTP, the rest JSON decoding and dedup)"
    )


def load_figures(root: str, infos: list[dict], rounds: int) -> tuple[tuple, tuple]:
    snapshots = sorted((Path(root) / "raw" / SPACE).glob("*.json"))
    assert len(snapshots) == len(infos), (len(snapshots), len(infos))
    one = infos[len(infos) // 2]["run_id"]
    whole, from_json = open_dataset(root).load(), load_run(snapshots)
    sizes = [len(whole.tasks), len(whole.calls), len(whole.turns), len(whole.problems)]
    json_sizes = [len(from_json.tasks), len(from_json.calls), len(from_json.turns)]
    assert sizes[:3] == json_sizes, (sizes, json_sizes)
    del whole, from_json
    parquet_mb = sum(f.stat().st_size for f in (Path(root) / "tables").rglob("*.parquet")) / 1e6
    json_mb = sum(f.stat().st_size for f in snapshots) / 1e6
    alone = str(Path(root).parent / "one-run")  # a dataset holding only that run
    write_dataset(Path(root) / "raw" / SPACE / f"{one}.json", alone, space=SPACE)
    best = best_of(
        rounds,
        {
            "json": lambda: load_run(snapshots),
            "parquet": lambda: open_dataset(root).load(),
            "one": lambda: repeat(FEW, lambda: open_dataset(root).load(runs=[one])),
            "alone": lambda: repeat(FEW, lambda: open_dataset(alone).load()),
        },
    )
    best["one"], best["alone"] = best["one"] / FEW, best["alone"] / FEW
    speedup, share, ideal = (
        best["json"] / best["parquet"],
        best["one"] / best["parquet"],
        1 / len(infos),
    )
    alone = best["one"] / best["alone"]
    print(
        f"\n2. Load, and 4. one run of {len(infos)}: {sizes[0]:,} tasks, {sizes[1]:,} calls, "
        f"{sizes[2]:,} turns, {sizes[3]:,} problems; {json_mb:,.0f} MB of JSON, "
        f"{parquet_mb:,.0f} MB of Parquet; best of {rounds} interleaved rounds"
    )
    rows = [
        (f"load_run({len(snapshots)} JSON snapshots)", best["json"], ""),
        ("open_dataset(root).load()", best["parquet"], f"{speedup:.1f}x faster"),
        (
            "open_dataset(root).load(runs=[one])",
            best["one"],
            f"= {share:.3f} of load() (ideal 1/{len(infos)} = {ideal:.3f}); mean of {FEW}",
        ),
        (
            "load() of a dataset of that run only",
            best["alone"],
            f"= {best['alone'] / best['parquet']:.3f} of load(); mean of {FEW}",
        ),
    ]
    for label, seconds, note in rows:
        print(f"   {label:<36} {seconds:7.3f} s   {note}".rstrip())
    return (
        ("Parquet load() vs load_run", f"{speedup:.1f}x", ">= 10x", speedup >= 10),
        ("load(runs=[one]) / that run alone", f"{alone:.2f}x", "<= 1.2x", alone <= 1.2),
    )


def memory_figures(root: str) -> tuple:
    by_rss, by_pool = memory_of_load(root, "rss"), memory_of_load(root, "pool")
    tables, ratio = by_rss["tables"], by_rss["peak"] / by_rss["tables"]
    print(f"\n3. Memory of load(), a fresh subprocess each; the tables: {tables / MIB:,.0f} MiB")
    print(
        f"   peak RSS (VmHWM) - RSS before     {by_rss['peak'] / MIB:6,.0f} MiB = {ratio:.2f}x "
        "the tables"
    )
    print(
        f"   cross-check: Arrow pool peak {by_pool['arrow'] / MIB:,.0f} MiB "
        f"({by_pool['backend']}) + tracemalloc peak {by_pool['python'] / MIB:,.0f} MiB = "
        f"{by_pool['peak'] / MIB:,.0f} MiB = {by_pool['peak'] / tables:.2f}x"
    )
    return ("load() peak memory / tables", f"{ratio:.2f}x", "<= 2x", ratio <= 2)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--tasks-per-run", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--memory", help=argparse.SUPPRESS)  # internal: the subprocess
    parser.add_argument("--method", choices=["rss", "pool"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory:
        measure_memory(args.memory, args.method)
    else:
        main(args.runs, args.tasks_per_run, args.rounds)
