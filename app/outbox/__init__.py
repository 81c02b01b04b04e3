"""Events that leave the service (webhooks, e-mail, SMS, notices) and the worker that delivers
them: written by the case's transaction, delivered after its commit, at least once."""
