"""One module per `copilot` subcommand, each with `add_parser(subparsers)` and `run(args) -> int`."""
