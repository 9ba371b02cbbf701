"""How fast, and in how much memory, do the analyses run on Dask, and how do they grow?

1. The dataset: runs of ``--tasks-per-run`` tasks (default 10,000: about 9,300 calls and
   94,000 turns) made by ``make_run(tasks, random_state=k)`` for run k (every task's
   ``run_id`` set to ``R<k>``), loaded and stored with ``write_dataset`` one run at a time, then
   dropped: the whole never sits in memory. Two processes make the runs, this one writes them.
   Runs are added until the dataset holds ``--calls`` calls (default 1,000,000: 108 runs, 10.2
   M turns, 0.4 GB of Parquet). Why 10,000 tasks: a Dask partition is one run's file of one
   table, so the run size is the partition size. A 10,000-task run is about 20 MB of turns in
   memory, so a task that reads it and computes its features fits a worker of 1.5 GB many times
   over, while 1,000,000 calls still make 108 partitions per table, enough to keep two workers
   busy; and each partition has a fixed cost (part 4), which smaller runs would multiply. The
   dataset is kept (default ``<tmp>/unpod-bench-dask``, or ``--root``); ``--reuse`` uses what
   is there (the runs are deterministic) and adds the runs it lacks.
2. The pipeline, on a ``LocalCluster(n_workers=2, threads_per_worker=1,
   memory_limit="1.5GB")``, for each N of ``--sizes`` (default 250,000 and 1,000,000: the
   first runs holding N calls, chosen with ``to_dask(runs=...)``)::

       d = an.open_dataset(root).to_dask(runs=chosen)
       feats = an.conversation_features(d.turns, calls=d.calls)   # a Dask frame, per run
       an.feature_summary(feats, calls=d.calls, by="assignee")    # medians per assignee
       an.outcome_rates(with_week(d.calls), by=["assignee", "week"])
       an.duration_summary(d.calls, by="assignee")

   The features are forced by ``feature_summary`` (the exact medians a report shows), not by
   ``.compute()`` of the whole frame or a ``.mean()``: that is what a user does with them, and
   it is the library's aggregate path, which gathers the feature columns (not the turns) to
   the client. ``week`` is the Monday 00:00 UTC starting the week of ``start_time``, computed
   on the workers by ``map_partitions`` of the same pandas function the pandas pipeline uses
   (NaT for an unanswered dial, which has no start time); part 3 checks the results equal
   pandas'. Each N runs on a new cluster, warmed up (imports, and the pipeline on one run, not
   timed). Printed: wall time, calls/s, each step's time (the library's ``_gathered``, which
   computes and brings the columns to the client, timed apart by wrapping it), the workers'
   busy time by kind of task (from the task stream), each worker's peak memory (its
   ``VmHWM``, reset after the warm-up, asked with ``client.run``; ``psutil`` RSS sampled every
   0.2 s in a background thread as a cross-check, and the only figure left for a worker that
   was killed) and the peak memory this process (the client) gained. A measurement that fails
   (``KilledWorker``) or makes no progress for ``--timeout`` seconds (a worker killed for
   memory while it sends a finished result is not a task failure to Dask: the task runs
   again, forever) is reported as FAILED with the step it was in, and the benchmark goes on.
3. pandas at ``--pandas-calls`` (default 200,000): ``open_dataset(root).load(runs=chosen)``
   and the same pipeline on the ``Run`` in this process, against the Dask pipeline on the same
   runs; the three results must be equal (``assert_frame_equal``, exact). The bytes per call
   and per turn of the tables in memory and of each column an aggregate gathers are printed
   (``docs/scale.md`` quotes them).
4. Cost per partition: the pipeline on one run of 10,000 tasks against the same tasks as 200
   runs of 50 (two more datasets beside the first), best of 2 each: the difference per extra
   run is what a partition costs beyond its rows (Dask's scheduling, the reader's fixed cost,
   the fixed cost of each pandas call), with the workers' time by kind of task.
5. The fixes suggested for the library, patched in by this script (the library is unchanged),
   at the smallest and the largest N, each on a fresh cluster, with the targets for each:
   (b) the gathered partitions fetched one by one (``dask.compute(*frame.to_delayed())`` and
   ``pd.concat`` on the client) instead of ``frame.compute()``, which first concatenates them
   all in one task on one worker; (a) with it, each analysis given only the columns it reads
   (``calls[["assignee", "outcome", ...]]``), so that Dask reads only those from the files and
   only they travel. The results must equal part 2's (or, where that failed, the first
   variant's). ``--no-fixes`` skips it.

Targets: at least 25,000 calls/s end to end at every N; every worker's peak memory within its
limit at every N (no worker killed); time grows at most 4.5x from 250,000 to 1,000,000 calls.
Printed met or MISSED, for the library as it is and for each variant of part 5. Each
measurement also prints the share of the CPU that other processes (not this one nor the
cluster) used meanwhile: ``/proc/stat`` less our processes' CPU times. Not part of the test
run. Making 1,000,000 calls takes about 4 minutes (once, with ``--reuse``), the measurements
about 10 (4 of them waiting out the failure of part 2 at 1,000,000 calls); 0.4 GB on disk,
up to 3 GB of memory. The workers use both cores, so run it on a quiet machine: the share of
CPU idle is printed before the start and before the measurements. Linux only (``/proc``).

    .venv/bin/python benchmarks/bench_dask.py [--calls 1000000] [--sizes 250000,1000000]
        [--pandas-calls 200000] [--tasks-per-run 10000] [--root DIR] [--reuse]
        [--memory-limit 1.5GB] [--timeout 240] [--no-fixes]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import os
import shutil
import signal
import tempfile
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dask
import dask.dataframe as dd
import pandas as pd
import psutil
from dask.utils import key_split
from distributed import Client, LocalCluster, get_task_stream

import analytics as an
import analytics.distributed.analyses as dask_analyses
from analytics.datasets import make_run
from analytics.load import Run, load_run
from analytics.load.dataset import is_dataset

SPACE = "SDASK"
MEMORY_LIMIT = "1.5GB"
TINY_RUNS, TINY_TASKS = 200, 50
"""Part 4: this many runs of this many tasks, against one run of their product."""
CALLS_PER_TASK = 0.93
"""About what ``make_run`` gives (a task whose dial never happened has no call)."""
MIB = 2**20
TIMEOUT = 240
"""Seconds a measurement may take before it is reported as stuck (``--timeout``)."""
TARGET_RATE, TARGET_GROWTH = 25_000, 4.5


# --- the dataset -------------------------------------------------------------------------------


def run_id(k: int) -> str:
    return f"R{k:05d}"


def made(k: int, n_tasks: int) -> Run:
    """Run ``k``: ``make_run(n_tasks, random_state=k)`` with every task's ``run_id`` its own."""
    raw = make_run(n_tasks, random_state=k)
    for task in raw["data"]:
        task["run_id"] = run_id(k)
    return load_run(raw)


