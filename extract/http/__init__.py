"""HTTP access to the publishers: the one client (``client``) and CKAN look-ups (``ckan``)."""
