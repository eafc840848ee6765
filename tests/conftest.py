import os
import sys

from hypothesis import settings

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("MPLBACKEND", "Agg")

settings.register_profile("default", max_examples=60, deadline=None)
settings.load_profile("default")
