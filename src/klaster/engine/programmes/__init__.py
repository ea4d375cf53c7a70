"""Targeted cluster programmes and the ranking of clusters (plain Python, no Django).

- :mod:`.cofinancing` — 70/30 and 50/50 co-financing, annual budget line (regulation data);
- :mod:`.monitoring` — counter-obligation variance and alerts, quarterly report due dates;
- :mod:`.effects` — effect tables and the check of printed percentages;
- :mod:`.ranking` — TOPSIS / VIKOR / PROMETHEE II ranking and its sensitivity (pymcdm).
"""
