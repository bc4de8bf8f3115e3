-- The readings fct_indicator_value did not keep (report × value_seq): a prose figure restating a table
-- cell, a derived subtotal beside the cell that states it, a second printing of a cell, and the readings
-- whose label matched no catalogue code (is_mapped false; also in fct_unmapped_value). Together with
-- fct_indicator_value (preference_rank 1) they are every reading of int_indicator_reading, each stored once.
-- Incremental by report (macros/incremental_slice.sql).
-- built after the readings' relationship tests to the dimensions have passed (dbt build skips it otherwise):
-- depends_on: {{ ref('dim_indicator') }}, {{ ref('dim_applicant_type') }}
{{ config(materialized='incremental', pre_hook="{{ delete_build_slice() }}") }}
with readings as (

    select * from {{ ref('int_indicator_reading') }}
    where not is_preferred and {{ in_build_slice() }}

),

final as (

    select
        report_id,
        value_seq,
        indicator_code,
        applicant_type_code,
        raw_label,
        value,
        raw_value,
        blank,
        approximate,
        source,
        evidence_id,
        read_by,
        is_mapped,
        preference_rank,
        year

    from readings

)

select * from final
