"""appraisal: fair, transparent clinician performance appraisal.

``create_app()`` builds the application as a list of named steps.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from appraisal.config import build_config

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.config.update(build_config(app.instance_path))
    if test_config:
        app.config.update(test_config)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from appraisal import models  # noqa: F401  (the whole schema, for Alembic)
    from appraisal.auth.loader import init_login
    from appraisal.core.i18n import init_i18n
    from appraisal.core.security import init_security
    from appraisal.extensions import csrf, db, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    init_login(app)
    init_i18n(app)
    init_security(app)


def register_blueprints(app: Flask) -> None:
    from appraisal.blueprints import BLUEPRINTS

    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)


def register_errorhandlers(app: Flask) -> None:
    from appraisal.core.errors import register_errorhandlers as register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from appraisal.core.templating import init_templating

    init_templating(app)


def register_commands(app: Flask) -> None:
    from appraisal.cli import COMMANDS

    for command in COMMANDS:
        app.cli.add_command(command)
