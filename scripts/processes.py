"""Background processes of the sandbox: started in their own session, tracked by pid file."""

import os
import signal
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

STOP_TIMEOUT_S = 30.0


def start_background(
    command: Sequence[str], environment: dict[str, str], cwd: Path, log_file: Path, pid_file: Path
) -> int:
    """Start `command` detached from this terminal, logging to `log_file`; return its pid."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as log:
        process = subprocess.Popen(
            list(command),
            env=environment,
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    pid_file.write_text(str(process.pid))
    return process.pid


def read_pid(pid_file: Path) -> int | None:
    """Return the pid recorded in `pid_file` if that process is still alive."""
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
        return None
    return None if _is_finished(pid) else pid


def stop_background(pid_file: Path) -> bool:
    """SIGTERM the process group recorded in `pid_file`, SIGKILL it if it lingers.

    Returns False when nothing of ours was running.
    """
    pid = read_pid(pid_file)
    pid_file.unlink(missing_ok=True)
    if pid is None:
        return False

    os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while time.monotonic() < deadline:
        if _is_finished(pid):
            return True
        time.sleep(0.2)
    os.killpg(pid, signal.SIGKILL)
    return True


def _is_finished(pid: int) -> bool:
    """Tell whether `pid` has exited (reaping it when it is our own child)."""
    try:
        finished_pid, _ = os.waitpid(pid, os.WNOHANG)
        return finished_pid == pid
    except ChildProcessError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except (FileNotFoundError, IndexError):
        return True
    return state == "Z"
