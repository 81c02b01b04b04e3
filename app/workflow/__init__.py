"""Case workflow declared as data: definition models, loading/validation and diagrams."""
