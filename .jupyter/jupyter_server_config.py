# The Jupyter server of `make lab` (this folder is on its JUPYTER_CONFIG_PATH; tests/lab.py uses it too).
# jupytext's contents manager, as its server extension would set it up, with kebao's saving rules
# (kebao/check/stored.py; docs/authoring.md):
# - a notebook under notebooks/ is saved without outputs and execution counts, so a save or an autosave
#   never makes `kebao check` fail, and running the design studio changes no byte of it;
# - a case (or any notebook stored as text) saved from JupyterLab without changes keeps every byte, and
#   one whose cells changed keeps its front matter as written (comments, quotes, order) while its
#   metadata is the same. Files saved from the text editor are written as typed.
from kebao.check.stored import contents_manager_class

c = get_config()  # noqa: F821 (defined by the Jupyter config loader)
c.ServerApp.contents_manager_class = contents_manager_class()
