"""WSGI entry point for gunicorn."""

import logging

from . import create_app

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(levelname)s %(name)s %(message)s")
app = create_app()
