-- One row per report × cross-era concept: the sum of the report's values of the concept's era codes (总计 column or
-- the single value), read by mart_concept_panel and mart_report_wide (rebuilt whole) instead of every fact.
-- has_unread: a code of the concept was printed but left unread (an ambiguous run of digits): its sum is not known.
-- Incremental by report (macros/incremental_slice.sql).
{{ config(materialized='incremental', pre_hook="{{ delete_build_slice() }}") }}
-- The codes and the sources are aggregated as bit masks (fixed-size states, which DuckDB spills to disk beyond its
-- memory bound) and turned back into sorted lists afterwards: list() states cannot spill, and at 100,000 reports
-- (1.8 M report × concept groups) the build ran out of memory in 768 MB.
with concept_codes as (

    select concept, list_sort(list(indicator_code)) as codes
    from {{ ref('dim_indicator') }}
    where concept is not null
    group by concept

),

code_bits as (

    -- a code's bit: its place in the concept's sorted codes (a bigint mask holds 62)
    select
        indicator_code,
        concept,
        case when n <= 62 then n else error('concept ' || concept || ' has more than 62 codes') end as bit
    from (
        select indicator_code, concept, row_number() over (partition by concept order by indicator_code) as n
        from {{ ref('dim_indicator') }}
        where concept is not null
    )

),

values as (

    select
        v.report_id,
        b.concept,
        v.value,
        v.approximate,
        v.read_by,
        b.bit,
        -- the bit of the source in ['derived', 'narrative', 'table'] (sorted)
        case v.source when 'derived' then 1 when 'narrative' then 2 when 'table' then 4
            else error('unknown source ' || coalesce(v.source, 'NULL')) end as source_bit
    from {{ ref('fct_indicator_value') }} as v
    join code_bits as b using (indicator_code)
    where v.applicant_type_code in ('total', 'none')
        and (v.value is not null or v.read_by = 'unsplit')
        and {{ in_build_slice('v.report_id') }}

),

aggregated as (

    select
        report_id,
        concept,
        sum(value) as value,
        count(*) as n_codes,
        bit_or(1::bigint << (bit - 1)) as code_mask,
        bool_or(approximate) as approximate,
        bit_or(source_bit) as source_mask,
        bool_or(read_by = 'unsplit') as has_unread
    from values
    group by report_id, concept

)

select
    a.report_id,
    a.concept,
    a.value,
    a.n_codes,
    list_filter(c.codes, (code, i) -> ((a.code_mask >> (i - 1)) & 1) = 1) as codes,
    a.approximate,
    list_filter(['derived', 'narrative', 'table'], (source, i) -> ((a.source_mask >> (i - 1)) & 1) = 1) as sources,
    a.has_unread

from aggregated as a
join concept_codes as c using (concept)
