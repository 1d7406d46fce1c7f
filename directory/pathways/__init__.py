"""Referral pathways for professionals: directory data, edited like services, read by the bot.

- `models`: the tables (on the directory's `Base`).
- `seed.load_pathways(session)`: loads directory/pathways/seed/*.yml.
- `store`: `pathway_to_dict` / `pathway_from_dict` / `write_pathway`, the editor's write API.
- `answers`: what the bot says, with contacts resolved from the directory at answer time.
- `situations`: recognises which pathway(s) a professional's message is about.
"""
