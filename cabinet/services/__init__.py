"""Writes that cross models: keyword-only functions taking `acting_user`,
atomic, writing their audit row in the same transaction."""
