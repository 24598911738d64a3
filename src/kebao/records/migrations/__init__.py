"""Alembic's migrations of the records database: ``env.py`` and one file per version under ``versions/``.

``records.database.open_database`` runs ``upgrade head`` on every open, so a database made by an older
kebao is brought up to date before it is used. A new version: ``alembic revision`` with
``script_location`` pointing here, written by hand (no autogenerate at run time).
"""
