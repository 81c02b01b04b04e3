"""What the outbox sends to applicants: e-mail (acknowledgement, letters served electronically,
their arrival) and SMS notices."""
