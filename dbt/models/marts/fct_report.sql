-- One row per extracted report (report_id = sha256 of the raw bytes), with its identity outcome:
--   identity_status 'fail' when any check failed, 'pass' when at least one check was evaluated
--   and none failed, 'not_checked' when no check could be evaluated.
-- is_current marks one report per agency × year, by a rule that depends on the reports alone (never on
-- when they were extracted): the later publication (a corrected republication is published later),
-- then the fuller report (more values read: the HTML page over a PDF whose tables are images), then
-- the lowest sha256 (two copies of the same report). The others are kept, superseded_by the current one,
-- with the reason. A report with no year is current on its own; a report that names no agency is an
-- agency of its own (stg_ingest__reports), so it is current too.
with reports as (

    select
        *,
        case when year is null then report_id else agency_key end as version_group

    from {{ ref('stg_ingest__reports') }}

),

versions as (

    select
        report_id,
        row_number() over version_order as version_rank,
        count(*) over (partition by version_group, year) as n_versions,
        first_value(report_id) over version_order as current_report_id,
        first_value(published_on) over version_order as current_published_on,
        first_value(n_values) over version_order as current_n_values

    from reports
    window version_order as (
        partition by version_group, year
        order by published_on desc nulls last, n_values desc, report_id asc
    )

),

outcomes as (

    -- the per-report counts of fct_identity_check and fct_unmapped_value (built incrementally)
    select * from {{ ref('int_report_outcome') }}

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
        coalesce(outcomes.n_unmapped_values, 0) as n_unmapped_values,
        reports.n_warnings,
        reports.warnings,
        case
            when coalesce(outcomes.n_identity_failures, 0) > 0 then 'fail'
            when coalesce(outcomes.n_identity_checks, 0) > 0 then 'pass'
            else 'not_checked'
        end as identity_status,
        coalesce(outcomes.n_identity_checks, 0) as n_identity_checks,
        coalesce(outcomes.n_identity_failures, 0) as n_identity_failures,
        coalesce(outcomes.n_identity_not_applicable, 0) as n_identity_not_applicable,
        coalesce(outcomes.failed_identities, []::varchar[]) as failed_identities,
        versions.version_rank = 1 as is_current,
        versions.n_versions,
        case when versions.version_rank > 1 then versions.current_report_id end as superseded_by,
        case
            when versions.version_rank = 1 then null
            when versions.current_published_on is not null
                 and (reports.published_on is null or versions.current_published_on > reports.published_on)
                then 'a later publication of the same agency-year (' || strftime(versions.current_published_on, '%Y-%m-%d')
                     || coalesce(' against ' || strftime(reports.published_on, '%Y-%m-%d'), ', this one is undated') || ')'
            when versions.current_n_values > reports.n_values
                then 'a fuller report of the same agency-year (' || versions.current_n_values::varchar || ' values against '
                     || reports.n_values::varchar || ')'
            else 'another copy of the same agency-year report (same date and number of values: the lower sha256 is current)'
        end as superseded_reason,
        reports.parser_version,
        reports.extracted_at

    from reports
    join versions using (report_id)
    left join outcomes using (report_id)

)

select * from final
