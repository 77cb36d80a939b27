"""Shop writes: keyword-only, typed, atomic; side effects after commit. Split by domain noun."""
