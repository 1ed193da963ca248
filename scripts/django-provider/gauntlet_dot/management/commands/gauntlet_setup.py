"""Creates (or resets) the user and the three clients a Gauntlet provider profile names."""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from oauth2_provider.models import get_application_model

CALLBACK = "https://client.gauntlet.test/callback"
OTHER = "https://client.gauntlet.test/other"

CLIENTS = [
    ("gauntlet-confidential", "gauntlet-secret", "confidential", f"{CALLBACK} {OTHER}"),
    ("gauntlet-public", "", "public", CALLBACK),
    ("gauntlet-other", "other-secret", "confidential", CALLBACK),
]


class Command(BaseCommand):
    help = "Create alice/wonderland and Gauntlet's clients (idempotent)."

    def handle(self, *args, **options):
        user_model = get_user_model()
        alice, _ = user_model.objects.get_or_create(username="alice")
        alice.set_password("wonderland")
        alice.save()
        application = get_application_model()
        for client_id, secret, client_type, redirect_uris in CLIENTS:
            application.objects.filter(client_id=client_id).delete()
            application.objects.create(
                name=client_id,
                client_id=client_id,
                client_secret=secret,
                client_type=client_type,
                authorization_grant_type="authorization-code",
                redirect_uris=redirect_uris,
                user=alice,
                skip_authorization=False,
                algorithm="",
            )
        self.stdout.write("gauntlet: user alice and 3 clients ready")
