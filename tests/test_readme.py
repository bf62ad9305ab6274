"""The README's two commands stay true."""

from __future__ import annotations

import re

from inspect_app.config import PROJECT_ROOT, Config

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def _commands() -> list[str]:
    return re.findall(r"```sh\n(python3 -m venv[^\n]+)\n```", README)


def test_readme_gives_the_run_and_test_commands():
    run, test = _commands()
    assert "flask --app wsgi demo" in run and "--port 5000" in run
    assert "pytest" in test


def test_ci_runs_the_readmes_test_command_word_for_word():
    ci = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test = _commands()[1]
    assert f'TEST_COMMAND="{test}"' in ci


def test_readme_documents_every_setting():

    settings = [k for k in dir(Config) if k.isupper() and k not in {"TESTING"}]
    missing = [k for k in settings if f"INSPECT_{k}" not in README]
    assert missing == []
