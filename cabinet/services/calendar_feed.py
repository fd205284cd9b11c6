"""The nurse's iCalendar feed: the secret URL (made, regenerated, revoked)
and the calendar it serves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from core import audit

from ..models.visits import IcsFeedToken, VisitStatus
from ..selectors.tournees import calendar_visits


@transaction.atomic
def regenerate_ics_token(*, acting_user, nurse) -> IcsFeedToken:
    """Revoke the current feed URL (if any) and make a new one."""
    now = timezone.now()
    IcsFeedToken.objects.filter(nurse=nurse, revoked_at__isnull=True).update(revoked_at=now)
    token = IcsFeedToken.objects.create(nurse=nurse, token=IcsFeedToken.new_secret())
    audit.record(actor=acting_user, action="ics.regenerate", obj=token)
    return token


@transaction.atomic
def revoke_ics_token(*, acting_user, nurse) -> int:
    count = IcsFeedToken.objects.filter(nurse=nurse, revoked_at__isnull=True).update(
        revoked_at=timezone.now())
    audit.record(actor=acting_user, action="ics.revoke", revoked=count)
    return count


def _ics_escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _ics_fold(line: str) -> str:
    """RFC 5545: lines of at most 75 octets, continued with a space."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode("utf-8")) > 75:
            out.append(current)
            current = " " + char
        else:
            current += char
    out.append(current)
    return "\r\n".join(out)


def ics_calendar(nurse, *, days_back: int = 7, days_ahead: int = 28, host: str = "") -> str:
    """The nurse's planned visits as an iCalendar feed (times in Europe/Paris,
    written in UTC). Only the patient's name and the time: no clinical data."""
    return ics_calendar_with_patients(nurse, days_back=days_back, days_ahead=days_ahead,
                                      host=host)[0]


def ics_calendar_with_patients(nurse, *, days_back: int = 7, days_ahead: int = 28,
                               host: str = "") -> tuple[str, list[int]]:
    """The feed and the patients it names (their reads are logged, S-TRACE-1)."""
    today = timezone.localdate()
    visits = calendar_visits(nurse, today - timedelta(days=days_back),
                             today + timedelta(days=days_ahead))
    stamp = timezone.now().astimezone(UTC)
    fmt = "%Y%m%dT%H%M%SZ"
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Cabinet infirmier//Tournees//FR",
        "CALSCALE:GREGORIAN", f"X-WR-CALNAME:{_ics_escape('Tournées de ' + str(nurse))}",
    ]
    for visit in visits:
        start_time = visit.planned_time or visit.preferred_time or visit.window_start
        start = timezone.make_aware(datetime.combine(visit.date, start_time))
        end = start + timedelta(minutes=visit.expected_duration_min)
        summary = f"{visit.patient}"
        if visit.status == VisitStatus.DONE:
            summary += " (fait)"
        elif visit.status == VisitStatus.NOT_DONE:
            summary += " (non fait)"
        lines += [
            "BEGIN:VEVENT",
            f"UID:visit-{visit.pk}@{host or 'cabinet'}",
            f"DTSTAMP:{stamp.strftime(fmt)}",
            f"DTSTART:{start.astimezone(stamp.tzinfo).strftime(fmt)}",
            f"DTEND:{end.astimezone(stamp.tzinfo).strftime(fmt)}",
            f"SUMMARY:{_ics_escape(summary)}",
            f"LOCATION:{_ics_escape(visit.patient.full_address)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    patient_ids = sorted({visit.patient_id for visit in visits})
    return "\r\n".join(_ics_fold(line) for line in lines) + "\r\n", patient_ids