def stored(root: Path) -> list[Any]:
    """The benchmark's runs at ``root``, in run order (none when it holds no dataset)."""
    if not is_dataset(root):
        return []
    entries = [e for e in an.open_dataset(root).manifest.runs if e.space == SPACE]
    return sorted(entries, key=lambda e: e.run_id)


def fill(root: Path, n_calls: int, n_tasks: int, reuse: bool) -> list[Any]:
    """Make the dataset at ``root`` hold at least ``n_calls`` calls, runs of ``n_tasks`` tasks
    made two at a time in child processes and written here one by one. Returns the entries."""
    if not reuse and root.exists():
        if not (is_dataset(root) or not any(root.iterdir())):
            raise SystemExit(f"{root} is not empty and not a dataset: choose another --root")
        shutil.rmtree(root)
    entries = stored(root)
    if any(e.tasks != n_tasks for e in entries):
        sizes = sorted({e.tasks for e in entries})
        raise SystemExit(
            f"{root} holds runs of {sizes} tasks, not {n_tasks}: pass --tasks-per-run "
            f"{sizes[0]}, or drop --reuse to make the dataset again"
        )
    calls = sum(e.calls for e in entries)
    if calls >= n_calls:
        return entries
    start, k = time.perf_counter(), len(entries)
    before = k
    expected = n_tasks * CALLS_PER_TASK
    with ProcessPoolExecutor(max_workers=2) as pool:
        pending: deque[Future[Run]] = deque()
        while calls < n_calls:
            while len(pending) < 4 and calls + len(pending) * expected < n_calls:
                pending.append(pool.submit(made, k, n_tasks))
                k += 1
            run = pending.popleft().result()
            an.write_dataset(run, root, space=SPACE)
            calls += len(run.calls)
            del run
        for rest in pending:
            rest.cancel()
    made_in = time.perf_counter() - start
    entries = stored(root)
    print(f"   made {len(entries) - before} runs in {made_in:.0f} s ({before} were there)")
    return entries


