{#- A custom schema is used verbatim (staging, spec), not prefixed with the target schema;
    models without one go to the target schema (main). -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
