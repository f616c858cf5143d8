"""Development server: ``python -m backend`` (use gunicorn, as ``make serve`` does, in production)."""

import logging
import os

from . import create_app

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
create_app().run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "5000")))
