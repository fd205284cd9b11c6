from tests.access.policy import UrlPolicy, by_role, everyone, public

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
    "password_change_done": UrlPolicy(everyone()),
}
