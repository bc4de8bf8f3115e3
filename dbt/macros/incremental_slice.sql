{#- Incremental builds by report (issue 17 §1). The pipeline writes ingest.build_slice (the reports changed since the
    last dbt build) and ingest.build_mode before `dbt build`; a full build runs `dbt build --full-refresh`.

    A report-keyed model is materialized 'incremental' with
        pre_hook="{{ delete_build_slice() }}"
    and reads its input through {{ in_build_slice() }}: on an incremental run the rows of every changed report are
    deleted (a removed report stays removed) and the changed reports' rows are inserted again; on a full refresh
    (or a first build) the filter is `true` and the hook does nothing. Only columns of the report itself may be in
    such a model: anything decided across reports (the agency key, is_current) lives in the full-rebuild marts. -#}

{#- The build slice is in force when the model is built incrementally and the pipeline said the build is incremental
    (ingest.build_mode). A `dbt build` by hand on a work file the pipeline did not prepare (no mode, or a full
    build) rebuilds every incremental model whole, in place: it never silently skips rows it was not told of. -#}
{% macro slice_active() -%}
    {{ return(is_incremental() and ogi_build_is_incremental()) }}
{%- endmacro %}


{% macro in_build_slice(column='report_id') -%}
    {%- if slice_active() -%}
        {{ column }} in (select report_id from {{ source('ingest', 'build_slice') }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{% macro delete_build_slice(column='report_id') -%}
    {%- if slice_active() -%}
        delete from {{ this }} where {{ column }} in (select report_id from {{ source('ingest', 'build_slice') }})
    {%- elif is_incremental() -%}
        delete from {{ this }}
    {%- endif -%}
{%- endmacro %}


{#- For an incremental model that is not keyed by report (dim_evidence): emptied unless the slice is in force. -#}
{% macro delete_unless_sliced() -%}
    {%- if is_incremental() and not slice_active() -%}
        delete from {{ this }}
    {%- endif -%}
{%- endmacro %}


{#- The stable id of an evidence text: the first 60 bits of its MD5, so a text has the same id in every build (an
    incremental build never renumbers the texts already published). 60 bits: no collision is expected among
    billions of texts (dim_evidence's unique test would say). -#}
{% macro evidence_id(column) -%}
    ('0x' || left(md5({{ column }}), 15))::bigint
{%- endmacro %}


{#- The relations whose dbt tests run on the changed reports only in an incremental build (everything in a full
    build): the report-keyed incremental models and the ingest values they are built from. The rest (dimensions,
    fct_report and the cross-report marts) are rebuilt whole and tested whole. -#}
{% macro sliced_test_relations() -%}
    {{ return(['report_values', 'stg_ingest__report_values', 'int_indicator_reading', 'fct_indicator_value',
               'fct_indicator_alternative', 'fct_unmapped_value', 'fct_identity_check', 'int_report_outcome',
               'int_report_concept', 'int_report_carry']) }}
{%- endmacro %}


{#- dbt wraps the model a generic test reads in get_where_subquery (with the test's `where` config): here the
    relations above are cut to the build slice when the build is incremental (ingest.build_mode). -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set sliced = relation.identifier in sliced_test_relations() and ogi_build_is_incremental() -%}
    {%- set conditions = [] -%}
    {%- if where -%}{%- do conditions.append('(' ~ where ~ ')') -%}{%- endif -%}
    {%- if sliced -%}
        {%- do conditions.append('report_id in (select report_id from ' ~ source('ingest', 'build_slice') ~ ')') -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ conditions | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}


{% macro ogi_build_is_incremental() -%}
    {%- if not execute -%}{{ return(false) }}{%- endif -%}
    {%- set result = run_query('select coalesce(bool_or(incremental), false) from ' ~ source('ingest', 'build_mode')) -%}
    {{ return(result.columns[0].values()[0]) }}
{%- endmacro %}


{#- dim_evidence after an incremental build in which a changed report had rows before: the texts no reading refers
    to any more go (a full scan of the readings, so only then). -#}
{% macro delete_orphan_evidence() -%}
    {%- if slice_active() and execute -%}
        {%- set replaced = run_query('select count(*) from ' ~ source('ingest', 'build_slice') ~ ' where replaced') -%}
        {%- if replaced.columns[0].values()[0] > 0 -%}
            delete from {{ this }} where evidence_id not in (
                select evidence_id from {{ ref('int_indicator_reading') }} where evidence_id is not null)
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
