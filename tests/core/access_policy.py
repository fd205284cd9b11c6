from tests.access.policy import UrlPolicy, by_role, everyone, public


def _pending_change(personas):
    from core.models import Role, RoleChange

    change = RoleChange.objects.create(
        user=personas.nadia, from_role=Role.SECRETAIRE, to_role=Role.TITULAIRE,
        requested_by=personas.admin,
    )
    return {"pk": change.pk}


def _claire_passkey(personas):
    from tests.core.test_passkey import make_passkey

    return {"pk": make_passkey(personas.claire).pk}


POLICIES = {
    "home": UrlPolicy(everyone()),
    "healthz": UrlPolicy(public()),
    # The login page sends a logged-in user on to the home page.
    "login": UrlPolicy(by_role(titulaire=302, remplacant=302, secretaire=302, admin=302,
                               anonymous=200)),
    "logout": UrlPolicy(everyone(302), method="post"),
    "two_factor": UrlPolicy(everyone()),
    # Users without a second factor are sent to set one up.
    "two_factor_verify": UrlPolicy(everyone(302)),
    "password_change": UrlPolicy(everyone()),
    # S-AUTH-2: one's own passkey only; another user's is not found.
    "passkey": UrlPolicy(by_role(titulaire=404, remplacant=404, secretaire=404, admin=404,
                                 claire=200), kwargs=_claire_passkey),
    # Registering needs the app's second factor first (the personas have none).
    "passkey_register_begin": UrlPolicy(everyone(403), method="post"),
    "passkey_register_complete": UrlPolicy(everyone(403), method="post"),
    # Verifying needs a passkey of one's own (the personas have none).
    "passkey_auth_begin": UrlPolicy(everyone(404), method="post"),
    "passkey_auth_complete": UrlPolicy(everyone(404), method="post"),
    "accounts": UrlPolicy(by_role(titulaire=200, remplacant=403, secretaire=403, admin=200)),
    # A titulaire's refusal of a pending grant (another titulaire asked nothing).
    "role_change_decide": UrlPolicy(
        by_role(titulaire=302, remplacant=403, secretaire=403, admin=403),
        kwargs=_pending_change, method="post", data={"decision": "refuse"},
    ),
    "password_change_done": UrlPolicy(everyone()),
}
