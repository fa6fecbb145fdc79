"""Tests of fixbot/check/, `fixbot check`."""
