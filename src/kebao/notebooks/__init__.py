"""Running notebooks and judging them: one layer for packs, ``kebao check`` and anything else that runs one.

==============  ===========================================================================
parameters      what a notebook's ``parameters`` cell declares; values checked before a kernel starts
run             one notebook with papermill in a fresh kernel, a wall-clock limit, and our own judgement
kernels         fresh kernels launched ahead of need, forked from a warm template (:mod:`.forkkernel`)
batch           independent jobs in worker processes (or any executor), one typed result per job
==============  ===========================================================================

Nothing here knows about course packs; :mod:`kebao.packs` builds on it. Errors
(:class:`~kebao.errors.NotebookError` and its subclasses) live in :mod:`kebao.errors`.
"""
