"""The code location is `impetus` in the UI whatever folder the repo was cloned into (dg names
it after the folder unless pyproject.toml says otherwise)."""

from __future__ import annotations

import shutil

from tests.conftest import REPO_ROOT


def test_dg_names_the_location_impetus_in_a_folder_of_another_name(tmp_path, monkeypatch):
    from dagster_dg_core.context import DgContext

    clone = tmp_path / "my-clone-of-the-warehouse"
    (clone / "pipelines" / "defs").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "pyproject.toml", clone / "pyproject.toml")
    monkeypatch.setenv("DG_CLI_SUPPRESS_WARNINGS", "1")
    context = DgContext.for_project_environment(clone, {})
    assert context.code_location_name == "impetus"
