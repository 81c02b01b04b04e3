"""Released documents (公开文件): upload, true redaction, the reply they go with, delivery."""
