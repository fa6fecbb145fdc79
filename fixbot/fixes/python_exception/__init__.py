"""Any other uncaught Python exception with a traceback: reported with its cause, no fix. Tried last."""
