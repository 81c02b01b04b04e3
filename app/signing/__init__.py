"""Signed letters and their public verification (issue 18): the organ's certificate, the signer,
the verification code and /verify."""
