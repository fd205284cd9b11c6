"""S-DEPLOY-1: the production settings pass Django's deployment checks, and
refuse to start without what they need from the environment."""

import json
import os
import subprocess
import sys

from django.conf import settings

PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "a-production-secret-key-of-fifty-characters-or-more-1234567890",
    "DJANGO_ALLOWED_HOSTS": "cabinet.example.org",
}


def _manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env={**clean, **env},
        capture_output=True, text=True, timeout=120,
    )


def test_s_deploy_1_production_settings_pass_the_deployment_checks():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_s_deploy_1_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SECRET_KEY"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_the_image_collects_static_files_with_whitenoise_manifest(tmp_path):
    """The Dockerfile's own collectstatic line, run as the build runs it, writes
    whitenoise's manifest: without it every page of the image answers 500
    (debug off: « Missing staticfiles manifest entry »)."""
    from bench.prodserver import collect_static_like_the_image

    collect_static_like_the_image(tmp_path, log=lambda _msg: None)
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())
    assert "css/app.css" in manifest["paths"]


def test_a_recipe_collecting_with_debug_on_writes_no_manifest(tmp_path):
    """The recipe the image had (collectstatic with DJANGO_DEBUG=true) is the
    one the smoke check must catch: no manifest is written."""
    from bench.prodserver import collect_static_like_the_image, dockerfile_collectstatic_command

    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM python:3.11-slim\nRUN DJANGO_DEBUG=true python manage.py collectstatic --noinput\n")
    assert dockerfile_collectstatic_command(dockerfile).startswith("DJANGO_DEBUG=true")
    collect_static_like_the_image(tmp_path / "static", dockerfile=dockerfile, log=lambda _msg: None)
    assert (tmp_path / "static" / "css" / "app.css").is_file()
    assert not (tmp_path / "static" / "staticfiles.json").exists()
