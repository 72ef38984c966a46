"""Create (or reset) the demo accounts and print their one-time passwords.

No password is ever written in the repository: each run makes new random ones.
"""

import secrets

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand

from investigations.roles import EDITORS, RESEARCHERS

ACCOUNTS = (("researcher", RESEARCHERS, False), ("editor", EDITORS, False), ("admin", None, True))


class Command(BaseCommand):
    help = "Create or reset the researcher, editor and admin accounts with new random passwords."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args, base_url, **options):
        lines = [f"Admin: {base_url}/admin/ — these passwords change every time you run this."]
        for username, group, is_superuser in ACCOUNTS:
            password = secrets.token_urlsafe(12)
            user, _ = User.objects.get_or_create(username=username)
            user.is_staff = True
            user.is_superuser = is_superuser
            user.set_password(password)
            user.save()
            if group:
                user.groups.set([Group.objects.get(name=group)])
            lines.append(f"  {username:<10} {password}")
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))
