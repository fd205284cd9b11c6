# Generated documents hold patient data frozen at the time they were sent:
# they are not in the Django admin, whose users (the administrator role) do
# not see patient data (S-AUTHZ). They are reached through the documents
# views only, which check the kind's `can_view` and log each download.
