"""Where Dask work runs: :func:`dask_client`, a ``dask.distributed`` client for one block.

Inside the block the client is Dask's scheduler (in the thread that entered it), so every
``.compute()`` of a :class:`~analytics.distributed.DaskRun` frame, and every analysis
dispatched to Dask, runs on its cluster: a :class:`~distributed.LocalCluster` started for the
block, or an existing scheduler named by its address (``tcp://host:8786``, as ``dask
scheduler`` prints it).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from distributed import Client, LocalCluster
from distributed.comm.addressing import parse_address
from distributed.comm.registry import get_backend

__all__ = ["dask_client"]

_LOGGER = "distributed"
"""The logger distributed writes through (its own stderr handler, not propagated)."""


@contextmanager
def dask_client(
    address: str | None = None,
    *,
    workers: int | None = None,
    timeout: float = 10.0,
    quiet: bool = True,
) -> Iterator[Client]:
    """A client for the block, on the scheduler at ``address`` or on a new local cluster.

    Parameters
    ----------
    address : str, optional
        A running ``dask.distributed`` scheduler (``tcp://10.0.0.5:8786``). Default: start a
        :class:`~distributed.LocalCluster` (worker processes, no dashboard) for the block and
        close it at its end, errors included.
    workers : int, optional
        The local cluster's worker processes; default Dask's choice for the machine's cores.
        Only without ``address`` (the scheduler's own workers run the work).
    timeout : float, default 10
        Seconds to wait for the scheduler at ``address`` to answer.
    quiet : bool, default True
        Show distributed's log records at WARNING and above only (its INFO lines on starting
        and stopping workers are left out).

    Raises
    ------
    ValueError
        ``workers`` with ``address``, or below 1; an ``address`` of no known scheme.
    ConnectionError
        The scheduler at ``address`` cannot be reached within ``timeout`` (the message names
        the address).
    """
    if address is not None and workers is not None:
        raise ValueError(
            f"workers={workers} starts local workers; the scheduler at {address!r} has its own"
        )
    if workers is not None and workers < 1:
        raise ValueError(f"workers={workers} must be at least 1")
    with ExitStack() as stack:
        if quiet:
            stack.enter_context(_quiet())
        if address is None:
            cluster = stack.enter_context(
                LocalCluster(  # distributed: few annotations
                    n_workers=workers,
                    dashboard_address=":0",  # its HTTP server on a free port: 8787 may be taken
                    scheduler_kwargs={"dashboard": False},
                    silence_logs=logging.WARNING if quiet else False,
                )
            )
            client = stack.enter_context(Client(cluster, set_as_default=False))
        else:
            client = stack.enter_context(_connected(address, timeout))
        stack.enter_context(client.as_current())  # Dask's scheduler in the block, and only there
        yield client


def _connected(address: str, timeout: float) -> Client:
    """A client of the scheduler at ``address``; ConnectionError naming it when there is none.

    The client is not made the global default on creation: one that fails to connect would
    stay the default of the process, and every later computation would wait on it.
    """
    _check_address(address)
    try:
        client: Client = Client(address, timeout=timeout, set_as_default=False)
    except OSError as error:  # distributed: "Timed out trying to connect to ... after N s"
        reason = " ".join(str(error).split()) or type(error).__name__
        if "timed out" in reason.lower():
            reason = f"no answer within {timeout:g} s; is a scheduler running there?"
        raise ConnectionError(
            f"cannot connect to the Dask scheduler at {address!r}: {reason}"
        ) from None
    return client


def _check_address(address: str) -> None:
    """ValueError unless ``address`` names a host by a known scheme (or none: ``tcp``).

    Checked before a client is made: a client that failed on a bad address still closes
    when the interpreter exits, which waits 20 s and prints a traceback.
    """
    try:
        scheme, location = parse_address(address)
        get_backend(scheme)
    except ValueError as error:  # "unknown address scheme 'x' (known schemes: ...)"
        raise ValueError(f"{address!r} is not a Dask scheduler address: {error}") from None
    if not location.strip(":/ "):
        raise ValueError(
            f"{address!r} is not a Dask scheduler address: it names no host, such as "
            "tcp://10.0.0.5:8786"
        )


@contextmanager
def _quiet() -> Iterator[None]:
    """distributed's log records below WARNING left out for the block (levels restored)."""
    logger = logging.getLogger(_LOGGER)
    before = logger.level
    logger.setLevel(max(before, logging.WARNING))
    try:
        yield
    finally:
        logger.setLevel(before)
