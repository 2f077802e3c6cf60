"""``[core] hostname_callable`` of the Celery test's workers.

Two workers on one machine report the same FQDN; the test gives each its own name (as two
containers of the compose stack have) so a task instance's ``hostname`` says which worker
ran it. Outside that test this is the FQDN, as Airflow's default.
"""

from __future__ import annotations

import os
import socket

VARIABLE = "SMARTCITY_TEST_WORKER_HOSTNAME"


def hostname() -> str:
    return os.environ.get(VARIABLE) or socket.getfqdn()
