"""Delivery control, one module per subject; callers import from the module they need."""
