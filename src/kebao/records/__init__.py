"""Learner records (issue 17): the one package that touches the records database; nothing else does.

Parts, from the bottom up:

* ``models.py``: the tables (SQLAlchemy 2): settings, cohorts, learners, imports (the audit trail), the marks
  (attendance, scores, survey answers) and certificates;
* ``migrations/``: Alembic's environment and one file per schema version, run by ``open_database``;
* ``database.py``: where the database is (SQLite under ``records/`` or PostgreSQL by URL), opening it
  (``upgrade head``), transactions;
* ``identity.py``: phones, ID-card numbers (checked, masked, digested; never stored as written), gender;
* ``roster.py``: a roster file (XLSX or CSV) read and checked row by row;
* ``store.py``: rosters into the database (one transaction, changes refused unless asked for) and out;
* ``prefill.py``: a cohort's sign-in, score and survey workbooks with its roster's names (``records sheets``);
* ``readback.py``: a filled workbook read back (its hidden metadata: ``kebao.packs.sheetmeta``), cell by cell;
* ``marks_store.py``: its marks into the database (one transaction, conflicts refused unless asked for);
* ``ledger.py``: the ledger, pure (学时 counted, modules passed, 学分, completion and why not), on the plan that
  ``course.py`` takes from the engine and the marks ``marks.py`` reads from the database (which also issues
  certificate codes and forgets a learner);
* ``certificates.py`` and ``issue.py``: 结业证书 PDFs and the masked verification list; ``export.py``: the
  credit-bank export (``creditbank.schema.json``).

docs/records.md is the guide for the office's IT person: where the data is, what is stored, masking.
"""
