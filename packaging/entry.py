"""Entry point of the frozen app: the same launcher as the `copilot` console script."""

from ui.launcher import main

raise SystemExit(main())
