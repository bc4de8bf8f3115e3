-- One row per extracted report. The agency key is derived here (not in a mart) because both the
-- report fact and the value facts need it: md5 of the agency name with all whitespace removed
-- (ASCII and Unicode separators such as U+3000). A report whose agency was not found gets the
-- key of the empty name, i.e. the "unknown agency" member of dim_agency.
with source as (

    select * from {{ source('ingest', 'reports') }}

),

renamed as (

    select
        report_id,
        report_id as sha256,
        parser_version,
        nullif(trim(agency_name), '') as agency_name,
        nullif(regexp_replace(agency_name, '[\s\p{Z}]+', '', 'g'), '') as agency_name_normalized,
        agency_kind,
        province,
        prefecture,
        county,
        township,
        division_code,
        division_level,
        coalesce(agency_status, 'unknown') as agency_status,
        coalesce(agency_candidates, []::varchar[]) as agency_candidates,
        cast(year as integer) as year,
        format,
        published_on,
        media_type,
        encoding,
        script,
        source_path,
        source_url,
        n_values,
        warnings,
        coalesce(len(warnings), 0) as n_warnings,
        extracted_at

    from source

)

select
    *,
    md5(coalesce(agency_name_normalized, '')) as agency_key,
    agency_name_normalized is null as is_agency_unknown

from renamed
