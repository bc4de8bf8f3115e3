-- The cross-year identities of the spec (identities.csv, severity 'warn') parsed into signed terms
-- with the year each term is read in: 'reg_rules_in_force (year Y-1) + reg_rules_issued (year Y)'
-- gives (+1, reg_rules_in_force, -1) and (+1, reg_rules_issued, 0). Nothing here names an identity.
with identities as (

    select * from {{ ref('identities') }}
    where severity = 'warn'

),

sides as (

    select code as identity_code, scope, severity, description, lhs as lhs_expression, rhs as rhs_expression,
           list_transform(string_split(eras, '|'), era -> trim(era)) as eras, 'lhs' as side, lhs as expression
    from identities
    union all
    select code, scope, severity, description, lhs, rhs,
           list_transform(string_split(eras, '|'), era -> trim(era)), 'rhs', rhs
    from identities

),

split as (

    select * exclude (expression),
           unnest(string_split(replace(trim(expression), ' - ', ' + -'), ' + ')) as raw_term
    from sides

)

select
    identity_code,
    scope,
    severity,
    description,
    lhs_expression,
    rhs_expression,
    eras,
    -- 'both v2021' in the scope: the two years must print the same format
    scope like '%both %' as same_format_required,
    side,
    case when starts_with(trim(raw_term), '-') then -1 else 1 end as sign,
    regexp_extract(trim(raw_term), '([a-z_0-9]+)', 1) as term_code,
    case when regexp_matches(raw_term, 'year\s*Y\s*-\s*1') then -1 else 0 end as year_offset

from split
