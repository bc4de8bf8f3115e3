-- The seven applicant columns of the requests table (spec/applicant_types.csv), plus 'none':
-- the applicant type of every value of an indicator without an applicant breakdown.
with applicant_types as (

    select * from {{ ref('applicant_types') }}

),

final as (

    select
        code as applicant_type_code,
        label_zh,
        parent_code,
        column_order,
        true as is_applicant_column

    from applicant_types

    union all

    select
        'none' as applicant_type_code,
        '不分申请人' as label_zh,
        null as parent_code,
        0 as column_order,
        false as is_applicant_column

)

select * from final
