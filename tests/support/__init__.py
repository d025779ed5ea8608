"""Test support: a fake Bot Connector on loopback, activity builders and an app harness."""
