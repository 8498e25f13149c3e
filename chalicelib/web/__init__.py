"""HTTP plumbing every surface shares: the boundary (authentication, access log),
route declarations, the one error mapping, reading requests, writing answers,
page rendering and the OpenAPI document. It imports no surface: surfaces hand
it what it needs (how their errors look, how a session is read)."""
