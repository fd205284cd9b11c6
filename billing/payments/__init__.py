"""Payments, rejects, outstanding amounts, the ledger and its exports
(PAY-*, LED-*): services and selectors over the ORM; the pure parts are in
`billing.ledger`."""
