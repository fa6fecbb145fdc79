"""fixbot: read a failed deploy's log, diagnose its broken logging configuration, and fix it in a pull request."""
