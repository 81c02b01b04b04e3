"""Statutory deadlines: the official holiday calendar and working-day arithmetic."""
