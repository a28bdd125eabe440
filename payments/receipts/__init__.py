"""Signed payment receipts: numbering, Ed25519 signatures, verification, printable PDFs.

See docs/payments-receipts.md. The payments side calls `issue.issue_receipt` once a payment is
captured; everything else here reads what it wrote.
"""
