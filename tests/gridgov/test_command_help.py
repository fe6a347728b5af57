"""Every GridGov management command explains itself with --help."""

import pytest
from django.core.management import ManagementUtility

COMMANDS = ["seed_demo", "import_grids", "export_grids", "compile_translations"]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_prints_usage(command, capsys):
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", command, "--help"]).execute()
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert f"usage: manage.py {command}" in out
    assert len(out.splitlines()) > 5
