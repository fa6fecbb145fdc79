"""Tests of fixbot/formats/, the readers."""
