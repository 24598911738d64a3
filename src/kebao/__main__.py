"""``python -m kebao``."""

from kebao.cli import main

raise SystemExit(main())
