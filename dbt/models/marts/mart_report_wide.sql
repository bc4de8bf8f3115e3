-- The analyst's table: one row per current report, with who and where (agency name, kind, province …
-- township, division code), when (year, era, published_on), the identity outcome, and the headline figures
-- across the three formats as columns (a concept's value is the sum of the report's era codes carrying it,
-- 总计 column), plus carry-over (v2019/v2021 only) and the rates analysts compute by hand. A report that
-- breaks an identity is here too, flagged by identity_status: filter on it for research.
{% set headline_concepts = [
    'requests_received', 'granted', 'partially_granted', 'withheld', 'unavailable', 'not_processed',
    'other_handling', 'requests_closed', 'review_total', 'review_corrected', 'litigation_total',
    'litigation_corrected', 'normative_issued', 'normative_in_force', 'rules_issued', 'rules_in_force',
    'active_items', 'proactive_items'] %}
with reports as (

    select * from {{ ref('fct_report') }}
    where is_current

),

concepts as (

    -- the report's sum per concept (int_report_concept, built incrementally)
    select report_id, concept, value from {{ ref('int_report_concept') }}

),

carry as (

    select report_id, carried_in as requests_carried_in, carried_out as requests_carried_forward
    from {{ ref('int_report_carry') }}

),

pivoted as (

    select
        report_id,
        {%- for concept in headline_concepts %}
        max(value) filter (where concept = '{{ concept }}') as {{ concept }}{{ "," if not loop.last }}
        {%- endfor %}

    from concepts
    group by report_id

),

final as (

    select
        reports.report_id,
        reports.agency_key,
        agencies.agency_name,
        agencies.agency_kind,
        agencies.province,
        agencies.prefecture,
        agencies.county,
        agencies.township,
        agencies.division_code,
        agencies.division_level,
        agencies.agency_status,
        reports.year,
        reports.format as era,
        reports.published_on,
        reports.identity_status,
        reports.failed_identities,
        reports.n_values,
        reports.n_warnings,
        carry.requests_carried_in,
        {%- for concept in headline_concepts %}
        pivoted.{{ concept }},
        {%- endfor %}
        carry.requests_carried_forward,
        (pivoted.granted + coalesce(pivoted.partially_granted, 0)) / nullif(pivoted.requests_closed, 0)
            as rate_disclosure,
        carry.requests_carried_forward
            / nullif(pivoted.requests_received + coalesce(carry.requests_carried_in, 0), 0) as rate_carry_forward,
        pivoted.review_corrected / nullif(pivoted.review_total, 0) as rate_review_correction,
        pivoted.litigation_corrected / nullif(pivoted.litigation_total, 0) as rate_litigation_correction,
        reports.source_path,
        reports.source_url

    from reports
    left join {{ ref('dim_agency') }} as agencies using (agency_key)
    left join pivoted using (report_id)
    left join carry using (report_id)

)

select * from final
