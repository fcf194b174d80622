"""python -m bench runs bench.run (make bench calls it through python -c instead: see bench/run.py)."""
import sys

from bench.run import main

sys.exit(main())
