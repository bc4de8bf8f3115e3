-- Shown in Dagster as a check on stg_spec__identity_terms (a singular test with several parents needs its asset named).
{{ config(meta={'dagster': {'ref': {'name': 'stg_spec__identity_terms'}}}) }}
-- Every term of an error identity names a code of the spec: an indicator (applicant_column and
-- report scopes) or an applicant type (row scope). A typo in identities.csv fails here instead of
-- silently turning every check into 'not_applicable'.
with terms as (

    select * from {{ ref('stg_spec__identity_terms') }}

)

select terms.*
from terms
where (check_mode = 'row'
       and term_code not in (select code from {{ ref('applicant_types') }}))
   or (check_mode in ('applicant_column', 'report')
       and term_code not in (select code from {{ ref('indicators') }}))
