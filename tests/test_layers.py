"""The module map: every module imports only downward, and only the command line prints.

Imports inside functions (the lazy ones that keep start-up fast) count like any other.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

PACKAGE = REPO / "briefgen"

# Lowest first. A module may import modules of lower layers, and modules of its own
# package (briefgen.serve, briefgen.mail, briefgen.commands) as long as those imports
# form no cycle.
LAYERS: list[tuple[str, ...]] = [
    # foundations
    ("briefgen", "errors", "urls", "sentences", "quotes", "builtins", "chromerules", "words"),
    ("pool", "weasyimport", "collector", "storedtext", "listing"),
    # data, text and files
    (
        "model",
        "yamlsrc",
        "write",
        "lock",
        "markdown",
        "clipping",
        "project",
        "cache",
        "store",
        "quotehint",
    ),
    # what the model implies: the one numbering of sources
    ("numbering",),
    # an edition's judgments as data
    ("snapshot",),
    ("template_errors",),
    # readers of one kind of thing, and the theme
    ("fields", "frontmatter", "images", "index", "check", "lint", "theme", "sections", "webpage"),
    ("changes",),
    # stages
    ("load", "render", "pdf", "drafts", "search", "editions"),
    # the pipeline
    ("build",),
    # beside the pipeline
    ("importer", "mail", "serve", "publish"),
    # the command line
    ("commands",),
    ("cli",),
    ("__main__",),
]


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> int:
    short = module.removeprefix("briefgen.")
    top = short.split(".")[0] if module != "briefgen" else "briefgen"
    for rank, names in enumerate(LAYERS):
        if top in names:
            return rank
    raise AssertionError(f"{module} is in no layer of tests/test_layers.py; place it")


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "briefgen":
                found.update(f"briefgen.{alias.name}" for alias in node.names)
            elif node.module.startswith("briefgen."):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("briefgen"))
    # `from briefgen import __version__` names an attribute, not a module
    return {name if name != "briefgen.__version__" else "briefgen" for name in found}


def package_of(module: str) -> str | None:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 2 or (PACKAGE / parts[-1]).is_dir() else None


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports_of(p) for p in sorted(PACKAGE.rglob("*.py"))}


def goes_up(module: str, target: str) -> bool:
    if target == module:
        return False
    if package_of(target) is not None and package_of(target) == package_of(module):
        return False  # inside one package: see the cycle test
    return layer_of(target) >= layer_of(module)


def test_every_module_imports_only_downward() -> None:
    edges = graph()
    assert len(edges) > 30, "the walk found the package's modules"
    upward = [
        f"{module} imports {target}"
        for module, targets in edges.items()
        for target in sorted(targets)
        if goes_up(module, target)
    ]
    assert not upward, "\n".join(upward)


def test_imports_inside_a_package_form_no_cycle() -> None:
    edges = graph()
    state: dict[str, str] = {}

    def visit(module: str, trail: list[str]) -> None:
        state[module] = "open"
        for target in sorted(edges.get(module, ())):
            if target == module or package_of(target) != package_of(module):
                continue
            if state.get(target) == "open":
                raise AssertionError(" -> ".join([*trail, module, target]))
            if target not in state:
                visit(target, [*trail, module])
        state[module] = "done"

    for module in edges:
        if module not in state:
            visit(module, [])


def test_the_layer_check_catches_an_upward_import() -> None:
    """Alive: an import of the pipeline from the model would be reported."""
    assert goes_up("briefgen.model", "briefgen.build")
    assert goes_up("briefgen.load", "briefgen.render")
    assert not goes_up("briefgen.serve.preview", "briefgen.build")
    assert not goes_up("briefgen.serve.preview", "briefgen.serve.http")


def test_help_and_a_no_op_build_import_nothing_heavy(tmp_path: Path) -> None:
    """`briefgen --help` and a build with nothing to do stay fast to start."""
    heavy = ("weasyprint", "jinja2", "markdown_it", "yaml", "watchdog", "smtplib", "http.server")
    probe = (
        "import sys\n"
        "from briefgen.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(' '.join(m for m in {heavy!r} if m in sys.modules))\n"
    )

    def heavy_after(*args: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", probe, *args], capture_output=True, text=True, check=True
        )
        return done.stdout.splitlines()[-1].split() if done.stdout.strip() else []

    assert heavy_after("--help") == []
    fixture = REPO / "tests" / "fixtures" / "second-project"
    project = tmp_path / "p"
    subprocess.run(["cp", "-r", str(fixture), str(project)], check=True)
    assert "jinja2" in heavy_after("build", str(project), "--no-pdf"), "a real build renders"
    assert heavy_after("build", str(project), "--no-pdf") == []
