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
	for c in "${cands[@]}"; do
		case $c in
			'') ;;
			*=) nospace+=("$c") ;; # --env= wants its value next, not a space
			*) space+=("$c") ;;
		esac
	done
	if (( ${#nospace} + ${#space} == 0 )); then
		_files # a file argument, or the command after --
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
