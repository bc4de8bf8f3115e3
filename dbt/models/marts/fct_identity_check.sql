-- One row per report × identity × applicant column (or × requests-table row, for identities whose
-- terms are applicant columns), built from the spec's identities (stg_spec__identity_terms): only
-- severity 'error' identities, only reports whose format is in the identity's eras.
--   lhs / rhs: the signed sum of the terms that are present (NULL when none is);
--   status:    not_applicable when no lhs term or no rhs term is present, else pass when
--              |lhs - rhs| < 1e-9, else fail. Absent or blank terms count as 0 once one is present.
--              A check cannot fail on an uncertain figure: it is not_applicable when a present term is
--              approximate (余/约/近/多), or comes from prose while another term is not stated at all (a
--              sentence that leaves a term out has not said it is 0; a blank table cell has), or when a term's cell
--              was printed but left unread (read_by unsplit: an ambiguous run of digits).
--              A check is not_independent when a present term was read by identity_split (a run of digits cut
--              by the identities themselves, formats.md §7.V): it chose that figure, so it cannot check it; it is
--              neither a pass nor a fail (not_applicable wins over it).
-- A failing identity is data (a row here, a flag on fct_report), never a dbt test failure.
-- Incremental by report (macros/incremental_slice.sql); the agency is in fct_report (join on report_id).
{{ config(materialized='incremental', pre_hook="{{ delete_build_slice() }}") }}
with terms as (

    select * from {{ ref('stg_spec__identity_terms') }}

),

identities as (

    select distinct
        identity_code, scope, severity, description, lhs_expression, rhs_expression, eras, check_mode
    from terms

),

reports as (

    select report_id, cast(year as integer) as year, format from {{ source('ingest', 'reports') }}
    where {{ in_build_slice() }}

),

applicant_columns as (

    select applicant_type_code from {{ ref('dim_applicant_type') }}
    where is_applicant_column

),

applicant_rows as (

    select indicator_code, eras from {{ ref('dim_indicator') }}
    where breakdown = 'applicant'

),

indicator_values as (

    select report_id, indicator_code, applicant_type_code, value, source, approximate, read_by
    from {{ ref('fct_indicator_value') }}
    where {{ in_build_slice() }}

),

-- narrow rows (the identity's description and expressions are joined once, at the end: carried through the checks'
-- joins and aggregation they made every row wide, and at 100,000 reports the build ran out of memory)
report_identities as (

    select reports.*, identities.identity_code, identities.check_mode
    from reports
    join identities on list_contains(identities.eras, reports.format)

),

-- one row per check: (report, identity, applicant column) or (report, identity, indicator row)
instances as (

    select report_identities.*, applicant_columns.applicant_type_code, null::varchar as indicator_code
    from report_identities
    cross join applicant_columns
    where report_identities.check_mode = 'applicant_column'

    union all

    select report_identities.*, 'none' as applicant_type_code, null::varchar as indicator_code
    from report_identities
    where report_identities.check_mode = 'report'

    union all

    select report_identities.*, null::varchar as applicant_type_code, applicant_rows.indicator_code
    from report_identities
    join applicant_rows on list_contains(applicant_rows.eras, report_identities.format)
    where report_identities.check_mode = 'row'

),

-- which value each term of each check reads
term_lookups as (

    select
        instances.report_id,
        instances.identity_code,
        instances.applicant_type_code,
        instances.indicator_code,
        instances.year,
        instances.format,
        terms.side,
        terms.sign,
        case when instances.check_mode = 'row' then instances.indicator_code else terms.term_code end
            as lookup_indicator_code,
        case when instances.check_mode = 'row' then terms.term_code else instances.applicant_type_code end
            as lookup_applicant_type_code

    from instances
    join terms using (identity_code)

),

term_values as (

    select
        term_lookups.*,
        indicator_values.value,
        indicator_values.report_id is not null as is_stated,
        coalesce(indicator_values.approximate, false) as is_approximate,
        coalesce(indicator_values.source = 'narrative', false) as is_prose,
        coalesce(indicator_values.read_by = 'identity_split', false) as is_identity_split,
        coalesce(indicator_values.read_by = 'unsplit', false) as is_unread

    from term_lookups
    left join indicator_values
        on indicator_values.report_id = term_lookups.report_id
        and indicator_values.indicator_code = term_lookups.lookup_indicator_code
        and indicator_values.applicant_type_code = term_lookups.lookup_applicant_type_code

),

sums as (

    select
        report_id,
        identity_code,
        applicant_type_code,
        indicator_code,
        year,
        format,
        count(*) filter (where side = 'lhs') as n_lhs_terms,
        count(value) filter (where side = 'lhs') as n_lhs_present,
        sum(sign * value) filter (where side = 'lhs') as lhs,
        count(*) filter (where side = 'rhs') as n_rhs_terms,
        count(value) filter (where side = 'rhs') as n_rhs_present,
        sum(sign * value) filter (where side = 'rhs') as rhs,
        bool_or(is_approximate) or (bool_or(is_prose) and not bool_and(is_stated)) or bool_or(is_unread)
            as is_uncertain,
        bool_or(is_identity_split) as is_identity_split

    from term_values
    group by report_id, identity_code, applicant_type_code, indicator_code, year, format

),

-- every check has at least one term (the identities are those of the terms), so each instance is one row of sums
final as (

    select
        sums.report_id,
        sums.identity_code,
        sums.applicant_type_code,
        sums.indicator_code,
        sums.year,
        sums.format,
        identities.scope,
        identities.severity,
        identities.description,
        identities.lhs_expression,
        identities.rhs_expression,
        sums.n_lhs_terms,
        sums.n_lhs_present,
        sums.n_rhs_terms,
        sums.n_rhs_present,
        sums.lhs,
        sums.rhs,
        sums.lhs - sums.rhs as residual,
        sums.is_uncertain,
        sums.is_identity_split,
        case
            when sums.n_lhs_present = 0 or sums.n_rhs_present = 0 or sums.is_uncertain then 'not_applicable'
            when sums.is_identity_split then 'not_independent'
            when abs(sums.lhs - sums.rhs) < 1e-9 then 'pass'
            else 'fail'
        end as status

    from sums
    join identities using (identity_code)

)

select * from final
