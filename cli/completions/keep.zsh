#compdef keep
# zsh completion for keep. Load it with: source <(keep completion zsh)
# (in ~/.zshrc, after compinit), or save it as _keep in a directory of
# $fpath. Candidates come from `keep __complete -- WORD…`.

_keep() {
	local keep=${words[1]} c
	if [[ $keep != */* || ! -x $keep ]]; then
		keep=keep
	fi
	local -a cands nospace space
	cands=("${(@f)$("$keep" __complete -- "${(@Q)words[2,CURRENT-1]}" "${(Q)PREFIX}" 2>/dev/null)}")
	case ${cands[1]} in
		(:commands) _command_names -e; return ;; # the command keep run starts
		(:none) return 1 ;; # a secret's KEY or value: no file names either
	esac
	for c in "${cands[@]}"; do
		case $c in
			'') ;;
			*=) nospace+=("$c") ;; # --env= wants its value next, not a space
			*) space+=("$c") ;;
		esac
	done
	if (( ${#nospace} + ${#space} == 0 )); then
		_files # a file argument, or the arguments of the command keep run starts
		return
	fi
	(( ${#nospace} )) && compadd -S '' -- "${nospace[@]}"
	(( ${#space} )) && compadd -- "${space[@]}"
	return 0
}

if [[ ${funcstack[1]} == _keep ]]; then
	_keep "$@" # autoloaded from $fpath
elif (( ${+functions[compdef]} )); then
	compdef _keep keep
fi