def first_runs(entries: list[Any], n_calls: int) -> list[Any]:
    """The first runs that hold at least ``n_calls`` calls together."""
    chosen, calls = [], 0
    for entry in entries:
        if calls >= n_calls:
            break
        chosen.append(entry)
        calls += entry.calls
    return chosen


def described(entries: list[Any]) -> str:
    calls, turns = sum(e.calls for e in entries), sum(e.turns for e in entries)
    return f"{len(entries)} runs, {calls:,} calls, {turns:,} turns"


# --- the pipeline, the same code on pandas and on Dask -----------------------------------------


def week_of(start: pd.Series) -> pd.Series:
    """The Monday 00:00 UTC starting the week of each time (NaT stays NaT)."""
    day = start.dt.floor("D")
    return (day - pd.to_timedelta(day.dt.day_of_week, unit="D")).rename("week")


def with_week(calls: Any) -> Any:
    if isinstance(calls, pd.DataFrame):
        return calls.assign(week=week_of(calls["start_time"]))
    meta = week_of(calls["start_time"]._meta)
    return calls.assign(week=calls["start_time"].map_partitions(week_of, meta=meta))


STEPS = ("features + feature_summary", "outcome_rates by assignee, week", "duration_summary")


def pipeline(d: Any, timer: Timer | None = None, *, project: bool = False) -> list[pd.DataFrame]:
    """The three results for ``d`` (a ``Run`` or a ``DaskRun``), each step timed by ``timer``.

    ``project`` (part 5) passes each analysis only the columns it reads, as the library could
    do itself: Dask then reads only those from the files, and only they travel."""
    timer = timer or Timer()
    calls = d.calls
    with timer.step(STEPS[0]):
        turns, timing = d.turns, calls
        if project:
            turns = turns[["task_id", "turn", "speaker", "text", "offset_s", "n_words"]]
            timing = calls[["task_id", "duration_s", "start_time", "end_time"]]
        feats = an.conversation_features(turns, calls=timing)
        lookup = calls[["task_id", "assignee"]] if project else calls
        summary = an.feature_summary(feats, calls=lookup, by="assignee")
    with timer.step(STEPS[1]):
        counted = calls[["assignee", "start_time", "outcome"]] if project else calls
        weekly = an.outcome_rates(with_week(counted), by=["assignee", "week"])
    with timer.step(STEPS[2]):
        timed = calls[["assignee", "duration_s", "connected"]] if project else calls
        durations = an.duration_summary(timed, by="assignee")
    return [summary, weekly, durations]


def gathered_by_partition(frame: Any, keep: Any = ()) -> pd.DataFrame:
    """``_gathered`` with each partition sent to the client on its own (part 5), instead of
    ``compute()``, which concatenates them all on one worker first."""
    if not isinstance(frame, dd.DataFrame):
        return ORIGINAL_GATHERED(frame, keep)
    wanted = set(keep)
    columns = [c for c in frame.columns if c not in dask_analyses.HEAVY or c in wanted]
    parts = dask.compute(*frame[columns].to_delayed())
    return pd.concat(parts, ignore_index=True)


ORIGINAL_GATHERED = dask_analyses._gathered


class Timer:
    """Wall time per step, and the part of it spent in the library's ``_gathered`` (computing
    and bringing the columns an aggregate reads to the client)."""

    def __init__(self, gather: Any = None) -> None:
        self.how = gather or ORIGINAL_GATHERED
        self.steps: dict[str, float] = defaultdict(float)
        self.gather: dict[str, float] = defaultdict(float)
        self.gathered_values: dict[str, int] = defaultdict(int)
        self.current = ""

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        self.current, start = name, time.perf_counter()
        try:
            yield
        finally:
            self.steps[name] += time.perf_counter() - start

    @contextmanager
    def gathering(self) -> Iterator[None]:
        original, how = dask_analyses._gathered, self.how

        def timed(frame: Any, keep: Any = ()) -> pd.DataFrame:
            start = time.perf_counter()
            try:
                out = how(frame, keep)
            finally:
                self.gather[self.current] += time.perf_counter() - start
            self.gathered_values[self.current] += len(out) * len(out.columns)
            return out

        dask_analyses._gathered = timed
        try:
            yield
        finally:
            dask_analyses._gathered = original


