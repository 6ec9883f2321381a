"""Scheme rules as data plus small pure functions over it.

``schoolyear`` knows the calendar, ``ruledata`` loads the versioned figures (``RuleBook``), and
``vov`` / ``bev`` / ``vok`` compute caps, eligibility and windows from a resolved view. Mappings
import these so that a figure lives in exactly one place: the TOML.
"""
