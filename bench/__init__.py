"""fleetwire's benchmarks: the official viam-sdk client and ours against the same server, in the same run.

``python -m bench`` (or ``nox -s bench``) runs everything; ``python -m bench.micro`` times the codecs alone.
"""
