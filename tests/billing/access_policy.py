from tests.access.policy import UrlPolicy, by_role

from .entry_helpers import an_entry

STAFF_ONLY = by_role(titulaire=200, remplacant=200, secretaire=200, admin=403)
# The act entry: the secretary and the titulaires (issue 12).
ENTRY = by_role(titulaire=200, remplacant=403, secretaire=200, admin=403)
# An entered séance billed under claire: the other titulaires do not see it.
ENTRY_OBJ = by_role(titulaire=404, remplacant=403, secretaire=200, admin=403, claire=200)
ENTRY_CANCEL = by_role(titulaire=404, remplacant=403, secretaire=302, admin=403, claire=302)

_entry = lambda p: {"pk": an_entry().pk}  # noqa: E731

POLICIES = {
    "billing:catalogue": UrlPolicy(STAFF_ONLY),
    "billing:quote": UrlPolicy(STAFF_ONLY),
    "billing:rules": UrlPolicy(STAFF_ONLY),
    "billing:entry": UrlPolicy(ENTRY),
    "billing:entry_preview": UrlPolicy(ENTRY, method="post"),
    "billing:entry_patients": UrlPolicy(ENTRY, data={"patient": "dur"}),
    "billing:entry_acts": UrlPolicy(ENTRY, data={"acts-0-act": "AMI 4"}),
    "billing:entry_edit": UrlPolicy(ENTRY_OBJ, kwargs=_entry),
    "billing:entry_cancel": UrlPolicy(ENTRY_CANCEL, kwargs=_entry, method="post"),
}
