from tests.access.policy import UrlPolicy, by_role

STAFF_ONLY = by_role(titulaire=200, remplacant=200, secretaire=200, admin=403)

POLICIES = {
    "billing:catalogue": UrlPolicy(STAFF_ONLY),
    "billing:quote": UrlPolicy(STAFF_ONLY),
    "billing:rules": UrlPolicy(STAFF_ONLY),
}
