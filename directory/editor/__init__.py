"""The maintainers' editor: accounts, drafts, review, publishing and the audit trail.

The web screens live in directory.web (auth, entries, review, transfer, pathways); this package
holds what they and the CLI share.
"""
