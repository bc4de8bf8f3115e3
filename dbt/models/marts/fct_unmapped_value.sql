-- Values whose label matched no catalogue code: kept with their label, never dropped, so new
-- codes can be proposed from what real pages print.
with report_values as (

    select * from {{ ref('stg_ingest__report_values') }}
    where indicator_code is null

),

reports as (

    select report_id, agency_key, year, format from {{ ref('stg_ingest__reports') }}

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
        reports.agency_key,
        reports.year,
        reports.format

    from report_values
    left join reports using (report_id)

)

select * from final
