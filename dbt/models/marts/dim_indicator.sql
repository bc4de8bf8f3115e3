-- The indicator catalogue (spec/indicators.csv), one row per stable indicator code.
with indicators as (

    select * from {{ ref('indicators') }}

),

final as (

    select
        code as indicator_code,
        label_zh,
        unit,
        section,
        list_transform(string_split(eras, '|'), era -> trim(era)) as eras,
        {%- for era in ['v2008', 'v2019', 'v2021'] %}
        list_contains(list_transform(string_split(eras, '|'), era -> trim(era)), '{{ era }}') as in_{{ era }},
        {%- endfor %}
        parent_code,
        breakdown,
        concept,
        notes,
        coalesce(starts_with(lower(trim(notes)), 'derived'), false) as is_derived

    from indicators

)

select * from final
