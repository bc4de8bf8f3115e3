-- Every distinct evidence text once (issue 17 §2: 1.7 M evidence cells held only 71 k distinct strings).
-- fct_indicator_value and fct_indicator_alternative carry evidence_id; join here for the text. Ids are dense
-- (1..n in the order of the text) and hold within one build of the warehouse: join on them, never store them.
with texts as (

    select distinct evidence
    from {{ ref('stg_ingest__report_values') }}
    where evidence is not null

)

select
    row_number() over (order by evidence)::integer as evidence_id,
    evidence

from texts
