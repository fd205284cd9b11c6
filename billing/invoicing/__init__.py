"""Invoices from séances: the split (pure), the audit's ORM input, the
visibility selectors, the services (create, validate, avoir, lifecycle), the
FSE export and the invoice PDF."""
