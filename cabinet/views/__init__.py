"""Views of the cabinet app, one module per object type. Each view declares
its access policy (core.access) and fetches its object through a
`_get_<object>_for_user()` helper built on the selectors."""
