"""Developer tooling shipped with the package (doc generators); not a public API."""
