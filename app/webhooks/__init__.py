"""An organ's webhook subscriptions, and the channel that POSTs events to them signed as the
Standard Webhooks specification says (https://www.standardwebhooks.com/)."""
