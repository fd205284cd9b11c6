"""Role-by-URL policies of the tournées pages (merged into
tests/cabinet/access_policy.py). See cabinet/selectors/tournees.py for the
policy: titulaires plan every tournée, a remplaçant only their own (another's
is a 404), the secrétaire reads the planning (writes 403), the administrator
sees none (403). A visit is marked done only by its own nurse."""

from tests.access.policy import UrlPolicy, by_role, public

from .helpers import claire_feed, claire_tournee, claire_visit, tomorrow

_tournee = lambda p: {"pk": claire_tournee().pk}  # noqa: E731
_visit = lambda p: {"pk": claire_visit().pk}  # noqa: E731

_READ = by_role(titulaire=200, remplacant=200, secretaire=200, admin=403)
_READ_OBJ = by_role(titulaire=200, remplacant=404, secretaire=200, admin=403)
_PLAN_OBJ = by_role(titulaire=302, remplacant=404, secretaire=403, admin=403)
_OWN_VISIT = by_role(titulaire=404, remplacant=404, secretaire=403, admin=403, claire=302)
_NURSES = by_role(titulaire=200, remplacant=200, secretaire=403, admin=403)

TOURNEE_POLICIES = {
    "cabinet:tournee_day": UrlPolicy(_READ),
    "cabinet:tournee_plan_day": UrlPolicy(
        by_role(titulaire=302, remplacant=302, secretaire=403, admin=403), method="post",
        data={"jour": tomorrow().isoformat()}),
    # Without nurses ticked the form is refused at its field (400): cheap to try.
    "cabinet:tournee_dispatch": UrlPolicy(
        by_role(titulaire=400, remplacant=403, secretaire=403, admin=403), method="post",
        data={"jour": tomorrow().isoformat()}),
    "cabinet:tournee_detail": UrlPolicy(_READ_OBJ, kwargs=_tournee),
    "cabinet:tournee_sheet": UrlPolicy(_READ_OBJ, kwargs=_tournee),
    "cabinet:tournee_optimise": UrlPolicy(_PLAN_OBJ, kwargs=_tournee, method="post"),
    "cabinet:tournee_accept": UrlPolicy(_PLAN_OBJ, kwargs=_tournee, method="post"),
    "cabinet:tournee_revert": UrlPolicy(_PLAN_OBJ, kwargs=_tournee, method="post"),
    # A visit that is not in the tournée: 404 for those who may plan it.
    "cabinet:tournee_move": UrlPolicy(
        by_role(titulaire=404, remplacant=404, secretaire=403, admin=403), kwargs=_tournee,
        method="post", data={"visit": "0", "direction": "down"}),
    "cabinet:tournee_replan": UrlPolicy(_PLAN_OBJ, kwargs=_tournee, method="post"),
    "cabinet:visit_plan": UrlPolicy(
        _PLAN_OBJ, kwargs=_visit, method="post", data={"expected_duration_min": "20"}),
    "cabinet:visit_done": UrlPolicy(_OWN_VISIT, kwargs=_visit, method="post",
                                    data={"performed": "0"}),
    "cabinet:visit_act_options": UrlPolicy(
        by_role(titulaire=404, remplacant=404, secretaire=403, admin=403, claire=200),
        kwargs=_visit),
    "cabinet:visit_not_done": UrlPolicy(_OWN_VISIT, kwargs=_visit, method="post",
                                        data={"reason": "absent"}),
    "cabinet:visit_reopen": UrlPolicy(_OWN_VISIT, kwargs=_visit, method="post"),
    "cabinet:my_day": UrlPolicy(_NURSES),
    "cabinet:ics_settings": UrlPolicy(_NURSES),
    "cabinet:routing_profile": UrlPolicy(_NURSES),
    "cabinet:ics_feed": UrlPolicy(public(), kwargs=lambda p: {
        "pk": claire_feed().pk, "token": claire_feed().token}),
}
