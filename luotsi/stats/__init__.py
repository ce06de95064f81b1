"""Estimators for evaluation, pure Python (numpy/scipy); never imports Django or the store.

Every estimator takes plain arrays or a validated panel and returns an immutable results object
from :mod:`luotsi.stats.results`.
"""
