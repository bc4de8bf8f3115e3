-- Pages that could not become a report: which page, which step (register | fetch | decode |
-- extract), why. Every page seen ends as a report or a row here.
with quarantine as (

    select * from {{ ref('stg_ingest__quarantine') }}

)

select
    sha256,
    source_path,
    source_url,
    step,
    error,
    parser_version,
    quarantined_at

from quarantine
