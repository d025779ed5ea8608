"""Proactive sending and the Bot Framework adapter: the edges that talk to the Bot Connector."""
