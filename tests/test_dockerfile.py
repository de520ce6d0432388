"""The Dockerfile installs what the README says, and what publishing needs."""

from __future__ import annotations

import re
import shlex
import tomllib

from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
DOCKERFILE = (REPO / "Dockerfile").read_text(encoding="utf-8")


def apt_packages(command: str) -> list[str]:
    """The packages of the first `apt-get install` in a shell command."""
    words = shlex.split(command.split("apt-get install", 1)[1].split("&&", 1)[0])
    return [w for w in words if not w.startswith("-") and w != "\\"]


def readme_install_command() -> str:
    section = README.split("## Two commands", 1)[1]
    return re.search(r"```sh\n(.*?)\n```", section, re.S).group(1)  # type: ignore[union-attr]


def docker_runs() -> list[str]:
    joined = DOCKERFILE.replace("\\\n", " ")
    return [line[4:] for line in joined.splitlines() if line.startswith("RUN ")]


def test_the_apt_step_is_the_readmes() -> None:
    readme = readme_install_command()
    first_apt = next(run for run in docker_runs() if "apt-get install" in run)
    assert apt_packages(first_apt) == apt_packages(readme)
    # Word for word, up to the end of the package list.
    head = readme.split(" && pip install", 1)[0]
    assert first_apt.startswith(head)


def test_the_project_and_its_data_are_installed() -> None:
    runs = docker_runs()
    assert any(re.search(r"pip install .*'\.\[s3\]'", run) for run in runs)
    assert "pip install -e ." in readme_install_command()
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    folders = {"briefgen", *pyproject["tool"]["setuptools"]["package-dir"].values()}
    copied = {line.split()[1] for line in DOCKERFILE.splitlines() if line.startswith("COPY ")}
    assert folders <= copied
    assert "pyproject.toml" in copied


def test_the_programs_publish_runs_are_installed() -> None:
    packages = {p for run in docker_runs() if "apt-get install" in run for p in apt_packages(run)}
    assert {"git", "rsync", "openssh-client"} <= packages
    assert 'ENTRYPOINT ["briefgen"]' in DOCKERFILE


def test_ci_runs_the_readmes_test_command_word_for_word() -> None:
    section = README.split("Install the test dependencies and run the tests:", 1)[1]
    command = re.search(r"```sh\n(.*?)\n```", section, re.S).group(1)  # type: ignore[union-attr]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert command in ci
    # What the publish tests start: sshd (openssh-server) and rsync.
    assert {"openssh-server", "rsync"} <= set(apt_packages(command))
