"""briefgen installed as a wheel, installed editable, or run from a checkout on PYTHONPATH.

The repository's top-level templates/ and themes/ are the built-in templates and themes:
a wheel carries them inside the package, the other two read them where they are. Wheels
and editable installs are made from a copy of the checkout, so that no build leaves
build/ or egg-info folders in the repository while other tests run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from briefgen import builtins
from briefgen.build import prepare
from briefgen.project import find_project

from .conftest import FIXTURES, REPO, Result

PIP = ("-m", "pip", "--disable-pip-version-check", "-q")


def _environment(python_path: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    if python_path is not None:
        env["PYTHONPATH"] = os.fspath(python_path)
    return env


def _run(*args: str | os.PathLike[str], cwd: Path, python_path: Path | None = None) -> str:
    done = subprocess.run(
        [os.fspath(a) for a in args],
        cwd=cwd,
        env=_environment(python_path),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, f"{args}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _venv(path: Path) -> Path:
    """A virtual environment that takes briefgen's dependencies from this Python's site."""
    _run(sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", path, cwd=REPO)
    return path / "bin" / "python"


def _where(python: Path, cwd: Path, python_path: Path | None = None) -> list[str]:
    """The real path of briefgen's builtins.py, its templates and its themes, as python
    finds them."""
    code = (
        "import os, briefgen.builtins as b; "
        "print(os.path.realpath(b.__file__), b.templates_dir(), b.themes_dir(), sep='\\n')"
    )
    return _run(python, "-P", "-c", code, cwd=cwd, python_path=python_path).splitlines()


def _content_only_project(root: Path) -> Path:
    shutil.copytree(FIXTURES / "pdf-project" / "content", root / "content")
    return root


@pytest.fixture(scope="session")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the checkout as git sees it: tracked and new files, none it ignores."""
    git = ["git", "-C", os.fspath(REPO), "ls-files", "-z", "--cached", "--others"]
    listed = subprocess.run([*git, "--exclude-standard"], capture_output=True, check=True)
    copy = tmp_path_factory.mktemp("checkout") / "briefgen-src"
    for rel in filter(None, listed.stdout.decode().split("\0")):
        source = REPO / rel
        if source.is_file():  # not a file deleted in the work tree
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / rel)
    return copy


