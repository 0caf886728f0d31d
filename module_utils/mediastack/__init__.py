# mediastack's shared engine for the modules in library/: HTTP, waiting, errors, comparison, diff.
