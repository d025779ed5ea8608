"""`python -m manage ...`: the command line (manage/cli.py)."""

import sys

from manage.cli import main

sys.exit(main())
