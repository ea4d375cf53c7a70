"""Fixtures of the observatory tests: the ``spark`` marker and one local Spark session.

``pytest -m spark`` runs the Spark tests alone (a few minutes: one ``local[2]`` session for
the whole run); ``pytest -m "not spark"`` leaves them out. Without Java the Spark tests are
skipped locally and fail in CI (``CI`` set), which installs Debian's Java.
"""

import os
import shutil

import pytest


def pytest_configure(config):
    config.addinivalue_line("markers", "spark: runs on Apache Spark (PySpark local mode; needs Java)")


@pytest.fixture(scope="session")
def spark_engine():
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        if os.environ.get("CI"):
            pytest.fail("the Spark tests need Java (.ci/run installs default-jre-headless)")
        pytest.skip("no Java on this machine: the Spark tests run in CI")
    from klaster.observatory.methodology import Engine

    eng = Engine("spark", url="local[2]", options={"spark.sql.shuffle.partitions": "4"})
    yield eng
    eng.con.disconnect()