# --- memory ------------------------------------------------------------------------------------


def vm(field: str) -> int:
    """A memory figure of this process from ``/proc/self/status``, in bytes."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith(field + ":"))
    return int(line.split()[1]) * 1024


def reset_peak() -> int:
    """Set this process's ``VmHWM`` to its ``VmRSS`` (Linux >= 4.0); returns the RSS."""
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")
    return vm("VmRSS")


def peak() -> int:
    return vm("VmHWM")


def rss() -> int:
    return int(psutil.Process().memory_info().rss)


class Sampler:
    """Every worker's RSS, asked through the scheduler every ``every`` seconds in a thread."""

    def __init__(self, client: Client, every: float = 0.2) -> None:
        self.client, self.every = client, every
        self.top: dict[str, int] = defaultdict(int)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                for worker, value in self.client.run(rss).items():
                    self.top[worker] = max(self.top[worker], value)
            except Exception:  # a worker restarting: the next sample tells
                pass
            self._stop.wait(self.every)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


class Watchdog:
    """Interrupts the main thread (SIGINT) after ``seconds``: a cluster whose workers are all
    paused for memory waits forever, and the benchmark should report that and go on."""

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        os.kill(os.getpid(), signal.SIGINT)

    def cancel(self) -> None:
        self._timer.cancel()


def worker_busy(stream: list[dict]) -> dict[str, float]:
    """Seconds the workers spent per kind of task (``compute`` by key name, and transfers)."""
    busy: dict[str, float] = defaultdict(float)
    for record in stream:
        for stop in record.get("startstops", ()):
            kind = stop["action"]
            name = key_split(record["key"]) if kind == "compute" else kind
            busy[name] += stop["stop"] - stop["start"]
    return dict(sorted(busy.items(), key=lambda kv: -kv[1]))


# --- the measurements --------------------------------------------------------------------------


def cpu_idle(seconds: float = 1.0) -> float:
    """The share of CPU time idle over ``seconds``, all cores (``/proc/stat``)."""

    def sample() -> list[int]:
        with open("/proc/stat") as stat:
            return [int(v) for v in stat.readline().split()[1:9]]

    before = sample()
    time.sleep(seconds)
    delta = [b - a for a, b in zip(before, sample())]
    return (delta[3] + delta[4]) / max(sum(delta), 1)


class OthersCpu:
    """The share of the machine's CPU that processes other than this one and its children
    (the cluster) used from creation to :meth:`share` (``/proc/stat`` less our own times)."""

    def __init__(self) -> None:
        self.start, self.busy, self.ours = time.perf_counter(), machine_busy(), our_cpu()

    def share(self) -> float:
        wall = time.perf_counter() - self.start
        others = (machine_busy() - self.busy) - (our_cpu() - self.ours)
        return max(others, 0.0) / (wall * (os.cpu_count() or 1))


def machine_busy() -> float:
    """CPU seconds the machine has spent busy (not idle, not waiting for I/O) since boot."""
    with open("/proc/stat") as stat:
        ticks = [int(v) for v in stat.readline().split()[1:9]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def our_cpu() -> float:
    """CPU seconds of this process and its living children (the nannies and workers)."""
    me = psutil.Process()
    total = 0.0
    for process in [me, *me.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            total += times.user + times.system
    return total


@contextmanager
def fresh_cluster(root: Path, one: str) -> Iterator[Client]:
    """A new cluster of two fresh workers (a restart per N: nothing left from the last N),
    the library imported there and the pipeline run once on run ``one``, not timed."""
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 1}),  # fail fast, not hang
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            memory_limit=MEMORY_LIMIT,
            dashboard_address=":0",
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(importlib.import_module, "analytics.distributed")
        pipeline(an.open_dataset(root).to_dask(runs=[one]))
        client.run(reset_peak)
        yield client


