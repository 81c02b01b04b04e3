"""The HTTP edge: request-head limits, response security headers, API docs, the OpenAPI document."""
