{#- Model-level generic test: every row (optionally only rows matching `condition`) satisfies
    `expression`. Rows where the expression is false fail; as in dbt_utils, NULL counts as passing,
    so write `x is not null and ...` when NULL must fail. -#}
{% test expression_is_true(model, expression, condition=None) %}

with checked as (
    select * from {{ model }}
    {% if condition %}where {{ condition }}{% endif %}
)

select *
from checked
where not ({{ expression }})

{% endtest %}
