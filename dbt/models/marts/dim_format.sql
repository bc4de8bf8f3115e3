-- The statistical formats (eras) a report can be in, plus 'unknown'.
with formats as (

    select * from {{ ref('formats') }}

)

select
    format,
    label,
    description,
    first_year,
    last_year

from formats
