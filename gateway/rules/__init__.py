"""Scheme rules as data plus small pure functions over it.

``schoolyear`` knows the calendar (and splits a course's hours by school year), ``ruledata``
loads the versioned figures with their source, validity and status (``RuleBook``), ``vov`` /
``bev`` / ``vok`` compute caps, eligibility, volumes and windows from a resolved view, and
``vov_decision`` decides a Flemish registration. Mappings import these so that a figure lives
in exactly one place: the TOML, which also says whether it is confirmed.
"""
