"""Leaf helpers every stage shares, one home each: JSON conversion (:mod:`.json`), UTC for
naive datetimes (:mod:`.time`) and file writes and ruleset paths (:mod:`.files`).

Nothing here imports from the rest of riskrules, nor any third-party package, so any
stage (``dsl`` included) may use it and ``import riskrules`` stays cheap.
"""
