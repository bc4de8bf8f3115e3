-- One row per page that could not become a report: which page, which step, why.
with source as (

    select * from {{ source('ingest', 'quarantine') }}

),

renamed as (

    select
        sha256,
        parser_version,
        source_path,
        source_url,
        step,
        error,
        quarantined_at

    from source

)

select * from renamed
