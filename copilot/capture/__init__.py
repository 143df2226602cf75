"""Sources: where frames and audio come from, each stamped on the session clock."""
