from oflbib.cli import main

main()
