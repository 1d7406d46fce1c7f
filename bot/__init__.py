"""Rasa-side runtime: the launcher, tracker store and spaCy components."""
