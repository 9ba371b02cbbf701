"""A dataset read through fsspec (``open_dataset(url, storage_options=...)``), here from
fsspec's in-memory file system: the same tables as from the local folder it was copied from."""

from __future__ import annotations

import uuid
from pathlib import Path

import fsspec
import pandas as pd
import pytest

import analytics as an
from analytics.errors import SchemaError

TABLES = ("tasks", "calls", "turns", "problems")


@pytest.fixture(scope="module")
def local(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("local")
    for seed in (1, 2, 3):
        an.write_dataset(an.datasets.make_run(60, random_state=seed), root, space="S")
    return root


@pytest.fixture
def remote(local) -> str:
    """``local`` copied to a fresh folder of the in-memory file system; its URL."""
    memory = fsspec.filesystem("memory")
    base = f"/bucket-{uuid.uuid4().hex}/data"
    for path in local.rglob("*"):
        if path.is_file() and not path.name.startswith("."):  # locks stay behind, as on S3
            memory.pipe_file(f"{base}/{path.relative_to(local).as_posix()}", path.read_bytes())
    yield f"memory://{base}"
    memory.rm(base, recursive=True)


def _same(left: an.Run, right: an.Run) -> None:
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(left, table), getattr(right, table), obj=table)


def test_a_url_root_reads_the_same_tables(local, remote):
    _same(an.open_dataset(remote).load(), an.open_dataset(local).load())
    pd.testing.assert_frame_equal(an.open_dataset(remote).runs, an.open_dataset(local).runs)


def test_filters_and_columns_through_fsspec(local, remote):
    one = an.open_dataset(local).runs["run_id"].iloc[1]
    options = {"runs": [one], "since": "2026-01-30", "columns": ["assignee", "outcome"]}
    _same(an.open_dataset(remote).load(**options), an.open_dataset(local).load(**options))


def test_storage_options_reach_fsspec(remote):
    opened = an.open_dataset(remote, storage_options={"skip_instance_cache": True})
    assert opened.storage_options == {"skip_instance_cache": True}
    assert len(opened.load().tasks) == 180


def test_to_dask_over_a_url_root(local, remote):
    druns = an.open_dataset(remote).to_dask()
    _same(druns.compute(scheduler="sync"), an.open_dataset(local).load())


def test_a_url_without_a_manifest_is_not_a_dataset(remote):
    with pytest.raises(SchemaError, match=r"'memory://nowhere/data' is not a dataset: no manifest"):
        an.open_dataset("memory://nowhere/data")


def test_a_missing_file_names_its_run(local, remote):
    run_id = an.open_dataset(local).runs["run_id"].iloc[0]
    path = f"{remote.removeprefix('memory://')}/tables/turns/space=S/run={run_id}/part-0.parquet"
    fsspec.filesystem("memory").rm(path)
    with pytest.raises(SchemaError, match=rf"lists run '{run_id}' of space 'S'.*turns file"):
        an.open_dataset(remote).load()


def test_storage_options_with_a_local_root_are_refused(local):
    with pytest.raises(ValueError, match="storage_options are for a URL root"):
        an.open_dataset(local, storage_options={"anon": True})
