-- One row per publishing agency (agency_key: see stg_ingest__reports — a resolved government is keyed
-- by its division, another agency by its name and division, an unplaced one by its name as printed, a
-- report that names no agency is an agency of its own). The name shown is the most frequent spelling
-- (ties: the most recent report's). Geography comes from the most recent report the gazetteer
-- resolved best (extractors/gazetteer: NBS codes, clues from the page). agency_overrides.csv wins over every
-- clue, but not here: the resolver applies it at extraction (resolver.py, before any other rule), so the
-- override is already in the division code this model reads; the csv is hashed into the parser fingerprint,
-- so editing it re-extracts, and re-resolves, every report on the next run (it is also a dbt seed, for reading;
-- no model joins it). The codes of each level follow from the division code; the years it is valid come
-- from the division seeds. unplaced_reason says why an agency has no division.
with reports as (

    select
        *,
        row_number() over (
            partition by agency_key
            order by year desc nulls last, published_on desc nulls last, extracted_at desc, report_id desc
        ) as recency_rank

    from {{ ref('stg_ingest__reports') }}

),

spellings as (

    select
        agency_key,
        agency_name,
        count(*) as n_reports,
        min(recency_rank) as best_recency_rank

    from reports
    where agency_name is not null
    group by agency_key, agency_name

),

preferred_name as (

    select agency_key, agency_name
    from spellings
    qualify row_number() over (
        partition by agency_key order by n_reports desc, best_recency_rank asc, agency_name
    ) = 1

),

geography as (

    select
        agency_key,
        province,
        prefecture,
        county,
        township,
        division_code,
        division_level,
        agency_status,
        agency_candidates

    from reports
    qualify row_number() over (
        partition by agency_key
        order by
            (agency_status = 'resolved')::int desc,
            (province is not null)::int + (prefecture is not null)::int + (county is not null)::int
            + (township is not null)::int + (division_code is not null)::int desc,
            recency_rank asc
    ) = 1

),

divisions as (

    select code6 as code, min(valid_from) as valid_from,
           case when bool_or(valid_to is null) then null else max(valid_to) end as valid_to
    from {{ ref('division_version') }}
    group by code6
    union all
    select code9, min(valid_from), case when bool_or(valid_to is null) then null else max(valid_to) end
    from {{ ref('township_version') }}
    group by code9

),

aggregated as (

    select
        agency_key,
        arg_min(agency_name_normalized, recency_rank) as agency_name_normalized,  -- the most recent report's (deterministic)
        arg_min(agency_kind, recency_rank) filter (where agency_kind is not null) as agency_kind,
        bool_and(is_agency_unknown) as is_unknown,
        min(agency_key_basis) as agency_key_basis,
        count(*) as n_reports,
        min(year) as first_year,
        max(year) as last_year

    from reports
    group by agency_key

),

final as (

    select
        aggregated.agency_key,
        preferred_name.agency_name,
        aggregated.agency_name_normalized,
        aggregated.agency_kind,
        geography.province,
        geography.prefecture,
        geography.county,
        geography.township,
        geography.division_code,
        geography.division_level,
        left(geography.division_code, 2) || '0000' as province_code,
        case when geography.division_level in ('prefecture', 'county', 'township')
             then left(geography.division_code, 4) || '00' end as prefecture_code,
        case when geography.division_level in ('county', 'township')
             then left(geography.division_code, 6) end as county_code,
        case when geography.division_level = 'township' then geography.division_code end as township_code,
        divisions.valid_from as division_valid_from,
        divisions.valid_to as division_valid_to,
        coalesce(geography.agency_status, 'unknown') as agency_status,
        coalesce(geography.agency_candidates, []::varchar[]) as agency_candidates,
        aggregated.n_reports,
        aggregated.first_year,
        aggregated.last_year,
        aggregated.is_unknown,
        aggregated.agency_key_basis,
        case
            when aggregated.is_unknown then 'agency name not found in the page'
            when geography.agency_status = 'ambiguous'
                then 'ambiguous in the gazetteer: ' || len(geography.agency_candidates)::varchar
                     || ' candidates (settle it in seeds/gazetteer/agency_overrides.csv)'
            when coalesce(geography.agency_status, 'unknown') = 'unknown'
                then 'the gazetteer does not know this name'
            when geography.division_code is null then 'resolved without a division code'
        end as unplaced_reason

    from aggregated
    left join preferred_name using (agency_key)
    left join geography using (agency_key)
    left join divisions on divisions.code = geography.division_code

)

select * from final
