import sys

from unopim_desktop.cli import main

sys.exit(main())
