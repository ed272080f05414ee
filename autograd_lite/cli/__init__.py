"""The ``autograd-lite`` command: worked example, train, predict and render from a shell.

An application on top of both packages, and the one place in ``autograd_lite`` that may import
``nn``. Importing ``autograd_lite`` never imports this package; ``python -m autograd_lite`` and
the ``autograd-lite`` script both call :func:`autograd_lite.cli.main.main`.
"""
