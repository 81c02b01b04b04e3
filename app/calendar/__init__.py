"""The official holiday calendar as stored data, its API, and the deadline recompute."""
