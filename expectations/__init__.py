"""The 勾稽关系 (table identities) of the spec, and the Great Expectations suites that validate their result.

    from expectations import load_identities, validate_work_db

    identities = load_identities()          # every row of identities.csv, parsed (the Dagster check specs)
    validation = validate_work_db(con)      # GX suites on fct_identity_check, fct_report, fct_indicator_value
    validation["req_flow"].failures, validation.structural

The identities are evaluated once, by dbt (``fct_identity_check``); the suites validate that result (a failing
check is a data fault) and the warehouse's consistency with it (a structural fault), never recompute a sum.
Importing this package does not import great_expectations; the first validation does.
"""
from .identities import (
    ApplicantType,
    Identity,
    Indicator,
    Scope,
    Spec,
    Term,
    load_identities,
    load_spec,
    parse_expression,
    spec_dir,
)
from .suites import (
    CHECKED_COLUMNS,
    FAIL,
    FAILURE_COLUMNS,
    NOT_APPLICABLE,
    NOT_INDEPENDENT,
    PASS,
    STATUSES,
    STRUCTURAL_COLUMNS,
    SUITES,
    TOLERANCE,
    IdentityResult,
    StructuralFailure,
    WarehouseValidation,
    build_suites,
    gx_context,
    load_batches,
    validate_frames,
    validate_work_db,
)

__all__ = [
    "CHECKED_COLUMNS",
    "FAIL",
    "FAILURE_COLUMNS",
    "NOT_APPLICABLE",
    "NOT_INDEPENDENT",
    "PASS",
    "STATUSES",
    "STRUCTURAL_COLUMNS",
    "SUITES",
    "TOLERANCE",
    "ApplicantType",
    "Identity",
    "IdentityResult",
    "Indicator",
    "Scope",
    "Spec",
    "StructuralFailure",
    "Term",
    "WarehouseValidation",
    "build_suites",
    "gx_context",
    "load_batches",
    "load_identities",
    "load_spec",
    "parse_expression",
    "spec_dir",
    "validate_frames",
    "validate_work_db",
]
