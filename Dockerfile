# syntax=docker/dockerfile:1
#
# Smart City Planning Warehouse image: the official Airflow image, extended as Airflow's
# "Building the image" guide describes (packages installed by the airflow user, with the
# Airflow version pinned), plus this project installed with the versions of uv.lock.
#
#   docker build -t smartcity-warehouse:latest .      (docker compose build does the same)
#
# uv only turns uv.lock into a pinned, hashed requirements file; pip installs it.
# Keep UV_VERSION at (or above) the uv that wrote uv.lock.
ARG UV_VERSION=0.13.9

FROM ghcr.io/astral-sh/uv:${UV_VERSION} AS uv

FROM apache/airflow:3.3.2-python3.11

LABEL org.opencontainers.image.title="smartcity-warehouse" \
      org.opencontainers.image.description="Smart City Planning Warehouse: Airflow, dbt-duckdb and Great Expectations over Thai open government data" \
      org.opencontainers.image.licenses="Apache-2.0"

USER airflow

# 1. Dependencies, exactly as locked. This layer changes only with pyproject.toml/uv.lock.
#    The lock must pin the Airflow of the base image; `pip check` fails the build if a
#    locked version breaks a provider the base image ships (celery, postgres, fab, ...).
RUN --mount=type=bind,from=uv,source=/uv,target=/tmp/uv-bin/uv \
    --mount=type=bind,source=pyproject.toml,target=/tmp/lock/pyproject.toml \
    --mount=type=bind,source=uv.lock,target=/tmp/lock/uv.lock \
    set -eu; \
    /tmp/uv-bin/uv export --project /tmp/lock --frozen --no-dev --no-emit-project \
        --format requirements.txt --output-file /tmp/requirements.txt --quiet; \
    if ! grep -Eq "^apache-airflow==${AIRFLOW_VERSION}( |;|\$)" /tmp/requirements.txt; then \
        echo "uv.lock does not pin apache-airflow==${AIRFLOW_VERSION}, the base image's version" >&2; \
        exit 1; \
    fi; \
    pip install --no-cache-dir --requirement /tmp/requirements.txt; \
    rm -f /tmp/requirements.txt

# 2. The project's packages (extract, warehouse, expectations; never devtools/, the
#    development mirror and snapshot, which .dockerignore leaves out) without touching the
#    dependencies. The build context is copied to a scratch directory because setuptools
#    writes build metadata next to the sources.
RUN --mount=type=bind,source=.,target=/tmp/context \
    set -eu; \
    cp -r /tmp/context /tmp/smartcity-src; \
    pip install --no-cache-dir --no-deps /tmp/smartcity-src; \
    rm -rf /tmp/smartcity-src; \
    pip check

# 3. DAGs and the dbt project, where Airflow and warehouse.paths look for them.
COPY --chown=airflow:root dags/ /opt/airflow/dags/
COPY --chown=airflow:root dbt_project/ /opt/airflow/dbt_project/

ENV SMARTCITY_DATA_DIR=/opt/airflow/data \
    SMARTCITY_DBT_PROJECT_DIR=/opt/airflow/dbt_project \
    GX_ANALYTICS_ENABLED=False \
    DBT_SEND_ANONYMOUS_USAGE_STATS=False

# dbt packages, if the project declares any; then make the dbt project and the data
# directory group-writable, so any AIRFLOW_UID in group 0 (as compose runs it) can write.
# An empty named volume mounted on /opt/airflow/data starts with these permissions.
RUN set -eu; \
    cd /opt/airflow/dbt_project; \
    if [ -f packages.yml ] || [ -f dependencies.yml ]; then \
        dbt deps --project-dir /opt/airflow/dbt_project --profiles-dir /opt/airflow/dbt_project; \
    fi; \
    mkdir -p /opt/airflow/data; \
    chmod -R g+rwX /opt/airflow/dbt_project /opt/airflow/data

WORKDIR /opt/airflow
