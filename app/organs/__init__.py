"""Organs (机关), their staff users, and the numbering sequences."""
