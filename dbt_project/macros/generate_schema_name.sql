{#-
    Use the custom schema name as is (staging, intermediate, marts, reference),
    instead of dbt's default <target_schema>_<custom_schema>. Nodes without a
    custom schema go to the target's schema.

    The variable `build_schema_suffix` (empty by default) is appended to every schema:
    the PostgreSQL target builds a run into its own schemas (`marts__build_<key>`, ...)
    while readers keep reading the published ones (`marts`, ...), and the publish step
    renames them in one transaction (warehouse/postgres_publish.py). A DuckDB build is a
    file of its own and needs no suffix.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set suffix = var('build_schema_suffix', '') -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}{{ suffix }}
    {%- else -%}
        {{ custom_schema_name | trim }}{{ suffix }}
    {%- endif -%}
{%- endmacro %}


{#-
    Sources live in the schemas the pipeline's load step writes for the same build
    (`raw` in a DuckDB build file, `raw__build_<key>` on PostgreSQL), so the suffix
    applies to them too. Source definitions keep the plain schema name (`schema: raw`).
-#}
{% macro source(source_name, table_name) -%}
    {%- set relation = builtins.source(source_name, table_name) -%}
    {%- set suffix = var('build_schema_suffix', '') -%}
    {%- if suffix and relation.schema -%}
        {%- do return(relation.incorporate(path={"schema": relation.schema ~ suffix})) -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}
