"""The catalog queries, run on the inspection's connection and, from the moment it is ready, on a second
connection that reads the same snapshot, as `pg_dump --jobs` does: the inspection's transaction exports
its snapshot (`pg_export_snapshot`) and the second one starts with `SET TRANSACTION SNAPSHOT`, so both see
one catalog. The server deparses columns, constraints and indexes on two cores instead of one.

The queries wait in one queue, the costliest first (the deparsers' work grows with the number of columns,
constraints, indexes, views and routines); each connection takes the next one when it is free, so a small
database is read on the first connection before the second is open, and a slow second connection (a
remote server, a refused one: `max_connections`, a pooler sending it to another server) only takes less
or nothing. The second connection is a helper and never the authority: whatever fails on it goes back to
the queue for the inspection's own connection, which reports errors as a single connection would. Nobody
waits for a helper that has taken nothing: it finds the queue empty and closes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["HEAVIEST_FIRST", "SnapshotNotExported", "read_queries"]

Row = dict[str, Any]
Run = Callable[[Any, str], list[Row]]

# The queries whose answers the server deparses row by row, costliest first; the others follow in order.
HEAVIEST_FIRST = (
    "columns",
    "constraints",
    "indexes",
    "relations",
    "routines",
    "triggers",
    "sequences",
    "types",
)


class _Queue:
    """The queries not yet read, and the answers, shared by both connections."""

    def __init__(self, names: Sequence[str]) -> None:
        self.pending = sorted(names, key=_cost_order)  # pop() takes the costliest
        self.results: dict[str, list[Row]] = {}
        self.helping = 0  # queries the helper is reading now
        self.ready = threading.Condition()

    def take(self, helper: bool = False) -> str | None:
        with self.ready:
            if not self.pending:
                return None
            self.helping += helper
            return self.pending.pop()

    def done(self, name: str, rows: list[Row] | None) -> None:
        """The helper's answer to `name`, or None: it failed, and the query goes back to the queue."""
        with self.ready:
            if rows is None:
                self.pending.append(name)
            else:
                self.results[name] = rows
            self.helping -= 1
            self.ready.notify_all()

    def wait_for_helper(self) -> bool:
        """Wait until the helper holds no query; True if one came back to the queue."""
        with self.ready:
            self.ready.wait_for(lambda: self.helping == 0)
            return bool(self.pending)


def _cost_order(name: str) -> int:
    return len(HEAVIEST_FIRST) - HEAVIEST_FIRST.index(name) if name in HEAVIEST_FIRST else 0


def read_queries(
    conn: Any,
    names: Sequence[str],
    run: Run,
    helper: Callable[[], Any] | None,
    failure: type[BaseException],
) -> Mapping[str, list[Row]]:
    """The rows of every query in `names`, `run(connection, name)` on `conn` and on `helper()`'s
    connection (a context manager, opened in a thread: None, or raising `failure`, and it is not used)
    while there are queries left. `conn` is in the inspection's REPEATABLE READ transaction; a server
    that exports no snapshot raises `SnapshotNotExported`, and has aborted it."""
    queue = _Queue(names)
    snapshot = _export(conn) if helper is not None and len(names) > 1 else None
    if snapshot is not None:
        assert helper is not None
        thread = threading.Thread(
            target=_help, args=(queue, helper, snapshot, run, failure), name="schemareg-catalog", daemon=True
        )
        thread.start()
    while True:
        while (name := queue.take()) is not None:
            queue.results[name] = run(conn, name)
        if not queue.wait_for_helper():
            return queue.results


class SnapshotNotExported(Exception):
    """The server refused `pg_export_snapshot()`; the transaction is aborted, read again without a helper."""


def _export(conn: Any) -> tuple[str, str]:
    """The transaction's snapshot, exported: its identifier and its text. (It cannot be tried under a
    savepoint: a subtransaction exports none.)"""
    import psycopg

    try:
        row = conn.execute(
            "SELECT pg_catalog.pg_export_snapshot() AS id, pg_catalog.pg_current_snapshot()::text AS snapshot"
        ).fetchone()
    except psycopg.Error as error:
        raise SnapshotNotExported(str(error)) from error
    return row["id"], row["snapshot"]


def _help(
    queue: _Queue,
    helper: Callable[[], Any],
    snapshot: tuple[str, str],
    run: Run,
    failure: type[BaseException],
) -> None:
    import psycopg
    from psycopg import sql

    identifier, text = snapshot
    try:
        conn = helper()
    except (failure, psycopg.Error):
        return
    with conn:
        try:
            with conn.transaction():
                conn.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(identifier))
                conn.execute("SET LOCAL search_path = ''")
                # The same server and transaction state: a pooler may route this connection elsewhere.
                row = conn.execute("SELECT pg_catalog.pg_current_snapshot()::text AS snapshot").fetchone()
                if row["snapshot"] != text:
                    return
                while (name := queue.take(helper=True)) is not None:
                    try:
                        rows = run(conn, name)
                    except psycopg.Error:
                        queue.done(name, None)
                        return
                    queue.done(name, rows)
        except psycopg.Error:  # the snapshot could not be imported, or the connection was lost
            return
