-- Values whose label matched no catalogue code: kept with their label, never dropped, so new
-- codes can be proposed from what real pages print. The agency is in fct_report (join on report_id).
-- Incremental by report (macros/incremental_slice.sql).
{{ config(materialized='incremental', pre_hook="{{ delete_build_slice() }}") }}
with report_values as (

    select * from {{ ref('stg_ingest__report_values') }}
    where indicator_code is null and {{ in_build_slice() }}

),

reports as (

    select report_id, cast(year as integer) as year, format from {{ source('ingest', 'reports') }}
    where {{ in_build_slice() }}

),

final as (

    select
        report_values.report_id,
        report_values.value_seq,
        report_values.raw_label,
        report_values.applicant_type_code,
        report_values.value,
        report_values.raw_value,
        report_values.blank,
        report_values.approximate,
        report_values.source,
        report_values.evidence,
        reports.year,
        reports.format

    from report_values
    left join reports using (report_id)

)

select * from final
