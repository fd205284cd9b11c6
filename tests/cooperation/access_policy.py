from tests.access.policy import UrlPolicy, by_role  # noqa: F401

POLICIES: dict[str, UrlPolicy] = {}
