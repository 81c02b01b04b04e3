"""Assistance requests (协办): a case's handler asks a department to search or supply records."""
