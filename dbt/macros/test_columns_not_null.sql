{#- Model-level generic test: none of `columns` is NULL in any row. A model lists its never-null columns in one such
    test, not one `not_null` per column: one scan and one Dagster check per model instead of one per column (issue
    17: a dbt test costs a dbt node and three Dagster events a run, whatever it reads). A failing row names the
    columns that are NULL in it (null_columns). A column that may be NULL in some rows keeps its own `not_null` with
    a `where`. -#}
{% test columns_not_null(model, columns) %}

select
    concat_ws(', '{% for column in columns %}, case when {{ column }} is null then '{{ column }}' end{% endfor %})
        as null_columns,
    *
from {{ model }}
where {% for column in columns %}{{ column }} is null{% if not loop.last %} or {% endif %}{% endfor %}

{% endtest %}
