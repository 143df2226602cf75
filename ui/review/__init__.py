"""Parts of the review window (ui/review_window.py): the timeline, the frame pane, the summaries."""
