
set edit:completion:arg-completer[tokenctl] = { |@words|
    var index = (count $words)
    set index = (- $index 1)

    put (env _CLAP_IFS="\n" _CLAP_COMPLETE_INDEX=(to-string $index) TOKENCTL_COMPLETE="elvish" tokenctl -- $@words) | to-lines
}

