"""Input validation, text hygiene, upload sniffing and masking helpers (pure, stdlib only)."""
