"""GET / : a small page to try the model (type text, see five emojis, click one to copy it)."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("demo", __name__)


@bp.get("/")
def index():
    return render_template("index.html")
