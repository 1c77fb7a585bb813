"""`python -m tuneforge` runs the `tune` command (another package also installs a `tune` script)."""

from tuneforge.cli.app import main

if __name__ == "__main__":
    main()