def on_dask(root: Path, entries: list[Any], **variant: Any) -> dict[str, Any]:
    """The pipeline on ``entries`` on a fresh cluster: results, time, steps and memory."""
    with fresh_cluster(root, entries[0].run_id) as client:
        return measure(client, root, entries, **variant)


def measure(
    client: Client, root: Path, entries: list[Any], *, project: bool = False, gather: Any = None
) -> dict[str, Any]:
    """The pipeline, timed; a failure (a worker killed for memory twice: ``KilledWorker``) is
    recorded with the step it happened in, not raised."""
    gc.collect()
    limit = {w: info["memory_limit"] for w, info in client.scheduler_info()["workers"].items()}
    timer, client_before = Timer(gather), reset_peak()
    cpu, results, failed = OthersCpu(), None, None
    with Sampler(client) as sampler, get_task_stream(client) as stream, timer.gathering():
        start, watchdog = time.perf_counter(), Watchdog(TIMEOUT)
        try:
            d = an.open_dataset(root).to_dask(runs=[e.run_id for e in entries])
            results = pipeline(d, timer, project=project)
        except Exception as error:  # reported, with the step; then the next measurement
            failed = f"{timer.current}: {type(error).__name__}: {str(error)[:300]}"
        except KeyboardInterrupt:
            if not watchdog.fired:
                raise
            failed = f"{timer.current}: no progress in {TIMEOUT} s (workers paused or killed)"
        finally:
            watchdog.cancel()
        wall = time.perf_counter() - start
    others = cpu.share()
    hwm = client.run(peak)
    return {
        "failed": failed,
        "others": others,
        "results": results,
        "wall": wall,
        "timer": timer,
        "hwm": hwm,
        "sampled": dict(sampler.top),
        "limit": limit,
        "client": peak() - client_before,
        "busy": worker_busy(stream.data),
        "restarted": set(hwm) != set(limit),
    }


def on_pandas(root: Path, entries: list[Any]) -> dict[str, Any]:
    gc.collect()
    timer, before = Timer(), reset_peak()
    cpu = OthersCpu()
    start = time.perf_counter()
    with timer.step("load"):
        run = an.open_dataset(root).load(runs=[e.run_id for e in entries])
    results = pipeline(run, timer)
    wall = time.perf_counter() - start
    return {
        "others": cpu.share(),
        "results": results,
        "wall": wall,
        "timer": timer,
        "peak": peak() - before,
        "run": run,
    }


def report_dask(label: str, n_calls: int, m: dict[str, Any]) -> None:
    timer = m["timer"]
    if m["failed"]:
        print(f"\n   {label}: FAILED after {m['wall']:.1f} s in {m['failed']}")
    else:
        print(
            f"\n   {label}: {m['wall']:6.1f} s   {n_calls / m['wall']:9,.0f} calls/s   "
            f"(other processes used {m['others']:.0%} of the CPU meanwhile)"
        )
    for name in STEPS:
        gathered = timer.gather[name]
        print(
            f"      {name:<33} {timer.steps[name]:6.1f} s  (of it {gathered:5.1f} s computing and "
            f"gathering {timer.gathered_values[name] / n_calls:.0f} values per call to the client, "
            f"{timer.steps[name] - gathered:4.1f} s pandas on the client)"
        )
    busy = m["busy"]
    total = sum(busy.values())
    shown = ", ".join(f"{k} {v:.1f}" for k, v in list(busy.items())[:6])
    print(
        f"      workers busy {total:.1f} s of {2 * m['wall']:.1f} s (2 workers x wall); "
        f"by task, s: {shown}"
    )
    for worker in sorted(m["limit"]):
        hwm, sampled, limit = m["hwm"].get(worker), m["sampled"].get(worker, 0), m["limit"][worker]
        shown = "killed and replaced" if hwm is None else f"{hwm / MIB:6,.0f} MiB"
        print(
            f"      worker {worker.rsplit(':', 1)[-1]:>5} peak RSS {shown} (VmHWM; sampled "
            f"{sampled / MIB:,.0f} MiB) of {limit / MIB:,.0f} MiB limit"
        )
    if m["restarted"]:
        print(
            f"      {len(m['sampled'])} worker processes in all: the nannies killed workers "
            f"over 95% of their limit and started new ones (sampled peak "
            f"{max(m['sampled'].values()) / MIB:,.0f} MiB)"
        )
    print(
        f"      client (this process) peak RSS gain {m['client'] / MIB:,.0f} MiB "
        f"= {m['client'] / n_calls:,.0f} B per call"
    )


