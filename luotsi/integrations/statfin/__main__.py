import sys

from luotsi.integrations.statfin.cli import main

sys.exit(main())
