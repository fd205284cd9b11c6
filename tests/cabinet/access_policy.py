from tests.access.policy import UrlPolicy, by_role

from .helpers import (
    a_medecin,
    claire_ald,
    claire_care_plan,
    claire_patient,
    claire_prescription,
)

# Patients, médecins, ALD, prescriptions, care plans, worklist.
# The remplaçante (julie) sees only the patients of her visits: claire's
# patient is a foreign object for her (404); on her own patients the ALD pages
# are read-only (403, tests/cabinet/test_ald_form.py). The administrator sees
# no patient data (403) but reads the access log.
_patient = lambda p: {"pk": claire_patient().pk}  # noqa: E731
_patient_pk = lambda p: {"patient_pk": claire_patient().pk}  # noqa: E731
_prescription = lambda p: {"pk": claire_prescription().pk}  # noqa: E731
_ald = lambda p: {"pk": claire_ald().pk}  # noqa: E731
_plan = lambda p: {"pk": claire_care_plan().pk}  # noqa: E731

_STAFF_OBJ = by_role(titulaire=200, remplacant=404, secretaire=200, admin=403)
_EDITORS = by_role(titulaire=200, remplacant=403, secretaire=200, admin=403)
_STAFF = by_role(titulaire=200, remplacant=200, secretaire=200, admin=403)

POLICIES = {
    "cabinet:patient_list": UrlPolicy(_STAFF),
    "cabinet:patient_create": UrlPolicy(_EDITORS),
    "cabinet:patient_detail": UrlPolicy(_STAFF_OBJ, kwargs=_patient),
    "cabinet:patient_edit": UrlPolicy(_STAFF_OBJ, kwargs=_patient),
    "cabinet:patient_access_log": UrlPolicy(
        by_role(titulaire=403, remplacant=403, secretaire=403, admin=200), kwargs=_patient),
    "cabinet:access_log_index": UrlPolicy(
        by_role(titulaire=403, remplacant=403, secretaire=403, admin=200)),
    "cabinet:ald_create": UrlPolicy(_STAFF_OBJ, kwargs=_patient_pk),
    "cabinet:ald_edit": UrlPolicy(_STAFF_OBJ, kwargs=_ald),
    # The demo ALD has no scan: 404 for those who may see it.
    "cabinet:ald_volet": UrlPolicy(
        by_role(titulaire=404, remplacant=404, secretaire=404, admin=403), kwargs=_ald),
    "cabinet:prescription_create": UrlPolicy(_STAFF_OBJ, kwargs=_patient_pk),
    "cabinet:prescription_detail": UrlPolicy(_STAFF_OBJ, kwargs=_prescription),
    "cabinet:prescription_edit": UrlPolicy(_STAFF_OBJ, kwargs=_prescription),
    "cabinet:prescription_file": UrlPolicy(
        by_role(titulaire=404, remplacant=404, secretaire=404, admin=403), kwargs=_prescription),
    "cabinet:prescription_renewal": UrlPolicy(
        by_role(titulaire=302, remplacant=404, secretaire=302, admin=403),
        kwargs=_prescription, method="post"),
    "cabinet:careplan_create": UrlPolicy(_STAFF_OBJ, kwargs=lambda p: {
        "prescription_pk": claire_prescription().pk}),
    "cabinet:careplan_edit": UrlPolicy(_STAFF_OBJ, kwargs=_plan),
    "cabinet:careplan_stop": UrlPolicy(
        by_role(titulaire=302, remplacant=404, secretaire=302, admin=403),
        kwargs=_plan, method="post"),
    "cabinet:worklist": UrlPolicy(_STAFF),
    "cabinet:act_search": UrlPolicy(_STAFF),
    "cabinet:medecin_list": UrlPolicy(_STAFF),
    "cabinet:medecin_create": UrlPolicy(_EDITORS),
    "cabinet:medecin_edit": UrlPolicy(_EDITORS, kwargs=lambda p: {"pk": a_medecin().pk}),
}

# Tournées, "Ma journée", day sheet, calendar feed (tests/cabinet/tournees/policies.py).
from .tournees.policies import TOURNEE_POLICIES  # noqa: E402

POLICIES.update(TOURNEE_POLICIES)
