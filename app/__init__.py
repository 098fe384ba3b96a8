"""LineTint's desktop application and command-line entry point."""
