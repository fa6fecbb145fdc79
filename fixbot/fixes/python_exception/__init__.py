"""Any other uncaught Python exception with a traceback, tried last: reported with its cause, no fix."""
