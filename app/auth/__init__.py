"""Staff authentication: roles, API tokens, the request principal."""
