"""Produit dans DOSSIER le PDF de démonstration de chaque type de document enregistré
(contrat de remplacement, lettre aux patients, relevé de rétrocession… selon les applications
installées), par le même circuit que l'application (request_document, puis la tâche Celery),
et liste les fichiers."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.models import Role, User
from documents import registry
from documents.models import GeneratedDocument, Status
from documents.services import request_document

# Whoever may ask for the document: the administrator first, then the
# titulaires, then the others (a contract may be the titulaire's only).
_ROLE_ORDER = [Role.ADMIN, Role.TITULAIRE, Role.SECRETAIRE, Role.REMPLACANT]


def _requester_for(kind: registry.DocumentKind, obj) -> User | None:
    users = User.objects.filter(is_active=True).order_by("pk")
    for role in _ROLE_ORDER:
        for user in users.filter(role=role):
            if kind.user_can_request(user, obj):
                return user
    return None


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("directory", help="dossier de sortie (créé au besoin)")
        parser.add_argument("--timeout", type=float, default=120, help="attente maximale par document (s)")

    def handle(self, *args, directory: str, timeout: float, **options):
        from documents.tasks import render_document

        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        written, problems = [], []
        for kind in registry.all_kinds():
            obj = kind.demo_object() if kind.demo_object else None
            if obj is None:
                problems.append(f"{kind.code} : pas d'objet de démonstration (lancez seed_demo)")
                continue
            user = _requester_for(kind, obj)
            if user is None:
                problems.append(f"{kind.code} : aucun utilisateur ne peut demander ce document")
                continue
            document = request_document(acting_user=user, kind=kind, obj=obj)
            # Rendered here if no worker has done it yet; a worker that gets
            # the message too finds it done (the task is idempotent).
            render_document.apply(args=[document.pk])
            document = self._wait(document.pk, timeout)
            if document.status != Status.READY:
                problems.append(f"{kind.code} : {document.get_status_display()} {document.error}".strip())
                continue
            target = out / document.download_name
            try:
                with document.file.open("rb") as source, target.open("wb") as dest:
                    shutil.copyfileobj(source, dest)
            except FileNotFoundError:
                problems.append(f"{kind.code} : fichier manquant dans MEDIA_ROOT ({document.file.name})")
                continue
            written.append(target)
            self.stdout.write(f"{target}  ({kind.label}, {document.size} octets, sha256 {document.sha256[:12]}…)")
        for problem in problems:
            self.stderr.write(problem)
        if not written:
            raise CommandError("aucun document produit")

    def _wait(self, pk: int, timeout: float) -> GeneratedDocument:
        deadline = time.monotonic() + timeout
        while True:
            document = GeneratedDocument.objects.get(pk=pk)
            if document.is_finished or time.monotonic() > deadline:
                return document
            time.sleep(0.2)
