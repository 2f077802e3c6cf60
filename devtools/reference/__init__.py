"""Builders of the reference tables (``extract/reference/*.csv``, ``dbt_project/seeds/ref_*.csv``)."""
