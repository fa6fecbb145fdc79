"""Tests of fixbot/formats/logconfig/, the logging config readers."""
