"""Smart City Planning Warehouse: refresh and publish the planning warehouse.

Thin on purpose: no I/O and no heavy imports at module level. Each task calls one step
of ``warehouse.refresh``, which is importable and tested without Airflow; what a task
returns is the run state of ``warehouse.state`` as a plain dict (its ``to_dict``), the
same keys whichever warehouse target the run uses.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import (
    Asset,
    XComArg,
    dag,
    get_current_context,
    task,
)

from warehouse.alerts import on_failure  # light: imports airflow.sdk only

# Catalogue ids (extract/sources.yml); a test keeps this list equal to the catalogue.
SOURCE_IDS = (
    "dopa_population",
    "dopa_population_thai",
    "dopa_population_district_thai",
    "dlt_vehicles_by_fuel",
    "rtddi_road_deaths",
    "electricity_sales",
    "nso_household_income",
    "diw_industrial_waste",
    "dlt_new_registrations",
    "dopa_stat_yearly",
    "dopa_age_yearly",
    "dopa_households",
    "dopa_vital_events",
)
SOURCE_ASSETS = [Asset(name=f"raw_{sid}", uri=f"smartcity://raw/{sid}") for sid in SOURCE_IDS]
PLANNING_WAREHOUSE = Asset(name="planning_warehouse", uri="smartcity://warehouse/planning")
WRITER_POOL = "warehouse_writer"  # one slot: one writer of warehouse files at a time
EXTRACT_PARALLEL_TASKS = 4  # extract tasks of one run at once (executors that run in parallel)
SETTLED_KEY = "settled"  # the plan's XCom of settled batches (no extract task)

DOC_MD = """
### smartcity_refresh

Extracts the catalogue's datasets (mapped per source x month, provinces fetched concurrently), loads them
into a fresh build on the warehouse target (`SMARTCITY_WAREHOUSE`: a DuckDB file, or
PostgreSQL schemas), runs one `dbt build`, validates the marts with Great Expectations
and, only if the gate passes, publishes (`planning.duckdb` by atomic rename, or a swap of
schemas in one transaction).

Run configuration (all optional): `{"sources": ["dopa_population"], "provinces": ["91"],
"periods": ["2026-09"], "full_check": true}` - catalogue ids, DOPA 2-digit province codes,
Gregorian `YYYY-MM`. Periods older than a source's revision window (`extract/sources.yml`)
that are landed are settled and not asked again, unless `full_check` is true; the
`smartcity_full_check` DAG triggers such a run on the 15th of every month.
"""


@dag(
    dag_id="smartcity_refresh",
    doc_md=DOC_MD,
    schedule="@monthly",
    start_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    default_args={
        "retries": 2,
        "retry_delay": dt.timedelta(seconds=20),
        "retry_exponential_backoff": True,
        "on_failure_callback": on_failure,
    },
    tags=["smartcity", "population"],
)
def smartcity_refresh():
    @task
    def plan() -> list[dict]:
        """The batches to ask, one extract task each; settled batches (nothing to ask)
        go to ``record_fetches`` as the XCom ``settled``, without a task of their own."""
        from airflow.sdk.exceptions import AirflowFailException

        from extract.errors import RunConfigError
        from warehouse import refresh

        context = get_current_context()
        try:
            batches = refresh.plan(context["dag_run"].conf)
        except RunConfigError as exc:  # a bad value never gets better on retry
            raise AirflowFailException(str(exc)) from exc
        context["ti"].xcom_push(key=SETTLED_KEY, value=[b for b in batches if b["settled"]])
        return [b for b in batches if not b["settled"]]

    # One task per source x period; executors that run tasks in parallel (Local, Celery)
    # run up to this many of a run's extract tasks at once, each with its publisher's
    # max_concurrent_requests in flight. `airflow dags test` runs them one by one.
    @task(max_active_tis_per_dagrun=EXTRACT_PARALLEL_TASKS)
    def extract(batch: dict) -> list[dict]:
        from airflow.sdk.exceptions import AirflowFailException

        from extract.errors import FetchError, ParseError
        from warehouse import refresh

        try:
            return refresh.extract(batch)
        except ParseError as exc:  # bad content: retrying fetches the same bytes
            raise AirflowFailException(str(exc)) from exc
        except FetchError as exc:
            if not exc.transient:
                raise AirflowFailException(str(exc)) from exc
            raise

    # none_failed: a run whose every batch is settled maps no extract task at all.
    @task.short_circuit(outlets=SOURCE_ASSETS, trigger_rule="none_failed")
    def record_fetches(batches: list[list[dict]], settled: list[dict]) -> bool:
        """Write meta.fetch_log; go on only if the data or the code changed."""
        import logging

        from warehouse import refresh
        from warehouse.alerts import alert

        context = get_current_context()
        batches = [*batches, *(refresh.settled_outcomes(b) for b in settled or ())]
        decision = refresh.record(context["run_id"], batches)
        log = logging.getLogger("smartcity.refresh")
        log.info(
            "%s (%d slices downloaded, %d bytes)",
            decision["reason"],
            decision["downloaded"],
            decision["bytes"],
        )
        for overdue in decision["overdue"]:  # a source past its release deadline
            alert(context, f"source past its deadline: {overdue}")
        if decision["stale_sources"] or decision["missing"]:
            alert(
                context,
                f"publisher unreachable: using the last landed vintage of "
                f"{decision['stale_sources']}; missing slices {decision['missing'][:10]}",
            )
        return decision["changed"]

    @task(pool=WRITER_POOL)
    def load() -> dict:
        from warehouse import refresh

        return refresh.load(get_current_context()["run_id"])

    @task(pool=WRITER_POOL, retries=0)
    def dbt_build(info: dict) -> dict:
        from warehouse import refresh

        return refresh.build(info)

    @task(pool=WRITER_POOL, retries=0)
    def quality_gate(info: dict) -> dict:
        from warehouse import refresh

        return refresh.gate(info)

    @task(pool=WRITER_POOL, outlets=[PLANNING_WAREHOUSE])
    def publish(info: dict) -> dict:
        from warehouse import refresh

        return refresh.publish(info)

    planned = plan()
    recorded = record_fetches(
        extract.expand(batch=planned), XComArg(planned.operator, key=SETTLED_KEY)
    )
    built = load()
    recorded >> built
    publish(quality_gate(dbt_build(built)))


smartcity_refresh()
