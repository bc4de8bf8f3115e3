-- Every report year from 2008 (or an earlier year a report claims) to the latest report year
-- (at least 2025), with the format a report of that year is expected to use (from dim_format's
-- first_year/last_year: ≤2018 v2008, 2019–2020 v2019, ≥2021 v2021).
with reports as (

    select year from {{ ref('stg_ingest__reports') }}

),

formats as (

    select * from {{ ref('formats') }}
    where first_year is not null

),

bounds as (

    select
        least(2008, coalesce(min(year), 2008)) as first_year,
        greatest(2025, coalesce(max(year), 2025)) as last_year

    from reports

),

years as (

    select cast(unnest(range(first_year, last_year + 1)) as integer) as year
    from bounds

),

final as (

    select
        years.year,
        formats.format as era_expected

    from years
    left join formats
        on years.year between formats.first_year and coalesce(formats.last_year, 9999)

)

select * from final
