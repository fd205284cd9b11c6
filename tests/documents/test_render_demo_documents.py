from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.documents.helpers import demo_document, demo_notice, pdf_text


@pytest.mark.usefixtures("eager")
def test_renders_every_registered_kinds_demo_into_the_folder(personas, tmp_path):
    # The demo already holds these two (seeded once per test database).
    demo_notice()
    demo_document(personas.julie)
    out = StringIO()
    call_command("render_demo_documents", str(tmp_path / "pdf"), stdout=out, stderr=StringIO())
    listed = [Path(line.split("  (")[0]) for line in out.getvalue().splitlines() if line.strip()]
    names = {p.name for p in listed}
    assert {"notice-donnees-patients.pdf", "engagement-confidentialite-julie.pdf"} <= names
    for path in listed:
        assert path.parent == tmp_path / "pdf"
        assert path.read_bytes().startswith(b"%PDF")
    text = pdf_text((tmp_path / "pdf" / "engagement-confidentialite-julie.pdf").read_bytes())
    assert "Julie Petit" in text and "Engagement de confidentialité" in text
