-- Shown in Dagster as a check on fct_indicator_value (a singular test with several parents needs its asset named).
{{ config(meta={'dagster': {'ref': {'name': 'fct_indicator_value'}}}) }}
-- A value of an indicator with breakdown 'applicant' names one of the seven applicant columns;
-- a value of an indicator with breakdown 'none' has applicant_type_code 'none'.
select
    indicator_values.report_id,
    indicator_values.indicator_code,
    indicator_values.applicant_type_code,
    indicators.breakdown

from {{ ref('fct_indicator_value') }} as indicator_values
join {{ ref('dim_indicator') }} as indicators using (indicator_code)
join {{ ref('dim_applicant_type') }} as applicant_types using (applicant_type_code)
where (indicators.breakdown = 'applicant') <> applicant_types.is_applicant_column
