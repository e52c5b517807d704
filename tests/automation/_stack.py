"""Start dagster-webserver and dagster-daemon on loopback, on a temporary instance and
warehouse; talk to them through GraphQL. Bounded waits everywhere; stop() kills both."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from .conftest import REPO_ROOT, VENV_BIN, operations_env

CODE_MODULE = os.environ.get("IMPETUS_TEST_CODE_MODULE", "pipelines.definitions")

LOCATION_QUERY = """
{ workspaceOrError { __typename ... on Workspace { locationEntries {
    name loadStatus
    locationOrLoadError { __typename ... on PythonError { message } }
} } } }
"""

ASSETS_QUERY = """
{ assetNodes {
    assetKey { path }
    internalFreshnessPolicy { __typename }
    freshnessStatusInfo { freshnessStatus }
    assetMaterializations(limit: 1) { timestamp runId }
    assetChecksOrError { __typename ... on AssetChecks { checks {
        name
        executionForLatestMaterialization { status }
    } } }
} }
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Stack:
    home: Path
    port: int = field(default_factory=free_port)
    processes: list[subprocess.Popen] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, **extra_env: str) -> None:
        self.env = {**operations_env(self.home), **extra_env}
        (self.home / "workspace.yaml").write_text(
            "load_from:\n"
            "  - python_module:\n"
            f"      module_name: {CODE_MODULE}\n"
            f"      working_directory: {REPO_ROOT}\n"
            "      location_name: impetus\n",
            encoding="utf-8",
        )
        # Create the instance's storage once, before two processes race to create it.
        subprocess.run(
            [sys.executable, "-c", "import dagster as dg; dg.DagsterInstance.get().dispose()"],
            cwd=self.home,
            env=self.env,
            check=True,
            timeout=60,
        )
        # The UI's one-time "join the community" dialog: seen (it would cover the screenshot).
        (self.home / ".nux").mkdir(exist_ok=True)
        (self.home / ".nux" / "nux.yaml").write_text("seen: 1\n", encoding="utf-8")
        log = (self.home / "stack.log").open("ab")
        for command in (
            [str(VENV_BIN / "dagster-webserver"), "-h", "127.0.0.1", "-p", str(self.port)],
            [str(VENV_BIN / "dagster-daemon"), "run"],
        ):
            self.processes.append(
                subprocess.Popen(
                    [*command, "-w", "workspace.yaml"],
                    cwd=self.home,
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        deadline = time.time() + 15
        for process in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait(timeout=5)
        # Code servers the webserver and daemon started are in their process groups.
        for process in self.processes:
            try:
                os.killpg(process.pid, 9)
            except (ProcessLookupError, PermissionError):
                pass

    def log_tail(self, chars: int = 4000) -> str:
        path = self.home / "stack.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def graphql(self, query: str, variables: dict | None = None, timeout: float = 30) -> dict:
        request = urllib.request.Request(
            f"{self.url}/graphql",
            data=json.dumps({"query": query, "variables": variables or {}}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            payload = json.loads(response.read())
        if payload.get("errors"):
            raise RuntimeError(payload["errors"])
        return payload["data"]

    def wait_for(self, what: str, probe, timeout: float, interval: float = 1.0):
        """Call probe() until it returns something truthy; fail after timeout seconds."""
        deadline = time.time() + timeout
        last: object = None
        while time.time() < deadline:
            for process in self.processes:
                if process.poll() is not None:
                    raise RuntimeError(f"{process.args[0]} exited:\n{self.log_tail()}")
            try:
                last = probe()
                if last:
                    return last
            except (urllib.error.URLError, ConnectionError, TimeoutError, RuntimeError) as error:
                last = error
            time.sleep(interval)
        raise TimeoutError(f"{what}: not after {timeout} s (last: {last!r})\n{self.log_tail()}")

    def location_loaded(self) -> dict | None:
        data = self.graphql(LOCATION_QUERY)["workspaceOrError"]
        entries = data.get("locationEntries") or []
        if entries and all(entry["loadStatus"] == "LOADED" for entry in entries):
            return entries[0]
        return None

    def assets(self) -> dict[str, dict]:
        nodes = self.graphql(ASSETS_QUERY, timeout=60)["assetNodes"]
        return {"/".join(node["assetKey"]["path"]): node for node in nodes}

    def run_job(self, job: str) -> subprocess.CompletedProcess:
        """Run a job the way `impetus materialize` does, recorded in this instance."""
        return subprocess.run(
            [sys.executable, str(Path(__file__).with_name("_run_job.py")), job, "in_process"],
            cwd=self.home,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
        )
