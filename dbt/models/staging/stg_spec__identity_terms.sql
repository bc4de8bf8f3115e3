-- The identities of the spec (identities.csv, severity 'error' only) parsed into signed terms:
-- one row per identity × side (lhs | rhs) × term. 'a + b - c' gives (+1, a), (+1, b), (-1, c).
-- check_mode says what a term names and what one check instance is:
--   applicant_column: terms are indicator codes, one check per applicant column
--   report:           terms are indicator codes, one check per report (applicant column 'none')
--   row:              terms are applicant-type codes, one check per applicant-breakdown indicator row
-- Nothing here names an identity or an indicator: a new identity in the CSV is checked as it is.
with identities as (

    select * from {{ ref('identities') }}
    where severity = 'error'

),

classified as (

    select
        code as identity_code,
        scope,
        severity,
        description,
        lhs as lhs_expression,
        rhs as rhs_expression,
        list_transform(string_split(eras, '|'), era -> trim(era)) as eras,
        case
            when scope like 'each applicant column%' then 'applicant_column'
            when scope like 'each row of the requests table%' then 'row'
            when scope like 'report%' then 'report'
        end as check_mode

    from identities

),

sides as (

    select *, 'lhs' as side, lhs_expression as expression from classified
    union all
    select *, 'rhs' as side, rhs_expression as expression from classified

),

split as (

    select
        * exclude (expression),
        unnest(string_split(replace(trim(expression), ' - ', ' + -'), ' + ')) as raw_term

    from sides

),

terms as (

    select
        * exclude (raw_term),
        case when starts_with(trim(raw_term), '-') then -1 else 1 end as sign,
        -- drop a leading sign and any '(year Y)' qualifier
        trim(regexp_replace(regexp_replace(trim(raw_term), '^-\s*', ''), '\s*\(.*\)\s*$', '')) as term_code

    from split

)

select * from terms
