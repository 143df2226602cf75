"""Faces in video: detection, 468-point landmarks, irises, and tracking with stable ids.

Heavy libraries (cv2, onnxruntime) are imported by the modules that use them, so
importing this package stays cheap.
"""
