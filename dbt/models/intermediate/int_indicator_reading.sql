-- Every reading the ingest holds (report × value_seq), with the flag is_preferred on the one row per
-- report × indicator × applicant type that fct_indicator_value keeps: a table cell beats a derived
-- subtotal, which beats a prose figure; then the earliest read (lowest value_seq).
-- Unmapped rows (NULL indicator_code) are here too, never preferred (they live in fct_unmapped_value).
-- The evidence text is stored once, in dim_evidence (evidence_id, a digest of the text). In the work file only: the
-- published warehouse splits it into fct_indicator_value (the preferred rows) and fct_indicator_alternative (the
-- rest), so that no reading is stored twice (issue 17 §2).
-- Incremental by report (macros/incremental_slice.sql): only columns of the report itself.
{{ config(materialized='incremental', pre_hook="{{ delete_build_slice() }}") }}
with report_values as (

    select * from {{ ref('stg_ingest__report_values') }}
    where {{ in_build_slice() }}

),

reports as (

    select report_id, cast(year as integer) as year, format from {{ source('ingest', 'reports') }}
    where {{ in_build_slice() }}

),

ranked as (

    select
        *,
        -- a cell left unread (read_by unsplit: an ambiguous run of digits, formats.md §7.V) comes after any figure
        case
            when read_by = 'unsplit' then 5
            else case source when 'table' then 1 when 'derived' then 2 when 'narrative' then 3 else 4 end
        end as source_priority

    from report_values

),

preferred as (

    select
        *,
        row_number() over (
            partition by report_id, indicator_code, applicant_type_code
            order by source_priority, value_seq
        ) as preference_rank,
        count(*) over (partition by report_id, indicator_code, applicant_type_code) as n_evidence_rows

    from ranked

),

final as (

    select
        preferred.report_id,
        preferred.value_seq,
        preferred.indicator_code,
        preferred.applicant_type_code,
        preferred.raw_label,
        preferred.value,
        preferred.raw_value,
        preferred.blank,
        preferred.approximate,
        preferred.source,
        {{ evidence_id('preferred.evidence') }} as evidence_id,
        preferred.read_by,
        preferred.is_mapped,
        preferred.is_mapped and preferred.preference_rank = 1 as is_preferred,
        preferred.preference_rank,
        preferred.n_evidence_rows,
        reports.year,
        reports.format

    from preferred
    left join reports using (report_id)

)

select * from final
