"""pytest plugin shipped with certnb (placeholder)."""
