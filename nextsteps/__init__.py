"""Next Steps: record an anti-trafficking programme's work and compute its results report."""
