"""The command line: every command is there, and asking for help stays light."""

import subprocess
import sys


def test_help_lists_every_command_and_imports_no_heavy_library(repo_root):
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from lima_curate.cli.main import app\n"
        "result = CliRunner().invoke(app, ['--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "for command in ('build', 'train', 'author', 'review', 'report', 'calibrate'):\n"
        "    assert command in result.output, command\n"
        "assert CliRunner().invoke(app, ['build', '--help']).exit_code == 0\n"
        "heavy = [m for m in ('torch', 'transformers', 'sentence_transformers', 'datasets', 'pandas', 'sklearn',\n"
        "                     'faiss', 'huggingface_hub')\n"
        "         if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=repo_root, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
