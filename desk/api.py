"""The JSON API base under ``/api/v1``: session or Bearer-token authentication, JSON errors."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask_login import current_user

from desk import web
from desk.accounts import normalise_skills
from desk.models import PersonPublic

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.route("/me")
@web.any_role
def me() -> Any:
    person = PersonPublic.model_validate(current_user, from_attributes=True)
    data = person.model_dump()
    data["skills"] = list(normalise_skills(current_user.skills))
    return data
