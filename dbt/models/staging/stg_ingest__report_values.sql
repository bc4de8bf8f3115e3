-- One row per value read from a report (table cell, prose figure or derived subtotal).
-- Indicators without an applicant breakdown carry applicant_type_code 'none' (the extractors
-- write NULL there); rows whose label matched no catalogue code keep a NULL indicator_code.
with source as (

    select * from {{ source('ingest', 'report_values') }}

),

indicators as (

    select code, breakdown from {{ ref('indicators') }}

),

renamed as (

    select
        source.report_id,
        source.value_seq,
        source.indicator_code,
        source.raw_label,
        case
            when source.applicant_type is null and indicators.breakdown = 'none' then 'none'
            else source.applicant_type
        end as applicant_type_code,
        source.value,
        source.raw_value,
        source.blank,
        source.approximate,
        source.source,
        source.evidence,
        coalesce(source.read_by, 'cell') as read_by,
        source.indicator_code is not null as is_mapped

    from source
    left join indicators on source.indicator_code = indicators.code

)

select * from renamed
