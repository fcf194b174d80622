"""python -m bench: the whole bench (bench.run)."""
import sys

from bench.run import main

sys.exit(main())
