"""Configuration: read from the environment in one function, never written to it; the CLI passes its options as
Settings, and the resources are built from them."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from dagster_project.settings import DEFAULT_MAX_FETCH_BYTES, PROJECT_ROOT, DataHome, Settings, from_environment


def test_the_environment_names_the_settings_and_the_rest_has_defaults(tmp_path):
    got = from_environment({"OGI_HOME": str(tmp_path / "h"), "OGI_ALLOW_HOSTS": "127.0.0.1,localhost",
                            "OGI_FETCH_DEADLINE": "7.5", "OGI_DUCKDB_MEMORY": "1GB", "OGI_EXECUTOR": "multiprocess",
                            "OGI_MAX_CONCURRENT": "3", "OGI_EVIDENCE_PAGES": "10", "DAGSTER_HOME": "/srv/dagster"})
    assert got.home == DataHome(tmp_path / "h") and got.home.work_db == tmp_path / "h" / "work" / "ogi_work.duckdb"
    assert got.allow_hosts == ("127.0.0.1", "localhost") and got.fetch_deadline == 7.5
    assert (got.duckdb_memory, got.executor, got.max_concurrent, got.evidence_pages) == ("1GB", "multiprocess", 3, 10)
    assert got.instance_dir == Path("/srv/dagster") and not got.debug
    default = from_environment({})
    assert default.home.root == (PROJECT_ROOT / "data").resolve() and default.home.landing_dir is None
    assert default.instance_dir == default.home.root / "dagster"  # no DAGSTER_HOME: the data home's
    assert (default.max_fetch_bytes, default.executor, default.duckdb_memory) == (DEFAULT_MAX_FETCH_BYTES,
                                                                                  "in_process", "768MB")


def test_the_cli_passes_its_options_as_settings_and_leaves_the_environment_alone(tmp_path):
    from dagster_project import cli

    before = dict(os.environ)
    settings = cli._settings(tmp_path / "home", tmp_path / "pages", tmp_path / "sources.csv", ["127.0.0.1"])
    assert dict(os.environ) == before
    assert settings.home == DataHome((tmp_path / "home").resolve(), (tmp_path / "pages").resolve(),
                                     (tmp_path / "sources.csv").resolve())
    assert settings.allow_hosts == ("127.0.0.1",) and (tmp_path / "home" / "raw").is_dir()  # the home is made ready
    dagster_home = os.environ.get("DAGSTER_HOME")
    assert settings.instance_dir == (Path(dagster_home) if dagster_home else settings.home.root / "dagster")


def test_the_resources_of_a_settings(tmp_path):
    from dagster_project.defs.resources import resources

    home = DataHome(tmp_path, tmp_path / "pages")
    wired = resources(Settings(home=home, allow_hosts=("127.0.0.1",), duckdb_memory="1GB", evidence_pages=5))
    assert (wired["work_db"].path, wired["work_db"].memory_limit) == (str(home.work_db), "1GB")
    assert wired["work_db"].dbt_env == {"OGI_WORK_DB": str(home.work_db), "OGI_DUCKDB_MEMORY": "1GB"}
    assert wired["ogi_home"].root == str(tmp_path) and wired["ogi_home"].landing == str(tmp_path / "pages")
    assert wired["ogi_home"].allow_hosts == ["127.0.0.1"] and wired["ogi_home"].evidence_pages == 5
    raw = wired["raw_store"]
    sha = hashlib.sha256(b"bytes").hexdigest()
    stored = f"raw/{sha[:2]}/{sha[2:4]}/{sha}"
    assert raw.put(sha, b"bytes") == stored and raw.file(stored).read_bytes() == b"bytes"
    assert raw.path(sha) == home.raw_path(sha)
    raw.path(sha).write_bytes(b"edited on disk")
    raw.put(sha, b"bytes")  # the same bytes again restore it
    assert raw.path(sha).read_bytes() == b"bytes"


def test_a_share_of_the_duckdb_memory_bound():
    from ingest.store import share_of_memory

    assert share_of_memory("768MB", 1 / 3) == "256MB"
    assert share_of_memory("2GB", 0.5) == "1000MB"
    assert share_of_memory("1GiB", 0.5) == "536MB"
    assert share_of_memory("100MB", 0.1) == "64MB"  # never under 64MB
    assert share_of_memory("80%", 0.5) == "80%"  # not a size: kept


def test_publishing_gets_a_third_of_the_duckdb_bound():
    from dagster_project.defs.publish import _connect

    con = _connect("768MB")
    try:
        (limit,) = con.execute("SELECT current_setting('memory_limit')").fetchone()
    finally:
        con.close()
    assert limit.endswith("MiB") and 240 <= float(limit.split()[0]) <= 250, limit  # 256 MB = 244.1 MiB


def test_the_pipelines_own_connections_get_a_share_of_the_bound(tmp_path):
    """Extraction's writer and the identity checks' reader run beside Dagster in the pipeline's process: a third of
    the bound each (DuckDB fills its buffer pool up to its bound on a large file); dbt's connection keeps it all."""
    from dagster_project.defs.resources import IN_PROCESS_MEMORY_SHARE, WorkDatabase

    work_db = WorkDatabase(path=str(tmp_path / "work.duckdb"), memory_limit="768MB")
    limits = {}
    for name, share in (("whole", None), ("share", IN_PROCESS_MEMORY_SHARE)):
        with work_db.store(share=share) as store:
            limits[name] = store.connection.execute("select current_setting('memory_limit')").fetchone()[0]
    assert limits == {"whole": "732.4 MiB", "share": "244.1 MiB"}  # 768 MB and 256 MB, as DuckDB prints them
    assert work_db.dbt_env["OGI_DUCKDB_MEMORY"] == "768MB"
