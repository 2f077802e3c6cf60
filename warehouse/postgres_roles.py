"""``python -m warehouse.postgres_roles``: the roles command under its first name (the
compose file's ``warehouse-postgres-init`` runs it); see ``warehouse.targets.postgres.roles``."""

import sys

from warehouse.targets.postgres.roles import main

if __name__ == "__main__":
    sys.exit(main())
