"""S-AUTHZ-4: every URL of the project, for every persona, has an explicit
expected status, and the view answers exactly that."""

from __future__ import annotations

import pkgutil
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from core.plugins import optional_module
from tests.access.policy import PERSONAS, UrlPolicy

# Django's admin guards itself (staff only, its own login page); we check its
# entry points below rather than listing each model's object URLs.
ADMIN_NAMESPACE = "admin"


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(entry.url_patterns, full_ns)
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry


def project_urls() -> dict[str, URLPattern]:
    urls = {}
    for name, pattern in _walk(get_resolver().url_patterns):
        if name.split(":")[0] == ADMIN_NAMESPACE:
            continue
        assert pattern.name, f"unnamed URL pattern {pattern.pattern}: name it and give it a policy"
        urls[name] = pattern
    return urls


def all_policies() -> dict[str, UrlPolicy]:
    merged: dict[str, UrlPolicy] = {}
    root = Path(tests.__file__).parent
    for info in pkgutil.iter_modules([str(root)]):
        if not info.ispkg:
            continue
        module = optional_module(f"tests.{info.name}.access_policy")
        if module is None:
            continue
        duplicated = merged.keys() & module.POLICIES.keys()
        assert not duplicated, f"policies declared twice: {sorted(duplicated)}"
        merged.update(module.POLICIES)
    return merged


POLICIES = all_policies()
URLS = project_urls()


def test_s_authz_4_every_url_has_a_policy_for_every_persona():
    missing = sorted(set(URLS) - set(POLICIES))
    assert not missing, f"URLs without an access policy (add them to tests/<app>/access_policy.py): {missing}"
    stale = sorted(set(POLICIES) - set(URLS))
    assert not stale, f"policies for URLs that no longer exist: {stale}"
    partial = sorted(name for name, policy in POLICIES.items() if set(policy.expect) != set(PERSONAS))
    assert not partial, f"policies missing a persona: {partial}"


def test_every_view_declares_its_policy():
    undeclared = []
    for name, pattern in URLS.items():
        callback = pattern.callback
        if getattr(callback, "access_policy", None) is None:
            undeclared.append(name)
    assert not undeclared, f"views without an access decorator (core.access): {undeclared}"


# The calendar feed is read by the phone's agenda, which cannot log in: its
# unguessable, revocable token is the credential (cabinet.views.tournee_settings).
PUBLIC_URLS = {"login", "healthz", "cabinet:ics_feed"}


def test_s_auth_1_every_view_requires_authentication_but_login_health_and_feed():
    public = {name for name, policy in POLICIES.items() if policy.expect["anonymous"] != 302}
    assert public == PUBLIC_URLS
    declared_public = {name for name, pattern in URLS.items()
                       if pattern.callback.access_policy == "public"}
    assert declared_public == PUBLIC_URLS


CASES = [(name, persona) for name in sorted(POLICIES) for persona in PERSONAS]


@pytest.mark.parametrize(("url_name", "persona"), CASES)
def test_role_by_url(url_name, persona, personas, request):
    request.node.user_properties += [("role_by_url_cases", 1), ("role_by_url_url", url_name)]
    policy = POLICIES[url_name]
    kwargs = policy.kwargs(personas) if policy.kwargs else {}
    url = reverse(url_name, kwargs=kwargs)
    client = personas.client(None if persona == "anonymous" else persona)
    response = getattr(client, policy.method)(url, data=policy.data)
    expected = policy.expect[persona]
    accepted = expected if isinstance(expected, tuple) else (expected,)
    assert response.status_code in accepted, (
        f"{policy.method.upper()} {url} as {persona}: {response.status_code}, expected {expected}"
    )
    if persona == "anonymous" and response.status_code == 302:
        assert "/connexion/" in response["Location"]


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_admin_site_is_for_administrators_only(persona, personas):
    client = personas.client(persona)
    response = client.get(reverse("admin:index"))
    if persona == "admin":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
