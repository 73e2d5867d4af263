"""crossdrive: forensic examination of many seized storage media as one case."""

__version__ = "0.1.0"
