-- One row: what the work file holds after a run. Pages seen = registered raw pages plus pages that
-- failed before registration (quarantined at register/fetch), as `ogi run` reports it.
with raw_pages as (

    select count(*) as n from {{ ref('stg_ingest__raw_pages') }}

),

quarantine as (

    select
        count(*) as n,
        count(*) filter (where step in ('register', 'fetch')) as n_before_registration

    from {{ ref('stg_ingest__quarantine') }}

),

reports as (

    select
        count(*) as n,
        count(*) filter (where identity_status = 'fail') as n_failing,
        count(*) filter (where identity_status = 'not_checked') as n_not_checked

    from {{ ref('fct_report') }}

),

evidence as (

    -- every reading is in exactly one of fct_indicator_value and fct_indicator_alternative (counted, not scanned)
    select
        (select count(*) from {{ ref('fct_indicator_value') }})
            + (select count(*) from {{ ref('fct_indicator_alternative') }}) as n,
        (select count(*) from {{ ref('fct_indicator_value') }}) as n_preferred,
        (select count(*) from {{ ref('fct_unmapped_value') }}) as n_unmapped

),

checks as (

    select
        coalesce(sum(n_identity_checks), 0)::bigint as n_evaluated,
        coalesce(sum(n_identity_failures), 0)::bigint as n_failed

    from {{ ref('int_report_outcome') }}

)

select
    raw_pages.n + quarantine.n_before_registration as pages_seen,
    reports.n as reports,
    quarantine.n as quarantined,
    evidence.n as report_values,
    evidence.n_preferred as indicator_values,
    evidence.n_unmapped as unmapped_values,
    checks.n_evaluated as identity_checks,
    checks.n_failed as identity_failures,
    reports.n_failing as reports_failing_identities,
    reports.n_not_checked as reports_not_checked,
    current_timestamp as built_at

from raw_pages, quarantine, reports, evidence, checks
