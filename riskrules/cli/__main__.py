"""``python -m riskrules.cli``."""
from . import main

main()
