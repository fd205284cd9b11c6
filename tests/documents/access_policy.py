from core.models import Cabinet
from documents import builtin
from tests.access.policy import UrlPolicy, by_role, everyone
from tests.documents.helpers import demo_batch, demo_document

# The demo commitment of Julie: hers, and the titulaires' and the
# administrator's (who run the team); not the secretary's (404: not disclosed).
JULIE_DOC = by_role(titulaire=200, remplacant=200, secretaire=404, admin=200)
# The demo batch holds Julie's and Nadia's commitments: only those who may see both.
BATCH = by_role(titulaire=200, remplacant=404, secretaire=404, admin=200)

POLICIES = {
    "documents:list": UrlPolicy(everyone()),
    "documents:detail": UrlPolicy(JULIE_DOC, kwargs=lambda p: {"pk": demo_document(p.julie).pk}),
    "documents:status": UrlPolicy(JULIE_DOC, kwargs=lambda p: {"pk": demo_document(p.julie).pk}),
    "documents:download": UrlPolicy(JULIE_DOC, kwargs=lambda p: {"pk": demo_document(p.julie).pk}),
    # The cabinet's notice: anyone may read it, a remplaçant may not issue it.
    "documents:request": UrlPolicy(
        by_role(titulaire=302, remplacant=403, secretaire=302, admin=302),
        kwargs=lambda p: {"kind": builtin.RGPD_NOTICE, "object_id": Cabinet.current().pk},
        method="post",
    ),
    "documents:batch_request": UrlPolicy(
        by_role(titulaire=302, remplacant=403, secretaire=403, admin=302),
        kwargs=lambda p: {"kind": builtin.CONFIDENTIALITY},
        method="post",
    ),
    "documents:batch_detail": UrlPolicy(BATCH, kwargs=lambda p: {"pk": demo_batch().pk}),
    "documents:batch_status": UrlPolicy(BATCH, kwargs=lambda p: {"pk": demo_batch().pk}),
    "documents:batch_download": UrlPolicy(BATCH, kwargs=lambda p: {"pk": demo_batch().pk}),
}
