"""The curated directory: data model, matching, import/export and the maintainers' web app."""
