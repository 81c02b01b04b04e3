"""Intake: online applications and staff registration, up to a registered case."""
