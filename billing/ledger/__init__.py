"""Payments, the ledger and the accountant's exports (docs/domain/facturation.md,
PAY-*, LED-*): the pure parts, without the ORM. The pages and the exports read
the database through `billing.selectors.ledger` and hand plain values here.
"""
