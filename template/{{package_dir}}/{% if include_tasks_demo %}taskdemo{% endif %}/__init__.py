"""Background-tasks demo: enqueue a slow prime count, watch its status, keep the result."""
