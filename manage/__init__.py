"""The command line for IT and the business team (`python -m manage ...`) and the demo seed."""
