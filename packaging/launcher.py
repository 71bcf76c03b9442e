"""The bundle's entry point (build.spec): both executables, windowed and console, run the CLI's main, which
opens the window when no command is given."""

import sys

from unopim_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
