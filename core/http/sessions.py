"""HTTP sessions stored server-side, in the database they belong to.

A session is a small dict (``uid``, ``login``, ``context``…) kept in the table
``http_session`` of the application's database, so that every worker process —
on any machine — sees the same sessions.  The browser only holds the random id
in the ``session_id`` cookie.  A session lives until it has not been used for
:data:`SESSION_LIFETIME`; its id changes on login (no session fixation) and the
row is deleted on logout.

The table is not a model: it is the web layer's bookkeeping, created here with
SQLAlchemy Core, and read and written inside the request's transaction so that a
failed request leaves the session as it was.
"""
import datetime
import json
import secrets

import sqlalchemy as sa

SESSION_LIFETIME = datetime.timedelta(days=7)
#: a session used again within this delay is not written back only to move its expiry
_REFRESH_AFTER = datetime.timedelta(hours=1)

_metadata = sa.MetaData()
session_table = sa.Table(
    "http_session", _metadata,
    sa.Column("sid", sa.String(64), primary_key=True),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("expires", sa.DateTime, nullable=False, index=True),
)


def _now():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def ensure_table(engine):
    """Create ``http_session`` if the database lacks it (several workers may race: fine)."""
    try:
        _metadata.create_all(engine, checkfirst=True)
    except sa.exc.DBAPIError:
        # another worker created it between our check and our CREATE
        if not sa.inspect(engine).has_table(session_table.name):
            raise


class Session(dict):
    """The data of one browser session; ``sid`` is None until it is first saved."""

    def __init__(self, sid=None, data=None, expires=None):
        super().__init__(data or {})
        self.sid = sid
        self.expires = expires
        self.modified = False
        self.rotate = False          # give it a new id when saved (login)
        self.deleted = False

    @property
    def is_new(self):
        return self.sid is None

    @property
    def uid(self):
        return self.get("uid")

    def ensure_sid(self):
        """The session's id, drawing a new one (and marking the session to save) when it has none."""
        if self.sid is None:
            self.sid = new_sid()
            self.modified = True
        return self.sid

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        self.modified = True

    def __delitem__(self, key):
        super().__delitem__(key)
        self.modified = True

    def update(self, *args, **kwargs):
        super().update(*args, **kwargs)
        self.modified = True

    def pop(self, *args):
        self.modified = True
        return super().pop(*args)

    def clear(self):
        super().clear()
        self.modified = True


def new_sid():
    return secrets.token_urlsafe(32)


class SessionStore:
    """Load, save and delete sessions through a cursor (the request's transaction)."""

    lifetime = SESSION_LIFETIME

    def load(self, cr, sid):
        """The session ``sid``, or a new empty session if it is unknown or expired."""
        if not sid or len(sid) > 64:
            return Session()
        row = cr.execute(sa.select(session_table.c.data, session_table.c.expires)
                         .where(session_table.c.sid == sid)).first()
        if row is None or row.expires <= _now():
            return Session()
        return Session(sid, json.loads(row.data), row.expires)

    def save(self, cr, session):
        """Write ``session`` if it changed or its expiry should move; return True if its cookie must be sent."""
        if session.deleted:
            if session.sid:
                self.delete(cr, session.sid)
            return False
        now = _now()
        expires = now + self.lifetime
        if session.rotate and session.sid:
            self.delete(cr, session.sid)
            session.sid = None
        if session.sid is None:
            if not session.modified and not session.rotate:
                return False   # an anonymous visit that stored nothing: no row, no cookie
            session.sid = new_sid()
            self._insert(cr, session, expires)
            self.collect_garbage(cr, now)
            return True
        if session.expires is None:   # drawn by ensure_sid(), never stored
            self._insert(cr, session, expires)
            return True
        if session.modified or session.expires - self.lifetime + _REFRESH_AFTER <= now:
            cr.execute(sa.update(session_table).where(session_table.c.sid == session.sid)
                       .values(data=json.dumps(dict(session)), expires=expires))
            session.expires = expires
            return True
        return False

    def _insert(self, cr, session, expires):
        cr.execute(sa.insert(session_table).values(sid=session.sid, data=json.dumps(dict(session)),
                                                   expires=expires))
        session.expires = expires
        session.rotate = session.modified = False

    def delete(self, cr, sid):
        cr.execute(sa.delete(session_table).where(session_table.c.sid == sid))

    def collect_garbage(self, cr, now=None):
        """Delete the expired sessions."""
        cr.execute(sa.delete(session_table).where(session_table.c.expires <= (now or _now())))
