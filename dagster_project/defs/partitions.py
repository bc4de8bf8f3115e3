"""The partitions the UI offers for a rerun: the report years the corpus has, and one partition per page,
named by its report's year and agency (``2022 北京市海淀区人民政府 · 3f2a9c1b0d4e``) so a user finds it by
what it is, not by a sha256. Both are dynamic: the extraction step brings them in line with the ingest tables
after every run, so a year appears when its first report is read and a page's name follows its latest reading.

A partition is configuration, not an asset: picking one runs the extraction asset with ``years`` or
``documents`` set (the run config below), and the rest of the job rebuilds and republishes the warehouse.
"""
from __future__ import annotations

import re

import dagster as dg

from dagster_project.defs.resources import WorkDatabase, work_database_of
from dagster_project.settings import DataHome

YEARS_NAME, DOCUMENTS_NAME = "report_years", "report_documents"
REPORT_YEARS = dg.DynamicPartitionsDefinition(name=YEARS_NAME)
REPORT_DOCUMENTS = dg.DynamicPartitionsDefinition(name=DOCUMENTS_NAME)
_SHA_PREFIX = 12
_NAME_CHARS = 40
_KEY_TAIL = re.compile(r"· ([0-9a-f]{%d})$" % _SHA_PREFIX)
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]+")


def document_key(sha256: str, year: int | None, agency: str | None, quarantined_as: str | None = None) -> str:
    """The partition key of one page: year, agency (cut to 40 characters) and the first 12 hex of its sha256."""
    if quarantined_as is not None:
        label = f"quarantined {quarantined_as}"
    else:
        label = f"{year if year is not None else 'year?'} {agency or '(agency unknown)'}"
    label = _UNSAFE.sub(" ", label).replace("...", "…").strip()
    if len(label) > _NAME_CHARS + 5:
        label = label[:_NAME_CHARS + 4] + "…"
    return f"{label} · {sha256[:_SHA_PREFIX]}"


def document_of_key(key: str) -> str:
    """The sha256 prefix a document partition key ends with (a bare sha256 or prefix is taken as it is)."""
    match = _KEY_TAIL.search(key)
    return match.group(1) if match else key.strip().lower()


def desired_partitions(home: DataHome, work_db: WorkDatabase | None = None) -> tuple[list[str], list[str]]:
    """(years, document keys) as the ingest tables have them now, each sorted."""
    with (work_db or work_database_of(home)).store() as store:
        report_years, rows = store.partition_rows()
    years = [str(y) for y in report_years]
    docs = []
    for sha, year, agency, step, path in rows:
        if year is None and agency is None and step is not None:
            docs.append(document_key(sha, None, None, quarantined_as=f"at {step}: {(path or '').rsplit('/', 1)[-1]}"))
        else:
            docs.append(document_key(sha, year, agency))
    return years, docs


def _sync(instance: dg.DagsterInstance, name: str, desired: list[str]) -> tuple[int, int]:
    have = instance.get_dynamic_partitions(name)
    wanted = set(desired)
    gone = [k for k in have if k not in wanted]
    for key in gone:
        instance.delete_dynamic_partition(name, key)
    known = set(have)
    new = [k for k in desired if k not in known]
    if new:
        instance.add_dynamic_partitions(name, new)
    return len(new), len(gone)


def sync_rerun_partitions(instance: dg.DagsterInstance, home: DataHome,
                          work_db: WorkDatabase | None = None) -> dict[str, tuple[int, int]]:
    """Bring the two dynamic partition sets in line with the ingest tables; returns (added, removed) per set."""
    years, docs = desired_partitions(home, work_db)
    return {YEARS_NAME: _sync(instance, YEARS_NAME, years), DOCUMENTS_NAME: _sync(instance, DOCUMENTS_NAME, docs)}


def year_run_config(key: str) -> dict:
    return {"ops": {"extraction": {"config": {"years": [int(key)], "documents": []}}}}


def document_run_config(key: str) -> dict:
    return {"ops": {"extraction": {"config": {"years": [], "documents": [document_of_key(key)]}}}}


YEAR_CONFIG = dg.PartitionedConfig(partitions_def=REPORT_YEARS, run_config_for_partition_key_fn=year_run_config)
DOCUMENT_CONFIG = dg.PartitionedConfig(partitions_def=REPORT_DOCUMENTS,
                                       run_config_for_partition_key_fn=document_run_config)
