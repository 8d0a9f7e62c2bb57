"""`python -m bench.soak`: see the package docstring."""

import sys

from bench.soak import main

sys.exit(main())
