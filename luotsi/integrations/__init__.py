"""Integrations with external systems, one sub-package each (pure Python, no Django).

``statfin``: Statistics Finland's PxWeb API (public employment service statistics).
"""
