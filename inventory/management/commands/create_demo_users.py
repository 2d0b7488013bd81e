"""Create the demo users dpo / auditor / sales, one per role (demo only)."""

from typing import Any

from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.core.management.base import BaseCommand, CommandError

from inventory.roles import AUDITOR, DPO, SALES

DEMO_USERS = {"dpo": DPO, "auditor": AUDITOR, "sales": SALES}


class Command(BaseCommand):
    help = (
        "Create demo users dpo, auditor and sales (password = 'kb-demo-<name>-2026')."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings

        if not settings.DEBUG:
            raise CommandError("Demo users are for DEBUG=True only.")
        for username, group_name in DEMO_USERS.items():
            user, _ = User.objects.get_or_create(username=username)
            user.is_staff = True
            password = demo_password(username)
            validate_password(password, user)  # the same rules as everyone's
            user.set_password(password)
            user.save()
            user.groups.set([Group.objects.get(name=group_name)])
            self.stdout.write(f"  {username:<8} password {password}  ({group_name})")
        self.stdout.write("Demo users ready at http://127.0.0.1:8000/admin/")


def demo_password(username: str) -> str:
    """Long enough and unlike the username for the password validators."""
    return f"kb-demo-{username}-2026"
