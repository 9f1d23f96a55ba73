"""SphinxQL connections (the MySQL protocol, through PyMySQL) and backend URLs.

A backend URL is ``sphinxql://host:port``: the SphinxQL address of the cluster's
aggregator. Statements may be sent as one batch (a multi-statement string), which
``searchd`` runs as a multi-query; :func:`run_batch` gives each statement's rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import pymysql
from pymysql.constants import CLIENT

from indexer.errors import IndexProblem, JianbaoError

SCHEME = "sphinxql"


class BadBackend(JianbaoError, ValueError):
    """A backend URL that is not ``sphinxql://host:port``."""


class ClusterUnavailable(IndexProblem):
    """A node of the cluster cannot be reached, or answered with an error."""


def parse_url(url: str) -> tuple[str, int]:
    """(host, port) of a ``sphinxql://host:port`` URL; BadBackend says what is wrong."""
    parts = urlsplit(url)
    if parts.scheme != SCHEME or not parts.hostname or not parts.port:
        raise BadBackend(f"{url!r} is not a backend URL of the form sphinxql://host:port")
    return parts.hostname, parts.port


def connect(host: str, port: int, timeout: float = 30.0) -> pymysql.Connection:
    """A connection to a ``searchd``'s SphinxQL port that accepts statement batches."""
    try:
        return pymysql.connect(host=host, port=port, charset="utf8", autocommit=True,
                               client_flag=CLIENT.MULTI_STATEMENTS, connect_timeout=min(timeout, 5.0),
                               read_timeout=timeout, write_timeout=timeout)
    except pymysql.MySQLError as e:
        raise ClusterUnavailable(f"searchd at {host}:{port} cannot be reached: {e.args[-1]}") from None


@dataclass
class ResultSet:
    """The answer to one statement: its rows and how many warnings came with them."""

    rows: list[tuple]
    warnings: int


def run_batch(conn: pymysql.Connection, statements: list[str]) -> list[ResultSet]:
    """Send the statements as one batch; the answer to each, in order."""
    with conn.cursor() as cur:
        cur.execute(";\n".join(statements))
        out = [ResultSet(list(cur.fetchall()), cur.warning_count)]
        while cur.nextset():
            out.append(ResultSet(list(cur.fetchall()), cur.warning_count))
    return out
