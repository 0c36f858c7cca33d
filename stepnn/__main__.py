"""``python -m stepnn links --repo OWNER/NAME``: the same as the ``stepnn`` command."""

import sys

from stepnn.cli import main

sys.exit(main())
