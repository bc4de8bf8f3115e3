-- Every distinct evidence text once (issue 17 §2: 1.7 M evidence cells held only 71 k distinct strings).
-- fct_indicator_value and fct_indicator_alternative carry evidence_id; join here for the text. The id is a digest
-- of the text (macros/incremental_slice.sql: evidence_id), the same in every build.
-- Incremental: a build adds the texts of the changed reports it has not seen; when a changed report had rows
-- before (a rerun, a removed page), the texts no reading refers to any more are deleted after the build
-- (post-hook), so an incremental history holds exactly the texts a full build would.
{{ config(materialized='incremental', pre_hook="{{ delete_unless_sliced() }}",
          post_hook="{{ delete_orphan_evidence() }}") }}
-- depends_on: {{ ref('int_indicator_reading') }}
with texts as (

    select distinct evidence
    from {{ ref('stg_ingest__report_values') }}
    where evidence is not null and {{ in_build_slice() }}

),

identified as (

    select {{ evidence_id('evidence') }} as evidence_id, evidence
    from texts

)

select * from identified
{% if is_incremental() %}
where evidence_id not in (select evidence_id from {{ this }})
{% endif %}
