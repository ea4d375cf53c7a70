"""Where the observatory computes: the local grid engine, the pandas reference, or any Ibis backend.

=========== ==================================================================================
engine      what computes
=========== ==================================================================================
``local``   numpy on the year × region × sector grid of the panel (:mod:`.grid`), one machine;
            the default of ``klaster observatory map`` and of the methodology API
``duckdb``  the Ibis expressions of :mod:`.engine` on embedded DuckDB (in memory, or a database
            file: ``url="path/to/file.duckdb"``); ``ibis`` is the same engine (its old name)
``spark``   the same Ibis expressions on Apache Spark through PySpark (``url`` = the master:
            ``local[4]`` — the default ``local[2]`` —, ``spark://host:7077``, ``yarn``,
            ``k8s://…``; ``options`` = Spark configuration)
``pandas``  the plain-pandas reference (:mod:`.reference`), the tests' oracle
an Ibis    any connected Ibis backend passed as the engine (``ibis.duckdb.connect(…)``,
backend    ``ibis.pyspark.connect(session)``, ``ibis.connect("postgres://…")``…)
=========== ==================================================================================

The Ibis engines never create temporary tables: the small intermediate results (region and
national totals, per-year percentiles) are computed, fetched and passed back as in-memory tables,
so the same code runs on backends without temporary tables (PySpark).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

ENGINES = ("local", "duckdb", "spark", "pandas")
ALIASES = {"ibis": "duckdb", "numpy": "local"}


class EngineError(ValueError):
    """An engine that cannot be used (unknown name, bad URL, missing Java for Spark …)."""


def connect_duckdb(url: str | None = None, **options):
    """An Ibis DuckDB connection: in memory, or the database file ``url`` (``duckdb:///path`` or a path)."""
    import ibis

    if url:
        path = url[len("duckdb://"):] if url.startswith("duckdb://") else url
        path = path.lstrip("/") if path.startswith("///") else path
        return ibis.duckdb.connect(path or ":memory:", **options)
    return ibis.duckdb.connect(**options)


def connect_spark(master: str | None = None, options: Mapping[str, str] | None = None):
    """An Ibis PySpark connection to the Spark ``master`` (default ``local[2]``).

    ``options`` are Spark configuration properties (e.g. ``spark.executor.memory``). The Spark UI
    is off and shuffles use few partitions unless the options say otherwise.

    Raises
    ------
    EngineError
        When Spark cannot start (e.g. no Java), with the reason.
    """
    import os
    import shutil

    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise EngineError("the Spark engine needs Java (e.g. Debian's default-jre-headless) and PySpark")
    try:
        import ibis
        from pyspark.sql import SparkSession
    except ImportError as e:  # pragma: no cover - pyspark is locked in the test extra
        raise EngineError(f"the Spark engine needs PySpark: {e}") from None
    conf = {"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false", "spark.sql.shuffle.partitions": "8",
            "spark.sql.session.timeZone": "UTC", **dict(options or {})}
    b = SparkSession.builder.appName("klaster-observatory").master(master or "local[2]")
    for k, v in conf.items():
        b = b.config(k, v)
    try:
        session = b.getOrCreate()
    except Exception as e:  # noqa: BLE001 - the JVM gateway reports many kinds of failure
        raise EngineError(f"Spark did not start: {str(e).strip().splitlines()[0] if str(e).strip() else e.__class__.__name__}") from None
    session.sparkContext.setLogLevel("ERROR")
    return ibis.pyspark.connect(session)


@dataclass
class Engine:
    """An engine by name, URL or connection (see the module docstring).

    Parameters
    ----------
    name : str or Ibis backend
        ``local``, ``duckdb`` (``ibis``), ``spark``, ``pandas``, or a connected Ibis backend.
    url : str, optional
        ``duckdb``: a database file; ``spark``: the master URL; ``ibis`` with a URL of another
        backend: :func:`ibis.connect` of it.
    options : mapping, optional
        Backend options (Spark configuration properties; DuckDB settings such as
        ``memory_limit``).

    Attributes
    ----------
    kind : {"local", "pandas", "ibis"}
    con : Ibis backend or None
    """

    name: Any = "local"
    url: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        self.con = None
        if isinstance(self.name, Engine):
            other = self.name
            self.name, self.url, self.options, self.con, self.kind = other.name, other.url, other.options, other.con, other.kind
            return
        if not isinstance(self.name, str):
            import ibis

            if not isinstance(self.name, ibis.BaseBackend):
                raise EngineError(f"engine must be one of {', '.join(ENGINES)} or an Ibis backend, not {self.name!r}")
            self.con, self.kind = self.name, "ibis"
            self.name = getattr(self.con, "name", "ibis")
            return
        raw = self.name.strip().lower()
        if raw == "ibis" and self.url and not self.url.startswith("duckdb") and "://" in self.url:
            import ibis

            try:
                self.con = ibis.connect(self.url, **dict(self.options))
            except Exception as e:  # noqa: BLE001 - any backend's connection error
                raise EngineError(f"cannot connect to {self.url!r}: {e}") from None
            self.kind, self.name = "ibis", getattr(self.con, "name", "ibis")
            return
        name = ALIASES.get(raw, raw)
        if name not in ENGINES:
            raise EngineError(f"engine must be one of {', '.join(ENGINES)} (or an Ibis backend), not {self.name!r}")
        self.name = name
        if name in ("local", "pandas"):
            if self.url:
                raise EngineError(f"the {name} engine takes no URL")
            self.kind = name
        elif name == "duckdb":
            self.kind = "ibis"
            self.con = connect_duckdb(self.url, **dict(self.options))
        else:
            self.kind = "ibis"
            self.con = connect_spark(self.url, {k: str(v) for k, v in dict(self.options).items()})

    @property
    def backend(self) -> str:
        """The backend's name (``local``, ``pandas``, ``duckdb``, ``pyspark``, …)."""
        return self.name if self.kind != "ibis" else getattr(self.con, "name", str(self.name))

    # -- running Ibis expressions on pandas inputs --------------------------------------------
    def table(self, df):
        """A pandas DataFrame as a table of this engine (an in-memory table for Ibis backends)."""
        if self.kind != "ibis":
            return df
        import ibis

        return ibis.memtable(df)

    def execute(self, expr):
        """Run an Ibis expression on this engine's backend into a pandas DataFrame."""
        return self.con.execute(expr)
