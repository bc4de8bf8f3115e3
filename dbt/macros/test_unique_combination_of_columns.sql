{#- Model-level generic test: no two rows share the same values of `combination_of_columns`
    (NULLs compare equal, so a NULL in a key column cannot hide a duplicate). -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

select
    {% for column in combination_of_columns %}{{ column }}, {% endfor %}
    count(*) as n_rows
from {{ model }}
group by {% for column in combination_of_columns %}{{ column }}{% if not loop.last %}, {% endif %}{% endfor %}
having count(*) > 1

{% endtest %}
