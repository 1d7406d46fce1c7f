"""The rasa-sdk action server: one module per capability.

Actions never log the tracker, slot values or what the user typed.
"""
