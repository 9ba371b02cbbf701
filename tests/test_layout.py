"""The package's layout: stages as folders, imports that flow one way, private stays private.

These tests read the source with :mod:`ast`; they fail on the first import that crosses a
boundary and name the module, the line and the rule.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import analytics as an

ROOT = Path(an.__file__).parent
STAGES = {
    "core": 0,  # analytics.errors, analytics.schema, analytics._shared
    "load": 1,
    "io": 2,
    "datasets": 2,
    "stats": 3,
    "text": 3,
    "review": 4,  # campaign triage: combines the stats and text analyses (review_queue)
    "viz": 5,
    "distributed": 5,  # the Dask wing: reads datasets, runs the stats, text and review functions
    "api": 6,  # analytics/__init__.py
    "cli": 7,  # the command wires the public API
}
"""Each stage may import its own modules and those of stages with a smaller number only."""


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _stage(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "api"
    if parts[1] in ("errors", "schema", "_shared"):
        return "core"
    return parts[1]


def _imports(module: str) -> list[tuple[int, str, list[str]]]:
    """``(line, imported module, names)`` of every ``analytics`` import, lazy ones included."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("analytics"):
            found.append((node.lineno, node.module or "", [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found += [
                (node.lineno, a.name, []) for a in node.names if a.name.startswith("analytics")
            ]
    return found


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _is_module(name: str) -> bool:
    return name in MODULES


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_flow_one_way(module):
    own = _stage(module)
    for line, target, names in _imports(module):
        targets = [f"{target}.{n}" if _is_module(f"{target}.{n}") else target for n in names]
        for imported in targets or [target]:
            stage = _stage(imported)
            allowed = stage == own or STAGES[stage] < STAGES[own]
            assert allowed, (
                f"{module}:{line} ({own}) imports {imported} ({stage}): against the flow"
            )


DASK_ROOTS = ("dask", "distributed")
"""Top-level packages of the ``dask`` extra: only ``analytics.distributed`` may import them."""


def _dask_imports(source: str) -> list[tuple[int, str]]:
    """``(line, module)`` of every import of Dask or distributed in ``source``: statements at
    any depth (lazy ones in functions too) and ``importlib.import_module``/``__import__`` of a
    literal name. Relative imports are the package's own modules, never these."""

    def is_dask(name: str) -> bool:
        return name.partition(".")[0] in DASK_ROOTS

    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and is_dask(node.module or ""):
            found.append((node.lineno, node.module or ""))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if is_dask(a.name)]
        elif isinstance(node, ast.Call) and node.args:
            fn = node.func
            name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
            first = node.args[0]
            literal = isinstance(first, ast.Constant) and isinstance(first.value, str)
            if name in ("import_module", "__import__") and literal and is_dask(first.value):
                found.append((node.lineno, first.value))
    return found


@pytest.mark.parametrize("module", sorted(MODULES))
def test_only_the_distributed_wing_imports_dask(module):
    """``import analytics`` must not need the ``dask`` extra: Dask stays in its wing."""
    if module == "analytics.distributed" or module.startswith("analytics.distributed."):
        return
    found = _dask_imports(MODULES[module].read_text(encoding="utf-8"))
    assert not found, (
        f"{module}:{found[0][0]} imports {found[0][1]}: only analytics.distributed may import "
        "Dask; reach it through analytics._shared.dask_aware or a lazy import of "
        "analytics.distributed"
    )


@pytest.mark.parametrize(
    "planted",
    [
        "import dask",
        "import dask.dataframe as dd",
        "from distributed import Client",
        "def f():\n    from dask.base import compute\n    return compute",
        "import importlib\nimportlib.import_module('distributed')",
        "x = __import__('dask.dataframe')",
    ],
)
def test_the_dask_rule_sees_a_planted_import(planted):
    assert _dask_imports(planted)


def test_the_dask_rule_lets_the_wing_be_reached():
    allowed = (
        "import importlib\nimportlib.import_module('analytics.distributed')\n"
        "from analytics.distributed import to_dask\nfrom . import distributed\n"
        "import analytics.distributed\nfrom .distributed import frames\n"
    )
    assert _dask_imports(allowed) == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_private_names_from_other_modules(module):
    for line, target, names in _imports(module):
        private = [n for n in names if _is_private(n)]
        shared = any(_is_private(part) for part in target.split("."))
        assert shared or not private, f"{module}:{line} imports {private} from {target}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_private_modules_serve_their_own_package(module):
    """``analytics._shared`` serves every stage; ``analytics.datasets._calls`` only datasets."""
    for line, target, names in _imports(module):
        for imported in [f"{target}.{n}" for n in names] + [target]:
            parts = imported.split(".")
            private = [i for i, p in enumerate(parts) if _is_private(p) and _is_module(imported)]
            if not private:
                continue
            package = ".".join(parts[: private[0]])
            assert module.startswith(package), f"{module}:{line} reaches into {imported}"


def test_at_most_eight_top_level_modules():
    top = sorted(p.name for p in ROOT.glob("*.py"))
    assert len(top) <= 8, top


def test_stages_are_folders():
    folders = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    assert {"io", "load", "stats", "text", "viz", "datasets"} <= folders


@pytest.mark.parametrize("init", sorted(ROOT.glob("*/__init__.py")), ids=lambda p: p.parent.name)
def test_package_inits_hold_only_imports(init):
    body = ast.parse(init.read_text(encoding="utf-8")).body
    for node in body:
        is_doc = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        is_all = isinstance(node, ast.Assign) and [t.id for t in node.targets] == ["__all__"]
        assert is_doc or is_all or isinstance(node, (ast.Import, ast.ImportFrom)), (
            f"{init}: line {node.lineno} is code; put it in a named module"
        )


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_public_name_resolves(module):
    imported = importlib.import_module(module)
    missing = [n for n in getattr(imported, "__all__", []) if not hasattr(imported, n)]
    assert not missing, f"{module}.__all__ names {missing}, which it does not define"


CONTRACT = [
    "load_run",
    "Run",
    "UnpodClient",
    "fetch_run",
    "duration_summary",
    "outcome_rates",
    "compare_groups",
    "connection_rates",
    "call_volume",
    "quality_checks",
    "conversation_features",
    "keyword_features",
    "call_table",
    "ConversationFeatures",
    "KeywordCounts",
    "SpeakerText",
    "build_report",
    "AnalyticsError",
    "SchemaError",
    "ApiError",
]


def test_public_api_is_where_users_find_it():
    assert set(CONTRACT) <= set(an.__all__)
    for name in ("make_run", "load_sample", "write_sample"):
        assert callable(getattr(an.datasets, name))
    plots = [n for n in dir(an.plots) if n.startswith("plot_")]
    assert len(plots) == 12
    assert an.schema.TURNS_SCHEMA["turn"] == "Int64"
