"""Where the records database is, opening it, and bringing its schema up to date.

The address: ``--database URL``, else ``KEBAO_DATABASE_URL``, else SQLite in ``<root>/records/kebao.sqlite``
(``paths.RECORDS_DATABASE``; the folder is git-ignored and nothing publishes it). ``postgresql://`` and
``postgres://`` addresses use psycopg 3. :func:`open_database` runs Alembic's ``upgrade head`` on the
connection first, so every command works on the current schema; :func:`transaction` is the one way
records are written: everything in it is committed together or not at all.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session

from ..errors import ResourceError, UsageError
from ..paths import RECORDS_DATABASE
from .models import Setting

ENVIRONMENT = "KEBAO_DATABASE_URL"
MIGRATIONS = Path(__file__).parent / "migrations"
SALT = "id-salt"  # Setting: the salt of ID-number digests, made once per database


@dataclass(frozen=True)
class Database:
    """An open records database: its engine, and the salt of its ID-number digests."""

    engine: Engine
    salt: bytes

    @property
    def shown(self) -> str:
        """The address without a password, for messages."""
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()


def database_url(root: Path, given: str | None = None) -> URL:
    """The address to use: ``given`` (``--database``), else ``$KEBAO_DATABASE_URL``, else SQLite under ``root``."""
    text = given or os.environ.get(ENVIRONMENT, "").strip()
    if not text:
        return URL.create("sqlite+pysqlite", database=str(Path(root) / RECORDS_DATABASE))
    source = "--database" if given else ENVIRONMENT
    try:
        url = make_url(text)
    except ArgumentError:
        raise UsageError(f"{source}: {text!r} is not a database address",
                         "write postgresql://user:password@host/dbname, or sqlite:///path/to/kebao.sqlite") from None
    if url.drivername in ("postgresql", "postgres", "postgresql+psycopg"):
        return url.set(drivername="postgresql+psycopg")
    if url.drivername in ("sqlite", "sqlite+pysqlite"):
        return url
    raise UsageError(f"{source}: kebao's records live in PostgreSQL or SQLite, not {url.drivername!r}",
                     "write postgresql://user:password@host/dbname, or leave it out for SQLite under records/")


def open_database(root: Path, given: str | None = None) -> Database:
    """The records database, created if need be, its schema upgraded to the newest version."""
    url = database_url(root, given)
    if url.drivername.startswith("sqlite") and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(url)
    except (ArgumentError, NoSuchModuleError) as error:
        raise UsageError(f"cannot use {url.render_as_string(hide_password=True)}: {error}",
                         "PostgreSQL needs psycopg 3 (pip install 'psycopg[binary]')") from None
    if url.drivername.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_foreign_keys)
    try:
        _upgrade(engine)
        salt = _salt(engine)
    except DBAPIError as error:
        engine.dispose()
        raise _unreachable(url, error) from None
    return Database(engine, salt)


@contextmanager
def transaction(database: Database) -> Iterator[Session]:
    """A session whose work is committed when the block ends, and rolled back whole if it raises."""
    with Session(database.engine, expire_on_commit=False) as session, session.begin():
        yield session


@contextmanager
def reading(database: Database) -> Iterator[Session]:
    """A session that only reads."""
    with Session(database.engine) as session:
        yield session


def _upgrade(engine: Engine) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _salt(engine: Engine) -> bytes:
    """The database's salt, made by whichever process opens a new database first."""
    for _attempt in range(2):
        try:
            with Session(engine) as session, session.begin():
                setting = session.scalars(select(Setting).where(Setting.name == SALT)).one_or_none()
                if setting is None:
                    setting = Setting(name=SALT, value=secrets.token_hex(16))
                    session.add(setting)
                return bytes.fromhex(setting.value)
        except IntegrityError:  # another process made it between our read and our write: read theirs
            continue
    raise ResourceError("the records database's salt could not be read or made", "run the command again")


def _sqlite_foreign_keys(connection: Any, _record: object) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _unreachable(url: URL, error: SQLAlchemyError) -> ResourceError:
    reason = str(getattr(error, "orig", error)).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return ResourceError(f"cannot open the records database {url.render_as_string(hide_password=True)}: {reason}",
                         f"check that the server runs and the address in --database or {ENVIRONMENT} is right "
                         "(docs/records.md)")
