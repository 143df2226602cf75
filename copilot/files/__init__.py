"""The files the app writes and keeps, and where they go.

writing.py writes a finished file whole or not at all (and decides which files are the
user's alone); scratch.py makes the private folders that data passes through; and
config_folder.py is the one place the user's config folder is decided.
"""
