"""The manager console (SPEC §4.3): server-rendered pages behind a session
cookie, each area calling the same services as the JSON API."""
