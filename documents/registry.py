"""The registry of document kinds.

The documents app knows none of the other apps: each app describes the
documents it produces as `DocumentKind`s and registers them from its
`AppConfig.ready()`::

    from documents.registry import DocumentKind, register

    class ReplacementsConfig(AppConfig):
        def ready(self):
            from . import documents as docs
            register(DocumentKind(
                code="contrat_remplacement",
                label="Contrat de remplacement",
                model="replacements.Contract",
                template="replacements/pdf/contract.html",
                version="1",
                build_context=docs.contract_context,    # obj -> JSON-able dict
                can_view=docs.can_view_contract,        # (user, obj) -> bool
                patient_id=lambda contract: None,       # obj -> int | None (S-TRACE-1)
                filename=lambda data: f"contrat-{data['number']}.pdf",
                demo_object=docs.demo_contract,         # () -> obj | None
            ))

`build_context` is called once, when the document is requested; its result is
frozen in the database (dates, datetimes and decimals survive the round trip,
see `documents.context`) and the PDF is rendered from that frozen copy only, so
a document can be shown again exactly as it was sent even after its source
objects changed. Bump `version` whenever the template's wording changes: the
version is part of the idempotence key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models


@dataclass(frozen=True)
class DocumentKind:
    code: str
    label: str
    model: str  # "app_label.ModelName" of the object the document is about
    template: str
    version: str
    build_context: Callable[[Any], dict]
    can_view: Callable[[Any, Any], bool]
    patient_id: Callable[[Any], int | None] = field(default=lambda obj: None)
    # Download name from the data (thawed: dates are dates again).
    filename: Callable[[dict], str] | None = None
    # Who may ask for a new document; defaults to whoever may view it.
    can_request: Callable[[Any, Any], bool] | None = None
    # For `render_demo_documents` and the demo data: an object to render.
    demo_object: Callable[[], Any] | None = None
    # Optional "generate them all" action: the objects this user may batch.
    batch_objects: Callable[[Any], Iterable] | None = None
    batch_label: str = ""

    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def get_object(self, object_id: int):
        return self.model_class()._default_manager.filter(pk=object_id).first()

    def user_can_view(self, user, obj) -> bool:
        return obj is not None and bool(self.can_view(user, obj))

    def user_can_request(self, user, obj) -> bool:
        check = self.can_request or self.can_view
        return obj is not None and bool(check(user, obj))

    def download_name(self, data: dict, pk: int) -> str:
        name = self.filename(data) if self.filename else f"{self.code}-{pk}.pdf"
        return name if name.lower().endswith(".pdf") else f"{name}.pdf"


def filename_part(text: str) -> str:
    """A name for a download: letters and digits kept (accents too), lower case, every
    other run of characters one hyphen."""
    keep = "".join(c if c.isalnum() else "-" for c in text.lower())
    return "-".join(filter(None, keep.split("-")))


class UnknownKind(LookupError):
    pass


_KINDS: dict[str, DocumentKind] = {}


def register(kind: DocumentKind, *, replace: bool = False) -> DocumentKind:
    if kind.code in _KINDS and not replace and _KINDS[kind.code] != kind:
        raise ValueError(f"document kind {kind.code!r} is already registered")
    _KINDS[kind.code] = kind
    return kind


def unregister(code: str) -> None:
    _KINDS.pop(code, None)


def get(code: str) -> DocumentKind:
    try:
        return _KINDS[code]
    except KeyError:
        raise UnknownKind(code) from None


def all_kinds() -> list[DocumentKind]:
    return sorted(_KINDS.values(), key=lambda k: k.label)
