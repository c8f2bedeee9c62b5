"""One module per group of subcommands; `oflbib.cli` imports them only when used."""
