"""Gunicorn's workers failed to boot, and nothing else in the log says why: reported, no fix."""
