{#-
    SQL that differs between the warehouse targets (DuckDB, PostgreSQL).

    Models and tests call these instead of a database's own function, so the same
    project builds on both targets. Each macro dispatches on the adapter
    (adapter.dispatch): `duckdb__<name>` for DuckDB, `default__<name>` for PostgreSQL
    and other SQL-standard databases. Portable SQL needs no macro: `double precision`
    (not `double`), `varchar`, `bigint`, `cast(... as ...)`, `string_agg`, `bool_or`,
    `length`, `left`, `nullif`, `coalesce`, `case`, `is distinct from`.

    | macro                              | DuckDB                  | PostgreSQL                           |
    |------------------------------------|-------------------------|--------------------------------------|
    | year_month(date)                   | strftime(d, '%Y-%m')    | to_char(d, 'YYYY-MM')                |
    | month_end(date)                    | last_day(d)             | date_trunc + 1 month - 1 day         |
    | full_match(text, regex)            | regexp_full_match(t, r) | t ~ '^(?:r)$'                        |
-#}

{#- 'YYYY-MM' of a date, as text. -#}
{% macro year_month(date_expression) -%}
    {{ return(adapter.dispatch('year_month', 'smartcity')(date_expression)) }}
{%- endmacro %}

{% macro duckdb__year_month(date_expression) -%}
    strftime({{ date_expression }}, '%Y-%m')
{%- endmacro %}

{% macro default__year_month(date_expression) -%}
    to_char({{ date_expression }}, 'YYYY-MM')
{%- endmacro %}


{#- The last day of the month of a date, as a date. -#}
{% macro month_end(date_expression) -%}
    {{ return(adapter.dispatch('month_end', 'smartcity')(date_expression)) }}
{%- endmacro %}

{% macro duckdb__month_end(date_expression) -%}
    last_day({{ date_expression }})
{%- endmacro %}

{% macro default__month_end(date_expression) -%}
    cast(date_trunc('month', {{ date_expression }}) + interval '1 month' - interval '1 day' as date)
{%- endmacro %}


{#- True when the whole text matches the regular expression (a string literal). -#}
{% macro full_match(text_expression, pattern) -%}
    {{ return(adapter.dispatch('full_match', 'smartcity')(text_expression, pattern)) }}
{%- endmacro %}

{% macro duckdb__full_match(text_expression, pattern) -%}
    regexp_full_match({{ text_expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro default__full_match(text_expression, pattern) -%}
    ({{ text_expression }} ~ '^(?:{{ pattern }})$')
{%- endmacro %}
