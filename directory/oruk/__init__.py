"""The directory as an Open Referral UK (ORUK) 3.0 feed: the read API's data and its checks.

- `feed`: every service as the profile's JSON (made by the HSDS serialiser,
  directory.formats.hsds_json), the published taxonomies, the query parameters' filters and
  the paginated envelope; `current_feed(url)` is cached per `directory_state.data_version`.
- `validation`: a response checked against the profile's OpenAPI definition
  (directory/oruk/schema/, copied from the profile with its licence), without the network.

The web endpoints are directory.web.oruk, under /api/oruk/.
"""