@pytest.fixture(scope="session")
def wheel(checkout: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    options = ("--no-deps", "--no-build-isolation", "--no-index", "--wheel-dir", out)
    _run(sys.executable, *PIP, "wheel", *options, checkout, cwd=out)
    (built,) = out.glob("briefgen-*.whl")
    return built


@pytest.fixture(scope="session")
def wheel_python(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of a fresh environment where the wheel is installed."""
    python = _venv(tmp_path_factory.mktemp("venv") / "wheel")
    # --ignore-installed: the editable briefgen of the outer site must not count as installed.
    options = ("--no-deps", "--no-index", "--ignore-installed")
    _run(python, *PIP, "install", *options, wheel, cwd=wheel.parent)
    return python


def test_pyproject_lists_every_package() -> None:
    settings = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(settings["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "briefgen").rglob("__init__.py")
    }
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"


def test_the_wheel_carries_the_builtins_and_every_module(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder, packaged in (
        ("templates", "briefgen/_builtin_templates"),
        ("themes", "briefgen/_builtin_themes"),
        ("briefgen/starter", "briefgen/starter"),
        ("briefgen/schemas", "briefgen/schemas"),
    ):
        files = [p.relative_to(REPO / folder).as_posix() for p in (REPO / folder).rglob("*")]
        for rel in files:
            if (REPO / folder / rel).is_file():
                assert f"{packaged}/{rel}" in names
    modules = [p.relative_to(REPO).as_posix() for p in (REPO / "briefgen").rglob("*.py")]
    missing = [m for m in modules if m not in names]
    assert not missing, f"add their packages to [tool.setuptools] packages: {missing}"
    top = {n.split("/")[0] for n in names}
    assert {t for t in top if not t.endswith(".dist-info")} == {"briefgen"}  # nothing else


def test_a_wheel_install_builds_a_project_of_only_content(
    wheel_python: Path, tmp_path: Path
) -> None:
    venv = wheel_python.parent.parent.resolve()
    assert all(Path(p).is_relative_to(venv) for p in _where(wheel_python, tmp_path))

    root = _content_only_project(tmp_path / "project")
    _run(wheel_python.parent / "briefgen", "build", root, cwd=tmp_path)
    site = root / "site"
    assert (site / "index.html").is_file()
    assert (site / "issues" / "geneva" / "index.html").is_file()
    assert (site / "cafe.pdf").read_bytes().startswith(b"%PDF")
    style = (REPO / "themes" / "default" / "static" / "style.css").read_bytes()
    assert (site / "assets" / "style.css").read_bytes() == style


def test_a_checkout_on_pythonpath_runs_from_any_folder(wheel_python: Path, tmp_path: Path) -> None:
    # The environment also holds the wheel: the checkout named by PYTHONPATH comes first.
    # It is named through a symbolic link, and the built-ins are still the real folders.
    link = tmp_path / "link-to-checkout"
    link.symlink_to(REPO, target_is_directory=True)
    assert _where(wheel_python, tmp_path, python_path=link) == [
        os.fspath(REPO / "briefgen" / "builtins.py"),
        os.fspath(REPO / "templates"),
        os.fspath(REPO / "themes"),
    ]
    version = _run(wheel_python, "-m", "briefgen", "--version", cwd=tmp_path, python_path=REPO)
    assert "0.1.0" in version

    root = _content_only_project(tmp_path / "project")
    _run(wheel_python, "-m", "briefgen", "build", root, cwd=tmp_path, python_path=REPO)
    assert (root / "site" / "index.html").is_file()
    assert (root / "site" / "cafe.pdf").read_bytes().startswith(b"%PDF")


def test_an_editable_install_reads_the_checkouts_folders(checkout: Path, tmp_path: Path) -> None:
    # This test run's own briefgen is the one CI installs editable from the repository.
    assert builtins.templates_dir() == REPO / "templates"
    assert builtins.themes_dir() == REPO / "themes"
    python = _venv(tmp_path / "venv")
    options = ("--no-deps", "--no-index", "--no-build-isolation", "--ignore-installed")
    _run(python, *PIP, "install", *options, "--editable", checkout, cwd=tmp_path)
    real = checkout.resolve()
    assert _where(python, tmp_path) == [
        os.fspath(real / "briefgen" / "builtins.py"),
        os.fspath(real / "templates"),
        os.fspath(real / "themes"),
    ]


def test_the_example_build_reads_the_repository_templates_once() -> None:
    theme = prepare(REPO).theme
    assert theme.template_dirs == (REPO / "templates",)
    assert theme.static_dirs == (REPO / "themes" / "default" / "static",)
    assert theme.print_stylesheets == (REPO / "themes" / "default" / "print" / "print.css",)
    inputs = find_project(REPO).input_paths()
    assert len(inputs) == len(set(inputs))
    assert REPO / "templates" in inputs


def test_a_projects_own_base_template_and_stylesheet_override_the_builtins(
    project: Callable[..., Path], run: Callable[..., Result]
) -> None:
    base = (REPO / "templates" / "base.html").read_text(encoding="utf-8")
    assert "<body" in base
    root = project(
        {
            "templates/base.html": base.replace("<body", "<!-- project base -->\n<body", 1),
            "themes/default/static/style.css": "body { color: teal; }\n",
        }
    )
    assert run("build", root, "--no-pdf").code == 0
    for page in ("index.html", "articles/alpha/index.html", "404.html"):
        assert "<!-- project base -->" in (root / "site" / page).read_text(encoding="utf-8")
    assert (root / "site" / "assets" / "style.css").read_text() == "body { color: teal; }\n"
    assert prepare(root).theme.template_dirs == (root / "templates", REPO / "templates")