def per_column(run: Run) -> None:
    """Bytes per call of each light column of ``calls`` (what an aggregate gathers), and of
    the tables in memory."""
    calls, turns = run.calls, run.turns
    n = len(calls)
    light = [c for c in calls.columns if c not in dask_analyses.HEAVY]
    sizes = calls[light].memory_usage(deep=True, index=False) / n
    print(
        f"   in memory: calls {calls.memory_usage(deep=True).sum() / n:,.0f} B per call, turns "
        f"{turns.memory_usage(deep=True).sum() / len(turns):,.0f} B per turn "
        f"({len(turns) / n:.1f} turns per call)"
    )
    print(
        f"   gathered by an aggregate over calls: {len(light)} columns, "
        f"{sizes.sum():,.0f} B per call:"
    )
    shown = [f"{c} {b:.0f}" for c, b in sizes.sort_values(ascending=False).items()]
    for i in range(0, len(shown), 8):
        print("      " + ", ".join(shown[i : i + 8]))


def equal(dask_results: list[pd.DataFrame], pandas_results: list[pd.DataFrame]) -> str:
    for name, a, b in zip(STEPS, dask_results, pandas_results):
        try:
            pd.testing.assert_frame_equal(
                a.reset_index(drop=True), b.reset_index(drop=True), check_exact=True
            )
        except AssertionError as error:
            return f"DIFFERENT: {name}: {error}"
    shapes = ", ".join(f"{len(r):,} rows" for r in pandas_results)
    return f"all three results equal exactly ({shapes})"


def partition_cost(root: Path) -> float:
    """Part 4: one run of ``TINY_RUNS * TINY_TASKS`` tasks against that many tasks in tiny runs;
    returns the seconds each extra run (a partition of each table) costs the pipeline."""
    tiny, one = root.parent / f"{root.name}-tiny", root.parent / f"{root.name}-one"
    for folder, runs, tasks in ((tiny, TINY_RUNS, TINY_TASKS), (one, 1, TINY_RUNS * TINY_TASKS)):
        if len(stored(folder)) != runs or stored(folder)[0].tasks != tasks:
            shutil.rmtree(folder, ignore_errors=True)
            for k in range(runs):
                an.write_dataset(made(10_000 + k, tasks), folder, space=SPACE)
    times: dict[Path, float] = {}
    busy: dict[Path, dict[str, float]] = {}
    with fresh_cluster(one, stored(one)[0].run_id) as client:
        for folder in (one, tiny, one, tiny):  # twice each, interleaved; the best counts
            gc.collect()
            with get_task_stream(client) as stream:
                start = time.perf_counter()
                pipeline(an.open_dataset(folder).to_dask())
                took = time.perf_counter() - start
            if took < times.get(folder, float("inf")):
                times[folder], busy[folder] = took, worker_busy(stream.data)
    extra = (times[tiny] - times[one]) / (TINY_RUNS - 1)
    calls_tiny = sum(e.calls for e in stored(tiny))
    print(
        f"\n4. Cost per partition: {TINY_RUNS * TINY_TASKS:,} tasks as 1 run: "
        f"{times[one]:.2f} s; as {TINY_RUNS} runs of {TINY_TASKS}: {times[tiny]:.2f} s "
        f"({calls_tiny:,} calls); best of 2"
    )
    kinds = sorted(set(busy[tiny]) | set(busy[one]), key=lambda k: -busy[tiny].get(k, 0))
    per_run = [
        (kind, (busy[tiny].get(kind, 0) - busy[one].get(kind, 0)) / (TINY_RUNS - 1))
        for kind in kinds
    ]
    shown = ", ".join(f"{kind} {ms * 1000:.1f}" for kind, ms in per_run if abs(ms) >= 5e-4)
    print(
        f"   = {extra * 1000:.0f} ms of wall time per extra run (2 workers); worker time per "
        f"extra run by task, ms: {shown}"
    )
    return extra


