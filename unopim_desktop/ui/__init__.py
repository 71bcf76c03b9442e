"""The Qt window. The only package that imports PySide6.

qasync picks its binding from $QT_API, else from the first importable of PyQt6, PyQt5, PySide6: pin it
here, before any module of this package imports qasync.
"""

import os

os.environ.setdefault("QT_API", "pyside6")
