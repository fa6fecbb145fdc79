"""Django's LOGGING names a formatter, filter or logger that cannot be built: reported, no fix."""
