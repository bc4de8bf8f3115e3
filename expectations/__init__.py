"""The 勾稽关系 (table identities) of the spec as pandas checks and Great Expectations suites.

    from expectations import load_identities, identity_residuals, validate_identities

    identities = load_identities()              # every row of identities.csv, parsed
    residuals = identity_residuals(facts)       # one row per report × identity × column/row: lhs, rhs, residual, status
    validation = validate_identities(facts)     # GX suites per identity, cross-checked with the residuals
    validation.success, validation["req_flow"].failures

``facts`` is fct_indicator_value as a DataFrame (report_id, format, indicator_code, applicant_type_code, value).
Importing this package does not import great_expectations; the first ``validate_identities`` does.
"""
from .evaluate import (
    FAIL,
    NONE_APPLICANT,
    NOT_APPLICABLE,
    NOT_INDEPENDENT,
    PASS,
    RESIDUAL_COLUMNS,
    TOLERANCE,
    identity_residuals,
)
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
    FAILURE_COLUMNS,
    IdentityCheckMismatch,
    IdentityResult,
    IdentityValidation,
    build_suite,
    build_suites,
    gx_context,
    suite_name,
    validate_identities,
)

__all__ = [
    "FAIL",
    "FAILURE_COLUMNS",
    "NONE_APPLICANT",
    "NOT_APPLICABLE",
    "NOT_INDEPENDENT",
    "PASS",
    "RESIDUAL_COLUMNS",
    "TOLERANCE",
    "ApplicantType",
    "Identity",
    "IdentityCheckMismatch",
    "IdentityResult",
    "IdentityValidation",
    "Indicator",
    "Scope",
    "Spec",
    "Term",
    "build_suite",
    "build_suites",
    "gx_context",
    "identity_residuals",
    "load_identities",
    "load_spec",
    "parse_expression",
    "spec_dir",
    "suite_name",
    "validate_identities",
]
