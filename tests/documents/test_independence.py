"""The pipeline knows none of the apps whose documents it renders: they
register their kinds with it, never the other way round."""

import ast
from pathlib import Path

import documents

APPS_ABOVE = {"cabinet", "billing", "replacements", "cooperation"}


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_the_documents_app_imports_none_of_the_apps_it_serves():
    root = Path(documents.__file__).parent
    offenders = {
        f"{path.relative_to(root)}: {module}"
        for path in root.rglob("*.py")
        for module in _imported_modules(path)
        if module.split(".")[0] in APPS_ABOVE
    }
    assert not offenders


def test_the_documents_templates_name_no_other_app():
    root = Path(documents.__file__).parent / "templates"
    for path in root.rglob("*.html"):
        text = path.read_text()
        for app in APPS_ABOVE:
            assert f"'{app}:" not in text and f'"{app}:' not in text, (path, app)
            assert f"{app}/" not in text, (path, app)
