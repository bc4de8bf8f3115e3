-- Cross-year identities (severity 'warn': shown, never enforced) per agency and pair of consecutive
-- years, on the current report of each year: carry_over (上年结转 = last year's 结转下年度, per applicant
-- column where both years give it) and the 表二 stock-flow of rules and normative documents.
-- A lawful reason can break them (documents lapse without repeal), so they never flag a report.
with terms as (

    select * from {{ ref('stg_spec__cross_year_terms') }}

),

reports as (

    select report_id, agency_key, year, format
    from {{ ref('fct_report') }}
    where is_current and year is not null and agency_name is not null

),

pairs as (

    select
        cur.agency_key,
        cur.year,
        cur.report_id,
        cur.format,
        prev.report_id as previous_report_id,
        prev.format as previous_format

    from reports as cur
    join reports as prev
        on prev.agency_key = cur.agency_key and prev.year = cur.year - 1

),

values as (

    select report_id, indicator_code, applicant_type_code, value
    from {{ ref('fct_indicator_value') }}
    where value is not null and indicator_code in (select term_code from terms)

),

identity_pairs as (

    select distinct
        pairs.*,
        terms.identity_code,
        terms.scope,
        terms.severity,
        terms.description,
        terms.lhs_expression,
        terms.rhs_expression

    from pairs
    join terms
        on list_contains(terms.eras, pairs.format)
        and list_contains(terms.eras, pairs.previous_format)
        and (not terms.same_format_required or pairs.format = pairs.previous_format)

),

columns as (

    -- each applicant column either year prints a value in, for the identity's codes
    select distinct ip.identity_code, ip.report_id, ip.previous_report_id, v.applicant_type_code
    from identity_pairs as ip
    join terms on terms.identity_code = ip.identity_code
    join values as v
        on v.indicator_code = terms.term_code
        and v.report_id = case when terms.year_offset = -1 then ip.previous_report_id else ip.report_id end

),

evaluated as (

    select
        ip.agency_key,
        ip.year,
        ip.report_id,
        ip.previous_report_id,
        ip.identity_code,
        c.applicant_type_code,
        ip.scope,
        ip.severity,
        ip.description,
        ip.lhs_expression,
        ip.rhs_expression,
        count(*) filter (where t.side = 'lhs') as n_lhs_terms,
        count(v.value) filter (where t.side = 'lhs') as n_lhs_present,
        count(*) filter (where t.side = 'rhs') as n_rhs_terms,
        count(v.value) filter (where t.side = 'rhs') as n_rhs_present,
        sum(t.sign * v.value) filter (where t.side = 'lhs') as lhs,
        coalesce(sum(t.sign * v.value) filter (where t.side = 'rhs'), 0) as rhs

    from identity_pairs as ip
    join columns as c
        on c.identity_code = ip.identity_code and c.report_id = ip.report_id
        and c.previous_report_id = ip.previous_report_id
    join terms as t on t.identity_code = ip.identity_code
    left join values as v
        on v.indicator_code = t.term_code
        and v.applicant_type_code = c.applicant_type_code
        and v.report_id = case when t.year_offset = -1 then ip.previous_report_id else ip.report_id end
    group by all

)

select
    *,
    lhs - rhs as residual,
    case
        -- every term must be given in both years: a missing one is "not given", not a break
        when n_lhs_present < n_lhs_terms or n_rhs_present < n_rhs_terms then 'not_applicable'
        when abs(lhs - rhs) < 1e-9 then 'pass'
        else 'fail'
    end as status

from evaluated
