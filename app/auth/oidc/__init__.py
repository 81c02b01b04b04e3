"""Signing in with the province's unified identity login: OpenID Connect's authorization-code
flow with PKCE (S256), state and nonce, as a second way into the workbench (issue 15)."""
