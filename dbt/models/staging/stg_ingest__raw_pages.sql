-- One row per distinct raw byte string the pipeline has registered (content-addressed).
with source as (

    select * from {{ source('ingest', 'raw_pages') }}

),

renamed as (

    select
        sha256,
        size_bytes,
        media_type,
        source_kind,
        source_path,
        source_url,
        raw_path,
        parent_url,
        agency_hint,
        cast(year_hint as integer) as year_hint,
        registered_at

    from source

)

select * from renamed
