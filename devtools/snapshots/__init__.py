"""Bundled snapshot: recorded publisher responses, their provenance and the builders."""
