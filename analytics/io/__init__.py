"""Talking to the outside: the Unpod API client and files on disk (snapshots, tables, the
dataset of a space's runs and its sync, and the vocabulary files users bring)."""

from analytics.io.client import UnpodClient, fetch_run
from analytics.io.dataset import write_dataset
from analytics.io.store import load_snapshot, save_snapshot, save_table, save_tables, snapshot_path
from analytics.io.sync import SyncResult, sync_space
from analytics.io.vocabulary import read_lexicons, read_outcome_map

__all__ = [
    "SyncResult",
    "UnpodClient",
    "fetch_run",
    "load_snapshot",
    "read_lexicons",
    "read_outcome_map",
    "save_snapshot",
    "save_table",
    "save_tables",
    "snapshot_path",
    "sync_space",
    "write_dataset",
]
