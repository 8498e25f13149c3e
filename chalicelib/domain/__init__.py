"""The domain: models and rules. Imports nothing but the standard library,
pydantic and its own modules (imported relatively: nothing outside this
package is reachable from here; import-linter checks it)."""
