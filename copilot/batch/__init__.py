"""A library of recorded calls analysed in one run: `copilot analyze DIR... --out-dir OUT`.

plan (which recordings, which are already done) -> run_local or run_ray (workers analyse,
each with its models loaded once) -> driver (the one process that records sessions and
writes each result, atomically) -> summary (the CSV and the team's HTML page).
"""
