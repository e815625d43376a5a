# fish completion for keep. Install it with:
#   keep completion fish > ~/.config/fish/completions/keep.fish
# Candidates come from `keep __complete -- WORD…`.

# __keep_prepare asks keep for the candidates of the token at the cursor;
# it fails when there are none, so that fish completes file names instead
# (a file argument, the arguments of the command keep run starts).
function __keep_prepare
    set -l tokens (commandline -opc)
    # KEEP_ENV=staging keep …: the assignments are not keep's words.
    while set -q tokens[2]; and string match -qr '^[A-Za-z_][A-Za-z0-9_]*=' -- $tokens[1]
        set -e tokens[1]
    end
    set -l keep $tokens[1]
    if not string match -q '*/*' -- $keep; or not test -x $keep
        set keep keep
    end
    set -g __keep_candidates ($keep __complete -- $tokens[2..-1] (commandline -ct) 2>/dev/null)
    switch "$__keep_candidates[1]"
        case :commands # the command keep run starts
            set -g __keep_candidates (__fish_complete_command)
            return 0
        case :none # a secret's KEY or value: no file names either
            set -g __keep_candidates
            return 0
    end
    test (count $__keep_candidates) -gt 0
end

complete -c keep -f -n __keep_prepare -a '$__keep_candidates'
