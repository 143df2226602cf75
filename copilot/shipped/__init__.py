"""What ships with the app and is read, never written: the models and the other files.

resources.py finds the shipped folders (models/, assets/) wherever the app is installed,
and reads the data files beside the modules; models.py loads, checks and runs the ONNX models.
"""
