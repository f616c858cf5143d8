"""Development server: ``python -m backend`` (use gunicorn, as ``make serve`` does, in production)."""

import logging

from . import create_app
from .config import server_env

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
server = server_env()
create_app().run(host=server["host"], port=server["port"])
