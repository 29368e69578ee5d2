from autogestion.config.cli import main

main()