def main(args: argparse.Namespace) -> None:
    sizes = sorted({int(s) for s in args.sizes.split(",")})
    n_calls = max(args.calls, *sizes, args.pandas_calls)
    root = Path(args.root or Path(tempfile.gettempdir()) / "unpod-bench-dask")
    global MEMORY_LIMIT, TIMEOUT
    MEMORY_LIMIT, TIMEOUT = args.memory_limit, args.timeout
    print(f"CPU idle before the start: {cpu_idle():.0%} of {os.cpu_count()} cores")
    print(f"1. Dataset at {root} (runs of {args.tasks_per_run:,} tasks; --reuse: {args.reuse})")
    entries = fill(root, n_calls, args.tasks_per_run, args.reuse)
    disk = sum(f.stat().st_size for f in (root / "tables").rglob("*.parquet"))
    print(f"   {described(entries)}; {disk / 1e6:,.0f} MB of Parquet")
    chosen = {n: first_runs(entries, n) for n in [*sizes, args.pandas_calls]}
    idle = cpu_idle()
    print(
        f"CPU idle before the measurements: {idle:.0%} (the figures mean something only on a "
        "quiet machine: the two workers and this process share the cores)"
    )
    print(
        f"\n2. Dask: LocalCluster(n_workers=2, threads_per_worker=1, "
        f"memory_limit={args.memory_limit!r}), a new one for each N"
    )
    measured = {}
    for n in sizes:
        m = on_dask(root, chosen[n])
        calls = sum(e.calls for e in chosen[n])
        report_dask(f"N = {calls:,} calls ({described(chosen[n])})", calls, m)
        measured[n] = (calls, m)
    pandas_part(root, chosen[args.pandas_calls])
    extra = partition_cost(root)
    calls, biggest = measured[max(sizes)]
    runs = len(chosen[max(sizes)])
    share = "" if biggest["failed"] else f" = {extra * runs / biggest['wall']:.0%} of its wall time"
    print(
        f"   at N = {calls:,} ({runs} runs of {args.tasks_per_run:,} tasks) that is "
        f"{extra * runs:.1f} s{share}"
    )
    found = fixes(root, chosen, measured) if args.fixes else {}
    print("\ntargets                                     measured   target")
    targets("", measured)
    for name, figures in found.items():
        print(f"   with {name}:")
        targets("   ", figures)


FIXES = {
    "(b) gathered by partition": {"gather": "by partition"},
    "(a) + (b), only the columns read": {"project": True, "gather": "by partition"},
}
"""Part 5's variants: what each patches in (``gather`` names :func:`gathered_by_partition`)."""


def fixes(
    root: Path, chosen: dict[int, list[Any]], measured: dict[int, tuple[int, dict[str, Any]]]
) -> dict[str, dict[int, tuple[int, dict[str, Any]]]]:
    """Part 5: the smallest and largest N again with the changes suggested for the library,
    patched in here (the library is not changed): (b) the gathered partitions go to the client
    one by one instead of being concatenated on one worker by ``compute()``; (a) each analysis
    reads only the columns it uses. The results must equal part 2's at the same N (or, where
    that failed, the first variant's)."""
    sizes = sorted({min(measured), max(measured)})
    print("\n5. The suggested fixes, patched in by this script (the library is unchanged)")
    found: dict[str, dict[int, tuple[int, dict[str, Any]]]] = {}
    for n in sizes:
        calls, as_is = measured[n]
        print(f"   N = {calls:,} calls")
        print(f"      {'as measured in 2.':<34} {outcome_line(as_is, calls)}")
        reference = as_is["results"]
        for name, variant in FIXES.items():
            how = gathered_by_partition if variant.get("gather") else None
            m = on_dask(root, chosen[n], project=bool(variant.get("project")), gather=how)
            found.setdefault(name, {})[n] = (calls, m)
            if m["results"] is not None and reference is None:
                reference, same = m["results"], "the reference for the next"
            elif m["results"] is not None:
                same = equal(m["results"], reference).split(" (")[0]
            else:
                same = ""
            print(f"      {name:<34} {outcome_line(m, calls)}; {same}")
    return found


