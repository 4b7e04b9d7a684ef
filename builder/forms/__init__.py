"""JSON Schema forms: formats, validation and the mapping of errors to fields."""
