"""Helpers that several test folders share: bounded runs of fixbot, the hostile inputs of issue 20."""
