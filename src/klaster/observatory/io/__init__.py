"""Input-output analysis (Miller & Blair 2009). Plain Python (no Django import)."""
