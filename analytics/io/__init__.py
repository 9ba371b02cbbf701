"""Talking to the outside: the Unpod API client and files on disk (snapshots, tables)."""

from analytics.io.client import UnpodClient, fetch_run
from analytics.io.store import load_snapshot, save_snapshot, save_table, save_tables, snapshot_path

__all__ = [
    "UnpodClient",
    "fetch_run",
    "load_snapshot",
    "save_snapshot",
    "save_table",
    "save_tables",
    "snapshot_path",
]
