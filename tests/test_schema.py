"""The JSON Schemas shipped for editors agree with the loader on every example and fixture."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from briefgen import load as loader
from briefgen.builtins import starter_dir
from briefgen.frontmatter import split_front_matter
from briefgen.load import load
from briefgen.project import find_project
from briefgen.words import PHRASES
from tests.conftest import FIXTURES, REPO

SCHEMAS = REPO / "briefgen" / "schemas"
PROJECTS = [
    REPO,
    *sorted(p for p in FIXTURES.iterdir() if (p / "content").is_dir()),
    starter_dir(),
]


def schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS / f"{name}.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(loaded)
    return loaded


def as_json(value: object) -> object:
    """A YAML value as an editor's YAML language server hands it to the schema."""
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def content_files(root: Path) -> Iterator[tuple[str, Path, object]]:
    """(schema name, file, its data) for every content file of the project at root."""
    project = find_project(root)
    yield "briefing", project.settings_file, yaml.safe_load(project.settings_file.read_text())
    for path in loader.source_files(project.issues, loader.ISSUE_SUFFIXES):
        yield "issue", path, yaml.safe_load(path.read_text("utf-8"))
    if project.watch_file.is_file():
        yield "watch", project.watch_file, yaml.safe_load(project.watch_file.read_text("utf-8"))
    for path in loader.source_files(project.articles, loader.ARTICLE_SUFFIXES):
        front, _ = split_front_matter(path.read_text("utf-8"), path, [])
        if front is not None:
            yield "article", path, yaml.safe_load(front) or {}


@pytest.mark.parametrize("root", PROJECTS, ids=lambda p: p.name)
def test_every_content_file_that_loads_is_valid_under_its_schema(
    root: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "project"  # loading keeps a cache in the project folder
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("site", ".briefgen-cache", ".git"))
    root = copy
    assert load(find_project(root)).diagnostics == ()
    checked = 0
    for name, path, data in content_files(root):
        errors = list(jsonschema.Draft202012Validator(schema(name)).iter_errors(as_json(data)))
        assert errors == [], f"{path}: {errors[0].message}"
        checked += 1
    assert checked >= 3


def test_the_schemas_know_exactly_the_keys_the_loader_knows() -> None:
    assert list(schema("briefing")["properties"]) == list(loader.SETTINGS_KEYS)
    assert list(schema("issue")["properties"]) == list(loader.ISSUE_KEYS)
    assert list(schema("article")["properties"]) == list(loader.ARTICLE_KEYS)
    assert schema("briefing")["properties"]["words"]["propertyNames"]["enum"] == list(PHRASES)
    item = schema("watch")["properties"]["items"]["items"]
    assert list(item["properties"]) == list(loader.WATCH_KEYS)


BROKEN = [
    ("issue", "content/issues/talks.yaml", "title: T\nbotom_line: x\n"),
    ("issue", "content/issues/talks.yaml", "title: T\nbottom_line: x\nstatus: hot\n"),
    ("issue", "content/issues/talks.yaml", "title: T\nbottom_line: x\norder: first\n"),
    (
        "issue",
        "content/issues/talks.yaml",
        "title: T\nbottom_line: x\nkey_points:\n  - text: a\n    likelihood: probable\n",
    ),
    (
        "issue",
        "content/issues/talks.yaml",
        "title: T\nbottom_line: x\ntimeline:\n  - event: undated\n",
    ),
    (
        "issue",
        "content/issues/talks.yaml",
        "title: T\nbottom_line: x\nkey_points:\n  - text: a\n    sources: [{quote: q}]\n",
    ),
    ("watch", "content/watch.yaml", "items:\n  - title: Ports\n"),
    ("issue", "content/issues/talks.yaml", "title: T\nbottom_line: x\ndraft: maybe\n"),
    ("watch", "content/watch.yaml", "items:\n  - title: Ports\n    issue: talks\n    by: soon\n"),
    ("briefing", "content/briefing.yaml", "title: T\npdf: {page_size: A5}\n"),
    ("briefing", "content/briefing.yaml", "subtitle: no title\n"),
    ("briefing", "content/briefing.yaml", "title: T\nbase_url: example.org\n"),
    ("briefing", "content/briefing.yaml", "title: T\nwords: {Bottom lin: Kurz}\n"),
    ("article", "content/articles/alpha.md", "---\ntitle: A\nurl: ftp://x.org/a\n---\nText.\n"),
    ("article", "content/articles/alpha.md", "---\ntitle: A\npublished: soon\n---\nText.\n"),
    ("article", "content/articles/alpha.md", "---\ntitle: A\nid: a b\n---\nText.\n"),
]


@pytest.mark.parametrize(("name", "file", "text"), BROKEN)
def test_what_the_loader_refuses_the_schema_refuses(
    name: str,
    file: str,
    text: str,
    project: Callable[..., Path],
) -> None:
    root = project({file: text})
    assert load(find_project(root)).diagnostics != ()
    if name == "article":
        text = split_front_matter(text, Path(file), [])[0] or ""
    data = as_json(yaml.safe_load(text))
    assert not jsonschema.Draft202012Validator(schema(name)).is_valid(data)
