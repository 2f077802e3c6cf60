"""Smart City Planning Warehouse: the monthly full check.

Once a month (the 15th, half-way between two scheduled refreshes) it triggers
``smartcity_refresh`` with ``{"full_check": true}``: every period of every source is
asked about again, also those older than the source's revision window in
``extract/sources.yml`` that the other runs leave settled. A revision a publisher makes
to an old period is therefore landed within a month.
"""

from __future__ import annotations

import datetime as dt

from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.sdk import dag

from warehouse.alerts import on_failure  # light: imports airflow.sdk only

REFRESH_DAG_ID = "smartcity_refresh"
FULL_CHECK_CONF = {"full_check": True}


@dag(
    dag_id="smartcity_full_check",
    doc_md=__doc__,
    schedule="0 2 15 * *",  # monthly, on the 15th at 02:00 UTC
    start_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 1, "on_failure_callback": on_failure},
    tags=["smartcity"],
)
def smartcity_full_check():
    TriggerDagRunOperator(
        task_id="trigger_full_check",
        trigger_dag_id=REFRESH_DAG_ID,
        conf=FULL_CHECK_CONF,
        wait_for_completion=False,
    )


smartcity_full_check()
