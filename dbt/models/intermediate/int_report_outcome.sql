-- One row per report that has identity checks or unmapped values: its identity outcome counts and its unmapped
-- values, so that fct_report (rebuilt whole: is_current and the agency key are decided across reports) reads
-- a row per report instead of every check. Incremental by report (macros/incremental_slice.sql).
{{ config(materialized='incremental', pre_hook="{{ delete_build_slice() }}") }}
with checks as (

    select
        report_id,
        count(*) filter (where status in ('pass', 'fail')) as n_identity_checks,
        count(*) filter (where status = 'fail') as n_identity_failures,
        -- not_independent (a term chosen by the identities themselves, formats.md §7.V) counts like not_applicable
        count(*) filter (where status in ('not_applicable', 'not_independent')) as n_identity_not_applicable,
        list_sort(list_distinct(list(identity_code) filter (where status = 'fail'))) as failed_identities

    from {{ ref('fct_identity_check') }}
    where {{ in_build_slice() }}
    group by report_id

),

unmapped as (

    select report_id, count(*) as n_unmapped_values
    from {{ ref('fct_unmapped_value') }}
    where {{ in_build_slice() }}
    group by report_id

)

select
    report_id,
    checks.n_identity_checks,
    checks.n_identity_failures,
    checks.n_identity_not_applicable,
    checks.failed_identities,
    coalesce(unmapped.n_unmapped_values, 0) as n_unmapped_values

from checks
full outer join unmapped using (report_id)
