"""Positron: the all-Python desktop shell (a Toga window on Django served in this process)."""