def outcome_line(m: dict[str, Any], calls: int) -> str:
    if m["failed"]:
        timing = f"FAILED after {m['wall']:.1f} s in {m['failed'].split(':')[0]}"
    else:
        timing = f"{m['wall']:6.1f} s {calls / m['wall']:9,.0f} calls/s (others {m['others']:.0%})"
    return f"{timing}; {memory_line(m, calls)}"


def memory_line(m: dict[str, Any], calls: int) -> str:
    top = max([*m["hwm"].values(), *m["sampled"].values()], default=0)
    values = sum(m["timer"].gathered_values.values()) / calls
    killed = ", workers killed for memory" if m["restarted"] else ""
    return (
        f"workers' peak {top / MIB:,.0f} MiB{killed}, client gain {m['client'] / MIB:,.0f} MiB, "
        f"{values:.0f} values per call gathered"
    )


def pandas_part(root: Path, entries: list[Any]) -> None:
    calls = sum(e.calls for e in entries)
    p = on_pandas(root, entries)
    d = on_dask(root, entries)
    print(f"\n3. pandas against Dask at {described(entries)}")
    timer = p["timer"]
    steps = ", ".join(f"{k} {v:.1f} s" for k, v in timer.steps.items())
    print(
        f"   pandas (this process): {p['wall']:6.1f} s   {calls / p['wall']:9,.0f} calls/s; "
        f"peak RSS gain {p['peak'] / MIB:,.0f} MiB ({steps})"
    )
    if d["failed"]:
        print(f"   Dask (2 workers): FAILED in {d['failed']}")
    else:
        print(
            f"   Dask (2 workers):      {d['wall']:6.1f} s   {calls / d['wall']:9,.0f} calls/s "
            f"= {p['wall'] / d['wall']:.2f}x pandas' speed; client peak RSS gain "
            f"{d['client'] / MIB:,.0f} MiB (others {p['others']:.0%}, {d['others']:.0%})"
        )
        print(f"   Dask against pandas: {equal(d['results'], p['results'])}")
    per_column(p["run"])


def targets(indent: str, measured: dict[int, tuple[int, dict[str, Any]]]) -> None:
    """Print the targets, met or MISSED, for one set of measurements (N -> calls, figures)."""
    rows = []
    for calls, m in measured.values():
        rate = 0.0 if m["failed"] else calls / m["wall"]
        shown = "failed" if m["failed"] else f"{rate:,.0f}"
        rows.append((f"calls/s at {calls:,}", shown, f">= {TARGET_RATE:,}", rate >= TARGET_RATE))
        top = max([*m["hwm"].values(), *m["sampled"].values()], default=0)
        share = top / min(m["limit"].values())
        ok = share <= 1 and not m["restarted"]
        shown = "killed" if m["restarted"] else f"{share:.0%}"
        rows.append((f"worker peak / limit at {calls:,}", shown, "<= 100%", ok))
    (small, s), (big, b) = measured[min(measured)], measured[max(measured)]
    if big > small:
        failed = s["failed"] or b["failed"]
        growth = 0.0 if failed else b["wall"] / s["wall"]
        shown = "failed" if failed else f"{growth:.2f}x"
        label = f"time growth for {big / small:.2f}x the calls"
        ok = not failed and growth <= TARGET_GROWTH
        rows.append((label, shown, f"<= {TARGET_GROWTH}x", ok))
    for name, value, target, met in rows:
        name = indent + name
        print(f"   {name:<40} {value:>8}   {target:<10} {'met' if met else 'MISSED'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--sizes", default="250000,1000000")
    parser.add_argument("--pandas-calls", type=int, default=200_000)
    parser.add_argument("--tasks-per-run", type=int, default=10_000)
    parser.add_argument("--root", help="where the dataset is kept (default <tmp>/unpod-bench-dask)")
    parser.add_argument("--reuse", action="store_true", help="use the dataset already at --root")
    parser.add_argument("--memory-limit", default=MEMORY_LIMIT, help="per worker (1.5GB)")
    parser.add_argument("--timeout", type=float, default=TIMEOUT, help="per measurement, s")
    parser.add_argument(
        "--no-fixes", dest="fixes", action="store_false", help="skip part 5 (the fixes patched in)"
    )
    main(parser.parse_args())
