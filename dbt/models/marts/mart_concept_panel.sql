-- The researcher's panel: agency × year × concept across the three formats (with the agency's name and place), from the current report
-- of each agency-year that does not break its identities (pass, or not checkable: prose-only).
-- A concept's value is the sum of the report's era codes carrying it (spec README); table cells win
-- over prose in fct_indicator_value. Counts use the 总计 column (or the single value). Rates that
-- analysts compute by hand are added as concepts of kind 'rate'; every row has its year-over-year change.
with reports as (

    select report_id, agency_key, year, format, identity_status
    from {{ ref('fct_report') }}
    where is_current and identity_status != 'fail' and year is not null

),

counts as (

    -- the report's sum per concept (int_report_concept, built incrementally); a concept with a code printed but
    -- left unread (an ambiguous run of digits) has no known sum
    select
        r.agency_key,
        r.year,
        r.format,
        r.report_id,
        r.identity_status,
        c.concept,
        'count' as kind,
        c.value,
        c.n_codes,
        c.codes,
        c.approximate,
        c.sources

    from reports as r
    join {{ ref('int_report_concept') }} as c using (report_id)
    where not c.has_unread

),

wide as (

    select
        agency_key, year, format, report_id, identity_status,
        max(value) filter (where concept = 'granted') as granted,
        max(value) filter (where concept = 'partially_granted') as partially_granted,
        max(value) filter (where concept = 'requests_closed') as requests_closed,
        max(value) filter (where concept = 'requests_received') as requests_received,
        max(value) filter (where concept = 'review_total') as review_total,
        max(value) filter (where concept = 'review_corrected') as review_corrected,
        max(value) filter (where concept = 'litigation_total') as litigation_total,
        max(value) filter (where concept = 'litigation_corrected') as litigation_corrected

    from counts
    group by all

),

carry as (

    -- carry-forward needs the codes themselves (结转 has no cross-era concept: v2008 has no carry-over)
    select report_id, carried_out, new_requests, carried_in
    from {{ ref('int_report_carry') }}

),

rates as (

    select w.agency_key, w.year, w.format, w.report_id, w.identity_status, rate.concept, 'rate' as kind,
           rate.value, null::bigint as n_codes, null::varchar[] as codes, false as approximate,
           ['derived']::varchar[] as sources
    from wide as w
    left join carry using (report_id)
    cross join lateral (
        values
            ('rate_disclosure', (w.granted + coalesce(w.partially_granted, 0)) / nullif(w.requests_closed, 0)),
            ('rate_carry_forward', carry.carried_out / nullif(carry.new_requests + coalesce(carry.carried_in, 0), 0)),
            ('rate_review_correction', w.review_corrected / nullif(w.review_total, 0)),
            ('rate_litigation_correction', w.litigation_corrected / nullif(w.litigation_total, 0))
    ) as rate(concept, value)
    where rate.value is not null

),

panel as (

    select * from counts
    union all by name
    select * from rates

),

series as (

    select
        agency_key,
        year,
        format,
        concept,
        kind,
        value,
        lag(value) over (partition by agency_key, concept order by year) as previous_value,
        lag(year) over (partition by agency_key, concept order by year) as previous_year,
        case when lag(year) over (partition by agency_key, concept order by year) = year - 1
             then value - lag(value) over (partition by agency_key, concept order by year) end as yoy_change,
        case when lag(year) over (partition by agency_key, concept order by year) = year - 1
             then (value - lag(value) over (partition by agency_key, concept order by year))
                  / nullif(lag(value) over (partition by agency_key, concept order by year), 0) end as yoy_pct,
        n_codes,
        codes,
        approximate,
        sources,
        report_id,
        identity_status

    from panel

)

select
    series.agency_key,
    agencies.agency_name,
    agencies.province,
    agencies.prefecture,
    agencies.county,
    agencies.township,
    agencies.division_code,
    series.* exclude (agency_key)

from series
left join {{ ref('dim_agency') }} as agencies using (agency_key)
