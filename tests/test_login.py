"""Signing in to the admin: throttled against guessing, and sent somewhere safe afterwards."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse

from tests.factories import make_editor

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests-only"


def sign_in(client, username, password=PASSWORD, address="203.0.113.5", **query):
    url = reverse("admin:login")
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail_five_times(client, username, address="203.0.113.5"):
    answers = [sign_in(client, username, "wrong", address).status_code for _ in range(5)]
    assert answers == [200, 200, 200, 200, 429]  # the fifth failure locks


def test_it_refuses_the_right_password_after_five_wrong_ones(client):
    editor = make_editor()
    fail_five_times(client, editor.username)
    response = sign_in(client, editor.username)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert "refused for 15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_locks_a_username_whatever_address_the_guesses_come_from(client):
    editor = make_editor()
    for number in range(5):
        sign_in(client, editor.username, "wrong", address=f"198.51.100.{number}")
    assert sign_in(client, editor.username, address="192.0.2.1").status_code == 429


def test_it_locks_an_address_that_tries_many_usernames(client):
    editor = make_editor()
    for number in range(5):
        sign_in(client, f"guess{number}", "wrong", address="198.51.100.7")
    assert sign_in(client, editor.username, address="198.51.100.7").status_code == 429
    assert sign_in(client, editor.username, address="192.0.2.1").status_code == 302


def test_a_few_mistakes_followed_by_the_right_password_sign_in_and_clear_the_count(client):
    editor = make_editor()
    for _ in range(4):
        sign_in(client, editor.username, "wrong")
    assert sign_in(client, editor.username).status_code == 302
    client.logout()
    for _ in range(4):
        sign_in(client, editor.username, "wrong")
    assert sign_in(client, editor.username).status_code == 302


def test_the_lockout_ends_after_the_cool_off(client):
    editor = make_editor()
    fail_five_times(client, editor.username)
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=16)
    )
    assert sign_in(client, editor.username).status_code == 302


def test_an_administrator_can_unlock_a_username_at_once(client):
    editor = make_editor()
    fail_five_times(client, editor.username)
    call_command("axes_reset_username", editor.username)
    call_command("axes_reset_ip", "203.0.113.5")
    assert sign_in(client, editor.username).status_code == 302


def test_behind_a_trusted_proxy_it_locks_the_client_not_the_proxy(client, settings):
    settings.TRUSTED_PROXIES = 1
    editor = make_editor()
    for number in range(5):
        client.post(
            reverse("admin:login"),
            {"username": f"guess{number}", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="forged, 198.51.100.7",
        )
    # The five failures were 198.51.100.7's; another client behind the proxy still signs in.
    assert sign_in(client, editor.username, address="10.0.0.1").status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}


def test_an_unsafe_next_falls_back_to_the_admin_index(client):
    editor = make_editor()
    response = sign_in(client, editor.username, next="https://attacker.example/")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_a_safe_next_is_followed(client):
    editor = make_editor()
    target = reverse("admin:investigations_organisation_changelist")
    assert sign_in(client, editor.username, next=target)["Location"] == target
