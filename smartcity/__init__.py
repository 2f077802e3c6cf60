"""Project-wide configuration of the Smart City Planning Warehouse (``smartcity.settings``)."""
