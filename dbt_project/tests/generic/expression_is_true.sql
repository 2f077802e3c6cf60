{#-
    Fails for every row where the boolean SQL expression is false.
    Rows where it evaluates to null pass (pair it with not_null where needed).
    Usage (model level):
        data_tests:
          - expression_is_true:
              arguments:
                expression: "population_male + population_female = population_total"
-#}
{% test expression_is_true(model, expression) %}

select *
from {{ model }}
where not ({{ expression }})

{% endtest %}
