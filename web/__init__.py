"""Plain web routes the bot serves beside /api/messages, for people's browsers and calendar
programs (no botbuilder here): "Add to calendar" files behind signed, expiring links; and, in
development only, `web/dev.py`'s tools."""
