-- One row per report with carry-over figures (总计 column): what mart_report_wide and the panel's carry-forward rate
-- need of the codes themselves (结转 has no cross-era concept: v2008 has no carry-over).
-- Incremental by report (macros/incremental_slice.sql).
{{ config(materialized='incremental', pre_hook="{{ delete_build_slice() }}") }}
select
    report_id,
    max(value) filter (where indicator_code = 'req_carried_in') as carried_in,
    max(value) filter (where indicator_code = 'req_carried_out') as carried_out,
    max(value) filter (where indicator_code = 'req_new') as new_requests

from {{ ref('fct_indicator_value') }}
where applicant_type_code = 'total'
    and indicator_code in ('req_carried_in', 'req_carried_out', 'req_new')
    and {{ in_build_slice() }}
group by report_id
