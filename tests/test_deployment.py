"""The production stack definition stays valid."""
import os
import shutil
import subprocess
from pathlib import Path

from tests.conftest import require_service

ROOT = Path(__file__).resolve().parent.parent


def test_the_compose_file_is_accepted_by_docker_compose():
    require_service(shutil.which("docker-compose") is not None, "docker-compose (Debian package)")
    result = subprocess.run(["docker-compose", "-f", "docker/compose.yaml", "config", "-q"], cwd=ROOT,
                            env={**os.environ, "SECRET_KEY": "x" * 48}, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_compose_file_runs_exactly_one_beat_and_a_worker():
    text = (ROOT / "docker/compose.yaml").read_text()
    assert text.count('"beat"') == 1 and '"worker"' in text
    assert "planner_platform.worker" in text
