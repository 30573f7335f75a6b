"""The simulated year, one module per phase (DESIGN.md, "Data flow").

:class:`~zonesim.model.TransitionModel` composes them in ``step()``:

=============  =====================================================================
``setting``    what holds for the whole run: cities, trends, prices, factors
``firms``      firms grow, improve, retire, retrofit; entrants arrive
``plan``       each city's outlook and policy go to the planner LP
``build``      cities carry out the plan within the finance they can raise
``account``    energy, coal, CO2 and intensity of every city (and the base year)
``evaluate``   zones rated on their progress; status and support change
=============  =====================================================================

Each phase takes an explicit :class:`~zonesim.year.setting.Setting` (immutable, built once
per run) and the year's :class:`~zonesim.year.setting.Year` (the year and the rules the
levers set, computed once), plus the agents it acts on.
"""
