"""The WSGI application, for gunicorn (run.sh PORT --tls)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gauntlet_dot.settings")
application = get_wsgi_application()
