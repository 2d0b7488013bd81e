"""Real mail servers for the intake tests, on 127.0.0.1 and a free port each:
Debian's Dovecot (IMAP) with a throwaway configuration, run as an
unprivileged user, and aiosmtpd (SMTP) collecting what is sent. Both are
stopped by the fixture. Tests skip where Dovecot is not installed, except in
CI (CI=true), where ``.ci/run`` installs it and its absence is a failure."""

from __future__ import annotations

import grp
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from dsr.intake import Mailbox

DOVECOT = "/usr/sbin/dovecot"
NO_DOVECOT = not os.path.exists(DOVECOT) and os.environ.get("CI") != "true"
needs_dovecot = pytest.mark.skipif(
    NO_DOVECOT, reason="needs Debian's dovecot-imapd (apt-get install)"
)

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
instance_name = kbinventory-test-{port}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                if s.recv(100).startswith(b"* OK"):
                    return
        except OSError:
            time.sleep(0.2)
    text = log.read_text() if log.exists() else ""
    raise RuntimeError(f"Dovecot did not start on port {port}: {text}")


def unprivileged_user() -> tuple[str, str]:
    """Root runs Dovecot as the package's ``dovecot`` user; anyone else as
    themselves."""
    uid = os.geteuid()
    entry = pwd.getpwnam("dovecot") if uid == 0 else pwd.getpwuid(uid)
    return entry.pw_name, grp.getgrgid(entry.pw_gid).gr_name


@pytest.fixture
def dovecot() -> Iterator[Mailbox]:
    """A Dovecot IMAP server with one mailbox, ``privacy``."""
    root = Path(tempfile.mkdtemp(prefix="kbinventory-dovecot-"))
    port = free_port()
    user, group = unprivileged_user()
    password = secrets.token_hex(8)
    (root / "dovecot.conf").write_text(
        CONFIG.format(root=root, port=port, user=user, group=group)
    )
    (root / "users").write_text(f"privacy:{{PLAIN}}{password}\n")
    for sub in ("run", "state", "mail"):
        (root / sub).mkdir()
    as_root = os.geteuid() == 0
    if as_root:
        for path in [root, *root.rglob("*")]:
            shutil.chown(path, user, group)
    log = root / "dovecot.log"
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
        user=user if as_root else None,
        group=group if as_root else None,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port, process, log)
        yield Mailbox("127.0.0.1", port, "privacy", password, False, "INBOX")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)


class Collector:
    """aiosmtpd handler keeping every message it is given."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], object]] = []

    async def handle_DATA(self, server: object, session: object, envelope) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted"

    def messages(self) -> list:
        return [m for _, m in self.received]


@pytest.fixture
def smtp_server(settings) -> Iterator[Collector]:
    """An SMTP server on 127.0.0.1; Django's SMTP backend points at it."""
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    try:
        yield collector
    finally:
        controller.stop()
