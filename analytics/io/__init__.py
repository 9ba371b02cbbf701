"""Talking to the outside: the Unpod API client and files on disk (snapshots, tables, the
dataset of a space's runs and its sync)."""

from analytics.io.client import UnpodClient, fetch_run
from analytics.io.dataset import write_dataset
from analytics.io.store import load_snapshot, save_snapshot, save_table, save_tables, snapshot_path
from analytics.io.sync import SyncResult, sync_space

__all__ = [
    "SyncResult",
    "UnpodClient",
    "fetch_run",
    "load_snapshot",
    "save_snapshot",
    "save_table",
    "save_tables",
    "snapshot_path",
    "sync_space",
    "write_dataset",
]
