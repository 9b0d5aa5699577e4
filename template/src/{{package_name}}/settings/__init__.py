"""Settings modules: ``dev`` (from source), ``packaged`` (installed app), ``test`` (pytest)."""
