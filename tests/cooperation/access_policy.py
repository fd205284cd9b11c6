"""Role-by-URL policy of the cooperation app (S-AUTHZ-4). Objects come from the demo
data: Madeleine Vidal (a patient of the remplaçante's visits, included in PA-PH by
Claire with Dr Lefèvre), Claire's PA-PH adhesion and the demo convention."""

from tests.access.policy import UrlPolicy, by_role, everyone

NURSES_ONLY = by_role(titulaire=200, remplacant=200, secretaire=403, admin=403)
# The conventions and new adhesions are the cabinet's paperwork: the remplaçante has no part
# in it, the administrator reads it without writing.
PAPERWORK_READ = by_role(titulaire=200, remplacant=403, secretaire=200, admin=200)
PAPERWORK_WRITE = by_role(titulaire=200, remplacant=403, secretaire=200, admin=403)


def _vidal(p):
    from cabinet.models import Patient

    return Patient.objects.get(last_name="Vidal", first_name="Madeleine")


def _inclusion(p):
    from cooperation.models import PatientInclusion

    return PatientInclusion.objects.get(patient=_vidal(p), protocol="pa-ph")


def _adhesion(p):
    from cooperation.models import Adhesion

    return Adhesion.objects.get(protocol="pa-ph", nurse=p.claire)


def _convention(p):
    from cooperation.models import ThirdPartyConvention

    return ThirdPartyConvention.objects.order_by("pk").first()


POLICIES = {
    "cooperation:protocol_list": UrlPolicy(everyone()),
    "cooperation:protocol_detail": UrlPolicy(everyone(), kwargs=lambda p: {"protocol_id": "pa-ph"}),
    "cooperation:eligible_list": UrlPolicy(NURSES_ONLY),
    "cooperation:patient_eligibility": UrlPolicy(
        NURSES_ONLY, kwargs=lambda p: {"patient_id": _vidal(p).pk}),
    "cooperation:assessment_edit": UrlPolicy(
        NURSES_ONLY, kwargs=lambda p: {"patient_id": _vidal(p).pk}),
    "cooperation:inclusion_create": UrlPolicy(
        NURSES_ONLY, kwargs=lambda p: {"patient_id": _vidal(p).pk, "protocol_id": "pa-ph"}),
    # The secretary sees the administrative list (no findings); the admin no patient data.
    "cooperation:inclusion_list": UrlPolicy(
        by_role(titulaire=200, remplacant=200, secretaire=200, admin=403)),
    "cooperation:inclusion_detail": UrlPolicy(NURSES_ONLY, kwargs=lambda p: {"pk": _inclusion(p).pk}),
    "cooperation:follow_up_plan": UrlPolicy(NURSES_ONLY, kwargs=lambda p: {"pk": _inclusion(p).pk}),
    "cooperation:inclusion_exit": UrlPolicy(NURSES_ONLY, kwargs=lambda p: {"pk": _inclusion(p).pk}),
    "cooperation:act_create": UrlPolicy(NURSES_ONLY, kwargs=lambda p: {"pk": _inclusion(p).pk}),
    "cooperation:act_detail": UrlPolicy(
        NURSES_ONLY, kwargs=lambda p: {"pk": _inclusion(p).acts.order_by("pk").first().pk}),
    "cooperation:adhesion_list": UrlPolicy(everyone()),
    "cooperation:adhesion_create": UrlPolicy(PAPERWORK_WRITE),
    # A remplaçante sees her own adhesions only (another's is not found).
    "cooperation:adhesion_detail": UrlPolicy(
        by_role(titulaire=200, remplacant=404, secretaire=200, admin=200),
        kwargs=lambda p: {"pk": _adhesion(p).pk}),
    # A titulaire edits her own adhesion only; the secretary manages them all; the
    # remplaçante does not see another nurse's adhesion (not found).
    "cooperation:adhesion_edit": UrlPolicy(
        by_role(titulaire=403, remplacant=404, secretaire=200, admin=403, claire=200),
        kwargs=lambda p: {"pk": _adhesion(p).pk}),
    "cooperation:convention_list": UrlPolicy(PAPERWORK_READ),
    "cooperation:convention_create": UrlPolicy(PAPERWORK_WRITE),
    "cooperation:convention_detail": UrlPolicy(
        PAPERWORK_READ, kwargs=lambda p: {"pk": _convention(p).pk}),
    "cooperation:convention_edit": UrlPolicy(
        PAPERWORK_WRITE, kwargs=lambda p: {"pk": _convention(p).pk}),
}
