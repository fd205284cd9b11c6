"""The house rules of the imports (README, "Imports flow one way"), read from
the source with `ast`: nothing is imported, so a lazy import inside a
function counts like one at the top of the module.

- A pure rule module imports no Django model and nothing of `django.db`,
  neither directly nor through another module of the project it imports.
  The pure modules are found by pattern, so that a new rules module is
  covered from its first commit.
- `cabinet` imports nothing of `billing` but the pure NGAP catalogue
  (`billing.ngap`), and nothing of `replacements` or `cooperation`.
- `core` imports none of the apps; `documents` imports none but `core`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("core", "documents", "cabinet", "billing", "replacements", "cooperation")

# Pure rule modules: the domain rules, without the ORM (like billing/ngap/).
# Glob patterns from the project root (`*` stays within a folder).
PURE_PATTERNS = (
    "billing/ngap/**/*.py",
    "billing/audit/**/*.py",
    "cabinet/routing/**/*.py",
    "cabinet/recurrence.py",
    "*/*rules*.py",  # cabinet/ald_rules.py, replacements/rules.py, …
    "*/rules/**/*.py",
    "*/retrocession*.py",
    "*/retrocession/**/*.py",
    "*/eligibility*.py",
)
# Named in the house rules: the patterns must keep finding them.
KNOWN_PURE = (
    "billing/ngap/engine.py",
    "cabinet/ald_rules.py",
    "cabinet/recurrence.py",
    "cabinet/routing/solver.py",
    "cooperation/eligibility.py",
)

# What a pure module may not reach: the ORM and what loads models.
ORM_PREFIXES = ("django.db", "django.contrib", "django.apps")

# app -> (forbidden top-level packages, allowed exceptions by prefix)
DIRECTION = {
    "cabinet": ({"billing", "replacements", "cooperation"}, ("billing.ngap",)),
    "core": ({"documents", "cabinet", "billing", "replacements", "cooperation"}, ()),
    "documents": ({"cabinet", "billing", "replacements", "cooperation"}, ()),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, module: str, *, is_package: bool = False) -> set[str]:
    """Every module the source imports, as absolute dotted names; for
    `from x import y`, both `x` and `x.y` (y may be a module)."""
    package = module if is_package else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            if node.module or not node.level:
                names.add(prefix)
            names.update(f"{prefix}.{alias.name}" for alias in node.names if alias.name != "*")
    return {name for name in names if name}


def _file_of(module: str) -> Path | None:
    """The project file of a dotted module name, None outside the project."""
    if module.split(".")[0] not in APPS:
        return None
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports_of(path: Path) -> set[str]:
    return imported_modules(path.read_text(encoding="utf-8"), _module_name(path),
                            is_package=path.name == "__init__.py")


def _reaches_orm(module: str) -> bool:
    parts = module.split(".")
    return module.startswith(ORM_PREFIXES) or "models" in parts


def _app_files(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def pure_modules() -> list[Path]:
    found = {
        path
        for pattern in PURE_PATTERNS
        for path in ROOT.glob(pattern)
        if path.relative_to(ROOT).parts[0] in APPS and "migrations" not in path.parts
    }
    return sorted(found)


def _orm_chain(path: Path) -> list[str] | None:
    """The chain of project imports from `path` to a module that reaches the
    ORM, None if there is none (packages run their __init__ too)."""
    start = _module_name(path)
    seen = {start}
    queue: list[tuple[Path, list[str]]] = [(path, [start])]
    while queue:
        current, chain = queue.pop(0)
        for module in sorted(_imports_of(current)):
            if _reaches_orm(module):
                return [*chain, module]
            parts = module.split(".")
            for depth in range(1, len(parts) + 1):
                name = ".".join(parts[:depth])
                target = _file_of(name)
                if target is not None and name not in seen:
                    seen.add(name)
                    queue.append((target, [*chain, name]))
    return None


def test_the_checker_reads_relative_and_lazy_imports():
    source = (
        "from . import rules\nfrom ..models import Visit\nimport django.db.models\n"
        "def later():\n    from billing.services import price\n"
    )
    names = imported_modules(source, "cabinet.routing.solver")
    assert {"cabinet.routing.rules", "cabinet.models", "django.db.models",
            "billing.services"} <= names
    assert _reaches_orm("cabinet.models") and _reaches_orm("django.db.transaction")
    assert not _reaches_orm("billing.ngap.engine")


def test_the_patterns_find_the_pure_modules_named_in_the_house_rules():
    found = {path.relative_to(ROOT).as_posix() for path in pure_modules()}
    assert set(KNOWN_PURE) <= found


@pytest.mark.parametrize("path", pure_modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_a_pure_rule_module_reaches_no_django_model(path):
    chain = _orm_chain(path)
    assert chain is None, " → ".join(chain)


@pytest.mark.parametrize("app", sorted(DIRECTION))
def test_imports_flow_one_way(app):
    forbidden, allowed = DIRECTION[app]
    offenders = sorted(
        f"{path.relative_to(ROOT).as_posix()}: {module}"
        for path in _app_files(app)
        for module in _imports_of(path)
        if module.split(".")[0] in forbidden
        and not any(module == a or module.startswith(a + ".") for a in allowed)
    )
    assert not offenders, "\n".join(offenders)
