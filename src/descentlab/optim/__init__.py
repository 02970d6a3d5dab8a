"""Update rules, conventions and presets, learning-rate schedules and stopping rules on plain NumPy arrays."""
