-- One value per report × indicator × applicant type (applicant_type_code 'none' for indicators
-- without an applicant breakdown): the preferred reading of int_indicator_reading. Only catalogued
-- indicators; labels that matched no code are in fct_unmapped_value, the readings not kept in
-- fct_indicator_alternative. Narrow on purpose (issue 17 §2): the unit and concept are in dim_indicator, the
-- agency and format in fct_report (join on report_id), the text a value was read from in dim_evidence (join on
-- evidence_id), each stored once for the whole warehouse.
-- Incremental by report (macros/incremental_slice.sql).
-- built after the readings' relationship tests to the dimensions have passed (dbt build skips it otherwise):
-- depends_on: {{ ref('dim_indicator') }}, {{ ref('dim_applicant_type') }}
{{ config(materialized='incremental', pre_hook="{{ delete_build_slice() }}") }}
with readings as (

    select * from {{ ref('int_indicator_reading') }}
    where is_preferred and {{ in_build_slice() }}

),

final as (

    select
        report_id,
        indicator_code,
        applicant_type_code,
        value,
        raw_value,
        blank,
        approximate,
        source,
        evidence_id,
        read_by,
        raw_label,
        value_seq,
        n_evidence_rows,
        year

    from readings

)

select * from final
