-- One row per report × cross-era concept: the sum of the report's values of the concept's era codes (总计 column or
-- the single value), read by mart_concept_panel and mart_report_wide (rebuilt whole) instead of every fact.
-- has_unread: a code of the concept was printed but left unread (an ambiguous run of digits): its sum is not known.
-- Incremental by report (macros/incremental_slice.sql).
{{ config(materialized='incremental', pre_hook="{{ delete_build_slice() }}") }}
with values as (

    select v.report_id, v.indicator_code, v.value, v.source, v.approximate, v.read_by, i.concept
    from {{ ref('fct_indicator_value') }} as v
    join {{ ref('dim_indicator') }} as i using (indicator_code)
    where i.concept is not null
        and v.applicant_type_code in ('total', 'none')
        and (v.value is not null or v.read_by = 'unsplit')
        and {{ in_build_slice('v.report_id') }}

)

select
    report_id,
    concept,
    sum(value) as value,
    count(*) as n_codes,
    list_sort(list(indicator_code)) as codes,
    bool_or(approximate) as approximate,
    list_sort(list_distinct(list(source))) as sources,
    bool_or(read_by = 'unsplit') as has_unread

from values
group by report_id, concept
