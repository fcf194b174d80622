"""The stated moments the suite runs at: no test reads the day it runs on (chalicelib.clock honours CLOCK_NOW and
X-Clock-Now in the local stage; the browser's clock is set to the same moment)."""
from __future__ import annotations

# the local servers of the end-to-end and browser tests start their clocks here (CLOCK_START) and run on: a Monday,
# well after the demo cases' days
SERVER_NOW = "2026-11-16T10:00:00+08:00"
SERVER_TODAY = SERVER_NOW[:10]
