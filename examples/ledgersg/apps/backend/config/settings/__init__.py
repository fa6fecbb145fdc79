"""Settings for the LedgerSG backend: base.py is shared, service.py is what the container runs."""
