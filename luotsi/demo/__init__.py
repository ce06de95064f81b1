"""The demo: a realistic example employment area built with the synthetic generator.

Not a Django app; it composes the services of the apps. Used by ``luotsi demo`` only.
"""
