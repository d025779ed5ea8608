"""The use cases every front door calls.

Who is asking, a typed request and a unit of work in; permission checked, the domain's rules
applied, storage loaded and saved, the audit written and a typed result out.
"""
