"""Creates (or resets) the user and the three clients a Gauntlet provider profile names."""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from oauth2_provider.models import get_application_model

CALLBACK = "https://client.gauntlet.test/callback"
OTHER = "https://client.gauntlet.test/other"

# (client_id, plaintext secret or None, client_type, space-separated redirect URIs)
CLIENTS = [
    ("gauntlet-confidential", "gauntlet-secret", "confidential", f"{CALLBACK} {OTHER}"),
    ("gauntlet-public", None, "public", CALLBACK),
    ("gauntlet-other", "other-secret", "confidential", CALLBACK),
]


class Command(BaseCommand):
    help = "Create alice/wonderland and Gauntlet's clients (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        user_model = get_user_model()
        alice, _ = user_model.objects.get_or_create(username="alice")
        alice.set_password("wonderland")
        alice.save()
        application = get_application_model()
        for client_id, secret, client_type, redirect_uris in CLIENTS:
            # Recreated from scratch, so a rerun also drops the tokens of the old one.
            application.objects.filter(client_id=client_id).delete()
            fields = dict(
                name=client_id,
                client_id=client_id,
                client_type=client_type,
                authorization_grant_type="authorization-code",
                redirect_uris=redirect_uris,
                user=alice,
                skip_authorization=False,
                algorithm="",  # no OIDC
                # DOT 3 stores the secret hashed (ClientSecretField.pre_save runs
                # make_password on a plaintext value), so it is given here in plaintext.
                hash_client_secret=True,
            )
            if secret is not None:
                fields["client_secret"] = secret
            # The public client keeps DOT's default: a random secret nobody knows. An
            # explicit "" would be hashed too, and then client_id with an empty secret
            # authenticates as that client (e.g. at the introspection endpoint).
            application.objects.create(**fields)
        self.stdout.write("gauntlet: user alice and 3 clients ready")
