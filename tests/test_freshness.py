import datetime as dt

from extract import landing
from warehouse import freshness


def _land(data_dir, source_id, period):
    directory = landing.slice_dir(data_dir, source_id, period, "cc=91")
    landing.atomic_write(directory / "_manifest.json", lambda tmp: tmp.write_text(
        f'{{"source_id": "{source_id}", "period": "{period}", "slice_key": "cc=91", "parquet": "part.parquet"}}'))


def test_monthly_source_is_overdue_once_the_next_month_should_be_out(tmp_path):
    _land(tmp_path, "dopa_population", "2026-09")
    by_id = {f.source_id: f for f in freshness.check(tmp_path, today=dt.date(2026, 11, 29))}
    on_time = by_id["dopa_population"]
    assert on_time.latest_vintage == "2026-09" and not on_time.overdue
    assert on_time.deadline == dt.date(2026, 9, 30) + dt.timedelta(days=31 + 45)
    late = {f.source_id: f for f in freshness.check(tmp_path, today=dt.date(2027, 1, 10))}["dopa_population"]
    assert late.overdue and "OVERDUE" in late.message()


def test_nothing_landed_is_reported_not_overdue(tmp_path):
    result = {f.source_id: f for f in freshness.check(tmp_path)}["dopa_population_thai"]
    assert result.latest_vintage is None and not result.overdue
    assert result.message() == "dopa_population_thai: nothing landed yet"
