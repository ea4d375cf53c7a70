"""klaster.observatory: regional specialisation, cluster mapping and input-output analysis.

Plain Python (no Django import).
"""
