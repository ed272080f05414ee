"""``python -m autograd_lite``: the ``autograd-lite`` command line."""

from autograd_lite.cli.main import main

raise SystemExit(main())
