"""Where released documents are uploaded: the API's route and the workbench's form, whose
request bodies may exceed the service's general limit (app.limits.BodySizeLimit)."""

from __future__ import annotations

import re

UPLOAD_PATHS = re.compile(
    r"/api/v1/cases/\d{1,10}/released-documents|/staff/cases/\d{1,10}/released"
)
# The multipart framing and the form's other fields around the file.
UPLOAD_OVERHEAD = 1024 * 1024
