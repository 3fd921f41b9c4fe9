#!/usr/bin/env python
from jingzhun.cli import main

if __name__ == "__main__":
    main()
