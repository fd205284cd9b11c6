"""Demo cabinet and its people (foundation). Deterministic and idempotent:
rows are looked up by natural keys, never duplicated."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from stdnum import luhn

from .models import Cabinet, Role, User

DEMO_PASSWORD = "demo-cabinet"  # noqa: S105  # nosec B105 - demo data only, refused in production

DEMO_USERS = [
    # username, first, last, role, rpps stem (10 digits, Luhn key appended)
    ("claire", "Claire", "Martin", Role.TITULAIRE, "1000123456"),
    ("marc", "Marc", "Dubois", Role.TITULAIRE, "1000234567"),
    ("sophie", "Sophie", "Bernard", Role.TITULAIRE, "1000345678"),
    ("julie", "Julie", "Petit", Role.REMPLACANT, "1000456789"),
    ("nadia", "Nadia", "Benali", Role.SECRETAIRE, ""),
    ("admin", "Alex", "Admin", Role.ADMIN, ""),
]


def rpps_from_stem(stem: str) -> str:
    return stem + luhn.calc_check_digit(stem) if stem else ""


def seed(stdout=None) -> dict:
    cabinet = Cabinet.objects.order_by("pk").first() or Cabinet(pk=None)
    cabinet.name = settings.CABINET_NAME
    cabinet.address = "12 rue Nationale"
    cabinet.postcode = "37000"
    cabinet.city = "Tours"
    cabinet.latitude = Decimal("47.394100")
    cabinet.longitude = Decimal("0.684800")
    cabinet.zone = "plaine"
    cabinet.phone = "02 47 00 00 00"
    cabinet.email = "contact@cabinet-tilleuls.example"
    cabinet.siret = "73282932000074"
    cabinet.save()

    users = {}
    for username, first, last, role, stem in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "role": role,
                "rpps": rpps_from_stem(stem),
                "email": f"{username}@cabinet-tilleuls.example",
                "is_staff": role == Role.ADMIN,
                "is_superuser": role == Role.ADMIN,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        users[username] = user
    return {"cabinet": cabinet, "users": users}
