"""The desktop layer: what turns this Django project into a desktop app. The template owns it.

``copier update`` keeps this folder current; your project (``settings.py``, ``urls.py``, your
apps) stays yours. Here: the entry point (``python -m <package>.desktop``), the settings layer
(``settings/``: dev, packaged, test over your settings), the URL layer (``urls.py``: health and
bootstrap, then your URLconf), and the runtime contract: app data, auth, CSP, server, worker,
ready line, stop. Each module is small with a plain API, reused by the backend process, its
frozen build and shells that run Django in-process (Positron). See the architecture doc in docs/.
"""
