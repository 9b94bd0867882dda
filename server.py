#!/usr/bin/env python3
"""Tessera's entry point: ``python server.py --help``."""
import sys

from core.cli import main

if __name__ == "__main__":
    sys.exit(main())
