"""The import settings in the file readers' own terms: `fileformats.bounded.ReadLimits`.

The readers take plain values and never read configuration; this is the one place that turns
`Settings` into them, shared by every command and front door that imports a file.
"""

from __future__ import annotations

from config.settings import Settings
from fileformats.bounded import ReadLimits


def import_limits(settings: Settings) -> ReadLimits:
    return ReadLimits(max_bytes=settings.import_max_bytes, max_rows=settings.import_max_rows)
