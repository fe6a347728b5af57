"""Open311 GeoReport v2 at ``/open311/v2/``: discovery, the public services (GridGov's
public case categories), service requests (cases) read by anyone and posted with an API
key, and request ids found from a token; every answer in XML (the spec's required format,
and the one a URL without a suffix gets) and JSON."""
