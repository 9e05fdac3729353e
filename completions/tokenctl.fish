complete --keep-order --exclusive --command tokenctl --arguments "(TOKENCTL_COMPLETE=fish tokenctl -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
