-- One row per extracted report (report_id = sha256 of the raw bytes), with its identity outcome:
--   identity_status 'fail' when any check failed, 'pass' when at least one check was evaluated
--   and none failed, 'not_checked' when no check could be evaluated.
-- is_current marks one report per agency × year (latest published_on, then latest extraction,
-- then report_id); reports of unknown agencies are each current.
with reports as (

    select * from {{ ref('stg_ingest__reports') }}

),

checks as (

    select
        report_id,
        count(*) filter (where status in ('pass', 'fail')) as n_identity_checks,
        count(*) filter (where status = 'fail') as n_identity_failures,
        count(*) filter (where status = 'not_applicable') as n_identity_not_applicable,
        list_sort(list_distinct(list(identity_code) filter (where status = 'fail'))) as failed_identities

    from {{ ref('fct_identity_check') }}
    group by report_id

),

unmapped as (

    select report_id, count(*) as n_unmapped_values
    from {{ ref('fct_unmapped_value') }}
    group by report_id

),

final as (

    select
        reports.report_id,
        reports.agency_key,
        reports.agency_name,
        reports.year,
        reports.format,
        reports.published_on,
        reports.sha256,
        reports.source_path,
        reports.source_url,
        reports.media_type,
        reports.encoding,
        reports.script,
        reports.n_values,
        coalesce(unmapped.n_unmapped_values, 0) as n_unmapped_values,
        reports.n_warnings,
        reports.warnings,
        case
            when coalesce(checks.n_identity_failures, 0) > 0 then 'fail'
            when coalesce(checks.n_identity_checks, 0) > 0 then 'pass'
            else 'not_checked'
        end as identity_status,
        coalesce(checks.n_identity_checks, 0) as n_identity_checks,
        coalesce(checks.n_identity_failures, 0) as n_identity_failures,
        coalesce(checks.n_identity_not_applicable, 0) as n_identity_not_applicable,
        coalesce(checks.failed_identities, []::varchar[]) as failed_identities,
        row_number() over (
            partition by
                case when reports.is_agency_unknown then reports.report_id else reports.agency_key end,
                reports.year
            order by
                reports.published_on desc nulls last,
                reports.extracted_at desc,
                reports.report_id desc
        ) = 1 as is_current,
        reports.parser_version,
        reports.extracted_at

    from reports
    left join checks using (report_id)
    left join unmapped using (report_id)

)

select * from final
