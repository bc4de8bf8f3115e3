-- One value per report × indicator × applicant type (applicant_type_code 'none' for indicators
-- without an applicant breakdown): the preferred row of fct_indicator_evidence. Only catalogued
-- indicators; labels that matched no code are in fct_unmapped_value. The text a value was read from is in
-- dim_evidence (join on evidence_id), stored once for the whole warehouse.
with evidence as (

    select * from {{ ref('fct_indicator_evidence') }}
    where is_preferred

),

indicators as (

    select indicator_code, unit, concept from {{ ref('dim_indicator') }}

),

final as (

    select
        evidence.report_id,
        evidence.indicator_code,
        evidence.applicant_type_code,
        evidence.value,
        indicators.unit,
        evidence.raw_value,
        evidence.blank,
        evidence.approximate,
        evidence.source,
        evidence.evidence_id,
        evidence.read_by,
        evidence.raw_label,
        evidence.value_seq,
        evidence.n_evidence_rows,
        indicators.concept,
        evidence.agency_key,
        evidence.year,
        evidence.format

    from evidence
    left join indicators using (indicator_code)

)

select * from final
