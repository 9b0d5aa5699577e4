"""The desktop layer's settings: your ``settings.py`` with the desktop contract applied.

``dev`` (from source; DEBUG on), ``packaged`` (the installed app) and ``test`` (pytest and
``manage.py test``) each import the project's settings module and call :func:`contract.apply`
once, so the contract lives in one place (see ``contract.py`` and the architecture doc in docs/).
"""
