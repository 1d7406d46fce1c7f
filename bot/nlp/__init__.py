"""The spaCy pipeline: a blank English model plus gazetteer patterns (no downloaded weights)."""
