#!/usr/bin/env bash
# Run smartcity_refresh once, in-process (`airflow dags test`), and show the result.
# Without LIVE=1 the publishers are the bundled snapshot, served on loopback in their
# real URL shapes so the real HTTP and parsing code runs offline.
set -euo pipefail
cd "$(dirname "$0")/.."

mirror_pid=""
cleanup() { if [[ -n "$mirror_pid" ]]; then kill "$mirror_pid" 2>/dev/null || true; wait "$mirror_pid" 2>/dev/null || true; fi; }
trap cleanup EXIT

if [[ -z "${LIVE:-}" ]]; then
  port_file=$(mktemp)
  # The mirror also writes which of its bodies are modelled; landing labels them from it.
  export SMARTCITY_MODELLED_BODIES="${AIRFLOW_HOME}/modelled_bodies.json"
  python -m devtools.mirror --port 0 --port-file "$port_file" \
    --modelled-bodies "$SMARTCITY_MODELLED_BODIES" 2> "${AIRFLOW_HOME}/mirror.log" &
  mirror_pid=$!
  for _ in $(seq 1 100); do [[ -s "$port_file" ]] && break; sleep 0.1; done
  [[ -s "$port_file" ]] || { echo "snapshot mirror did not start:"; cat "${AIRFLOW_HOME}/mirror.log"; exit 1; }
  mirror_url="http://127.0.0.1:$(cat "$port_file")"
  rm -f "$port_file"
  # Every publisher's base URL (DOPA_BASE_URL, DLT_BASE_URL, ...) points at the mirror.
  for variable in $(python -m extract.catalogue base-url-variables); do
    export "$variable=$mirror_url"
  done
  echo "Serving the bundled snapshot at $mirror_url"
else
  echo "Running against the live publishers (their default base URLs unless *_BASE_URL is set)"
fi

python -m warehouse.cli check-conf "${CONF:-{\}}"
airflow dags test smartcity_refresh -c "${CONF:-{\}}" > "${AIRFLOW_HOME}/last-run.log" 2>&1 \
  || { tail -n 60 "${AIRFLOW_HOME}/last-run.log"; echo; echo "Refresh failed; full log: ${AIRFLOW_HOME}/last-run.log"; exit 1; }
python -m warehouse.cli summary
