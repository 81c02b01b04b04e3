"""The append-only, hash-chained case timeline."""
