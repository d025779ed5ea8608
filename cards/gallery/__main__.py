"""`python -m cards.gallery OUTDIR` (cards.gallery.main)."""

import sys

from cards.gallery import main

sys.exit(main(sys.argv[1:]))
