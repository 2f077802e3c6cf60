"""DAG-file import cost beyond ``import airflow.sdk`` (target: under 1 s).

Each measurement is a fresh interpreter, so nothing is cached in-process; both variants
run interleaved in one go, and the medians are compared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DAG_FILE = REPO / "dags" / "smartcity_refresh.py"

_TIMER = """
import time, runpy
t0 = time.perf_counter()
import airflow.sdk
t1 = time.perf_counter()
if {load_dag}:
    runpy.run_path({dag!r})
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def _measure(load_dag: bool) -> tuple[float, float]:
    code = _TIMER.format(load_dag=load_dag, dag=str(DAG_FILE))
    env = {**os.environ, "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=env, cwd=REPO).stdout.split()
    return float(out[0]), float(out[1])


def run(repeats: int = 5) -> dict[str, float]:
    sdk, dag = [], []
    for _ in range(repeats):
        sdk.append(_measure(False)[0])
        dag.append(_measure(True)[1])
    result = {"import_airflow_sdk_s": statistics.median(sdk), "dag_file_beyond_sdk_s": statistics.median(dag)}
    result["ratio_dag_to_sdk"] = result["dag_file_beyond_sdk_s"] / result["import_airflow_sdk_s"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    r = run(args.repeats)
    print(f"cores: {os.cpu_count()}")
    print(f"import airflow.sdk (median of {args.repeats}):   {r['import_airflow_sdk_s']:.3f} s")
    print(f"DAG file beyond airflow.sdk (median):   {r['dag_file_beyond_sdk_s']:.3f} s "
          f"(ratio {r['ratio_dag_to_sdk']:.2f} of the sdk import; target < 1 s)")


if __name__ == "__main__":
    main()
