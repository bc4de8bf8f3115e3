-- One row per extracted report. The agency key is derived here (not in a mart) because both the
-- report fact and the value facts need it. An agency is never shared by accident (a data fault must
-- not merge two bodies, nor break the panel's grain):
--   * a government the gazetteer resolved (province … township, street office) is keyed by its division
--     code, whatever spelling of its name a report prints (建水县青龙镇人民政府 = 青龙镇人民政府 in 532524);
--   * any other resolved agency (a department, a zone) by its name and its division code, so two
--     城关镇教育办 of different counties stay two agencies;
--   * a name the gazetteer could not settle takes the key of the one resolved agency that reports under
--     exactly that name in other years, when there is exactly one; otherwise the name as printed;
--   * a report whose agency name was not found at all is its own agency (keyed by its report id).
-- Names are compared without whitespace (ASCII and Unicode separators such as U+3000).
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

),

resolved as (

    select
        *,
        case
            when agency_status = 'resolved' and division_code is not null and agency_kind in (
                'provincial_government', 'prefecture_government', 'county_government',
                'township_government', 'street_office')
                then md5('government@' || division_code)
            when agency_status = 'resolved' and division_code is not null and agency_name_normalized is not null
                then md5(agency_name_normalized || '@' || division_code)
        end as resolved_agency_key

    from renamed

),

names as (

    -- the resolved agencies each printed name stands for
    select agency_name_normalized, min(resolved_agency_key) as only_key, count(distinct resolved_agency_key) as n_keys
    from resolved
    where resolved_agency_key is not null and agency_name_normalized is not null
    group by agency_name_normalized

),

keyed as (

    select
        resolved.*,
        case
            when resolved.agency_name_normalized is null then 'report'
            when resolved.resolved_agency_key is not null then 'division'
            when names.n_keys = 1 then 'name_in_other_reports'
            else 'name'
        end as agency_key_basis,
        case
            when resolved.agency_name_normalized is null then md5('report:' || resolved.report_id)
            when resolved.resolved_agency_key is not null then resolved.resolved_agency_key
            when names.n_keys = 1 then names.only_key
            else md5(resolved.agency_name_normalized)
        end as agency_key

    from resolved
    left join names using (agency_name_normalized)

)

select
    * exclude (resolved_agency_key),
    agency_name_normalized is null as is_agency_unknown

from keyed
