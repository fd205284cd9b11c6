"""The two kinds this app ships itself, about core objects only (the
documents app imports no other project app):

- the cabinet's information notice on personal health data, handed to
  patients (GDPR art. 13);
- a team member's confidentiality commitment (secret professionnel, traced
  access), printed for every member at once as a batch.
"""

from __future__ import annotations

from core.models import Cabinet, Role, User

from .registry import DocumentKind

RGPD_NOTICE = "notice_donnees_patients"
CONFIDENTIALITY = "engagement_confidentialite"

_MANAGERS = frozenset({Role.TITULAIRE, Role.ADMIN})


def notice_context(cabinet: Cabinet) -> dict:
    return {
        "controller": cabinet.name,
        "address": f"{cabinet.address}, {cabinet.postcode} {cabinet.city}",
        "email": cabinet.email,
        "phone": cabinet.phone,
        "nurses": [
            {"name": u.get_full_name(), "rpps": u.rpps}
            for u in User.objects.filter(role=Role.TITULAIRE, is_active=True).order_by(
                "last_name", "first_name"
            )
        ],
    }


def confidentiality_context(member: User) -> dict:
    return {
        "name": member.get_full_name() or member.username,
        "role": member.get_role_display(),
        "rpps": member.rpps,
        "is_nurse": member.is_nurse,
        "username": member.username,
    }


def can_view_member_document(user, member: User) -> bool:
    """The member themself, the titulaires who run the cabinet, the administrator."""
    return user.pk == member.pk or user.role in _MANAGERS


def team_members(user) -> list[User]:
    if user.role not in _MANAGERS:
        return []
    return list(User.objects.filter(is_active=True).order_by("last_name", "first_name", "pk"))


KINDS = [
    DocumentKind(
        code=RGPD_NOTICE, label="Notice d'information des patients sur leurs données",
        model="core.Cabinet", template="documents/pdf/notice_donnees_patients.html", version="1",
        build_context=notice_context, can_view=lambda user, cabinet: user.is_authenticated,
        can_request=lambda user, cabinet: user.role != Role.REMPLACANT,
        filename=lambda data: "notice-donnees-patients.pdf",
        demo_object=Cabinet.current,
    ),
    DocumentKind(
        code=CONFIDENTIALITY, label="Engagement de confidentialité",
        model="core.User", template="documents/pdf/engagement_confidentialite.html", version="1",
        build_context=confidentiality_context, can_view=can_view_member_document,
        filename=lambda data: f"engagement-confidentialite-{data['username']}.pdf",
        demo_object=lambda: User.objects.filter(username="julie").first(),
        batch_objects=team_members,
        batch_label="Engagements de confidentialité de toute l'équipe",
    ),
]
