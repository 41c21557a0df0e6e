"""Read models: what the learner pages and the API read, each in a fixed number of queries.

The write side (recording events, deriving state) is ``lms.tracking``; nothing here writes.
"""
