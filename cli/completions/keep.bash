# bash completion for keep. Load it with: source <(keep completion bash)
# (in ~/.bashrc). Candidates come from `keep __complete -- WORD…`.

_keep_complete() {
	# The words up to the cursor as typed, split on blanks only: bash's
	# COMP_WORDS also splits at = and :, which keep's words contain
	# (--env=production, vault:add, --from=legacy:staging).
	local line=${COMP_LINE:0:COMP_POINT}
	local -a words
	read -ra words <<<"$line"
	if [[ -z $line || $line == *[[:space:]] ]]; then
		words+=("")
	fi
	# KEEP_ENV=staging keep …: the assignments are not keep's words.
	while [[ ${#words[@]} -gt 1 && ${words[0]} =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; do
		words=("${words[@]:1}")
	done
	# bash replaces only its own current word, the part after the last = or
	# :, so each candidate loses what comes before that part. Right after
	# the = or :, COMP_WORDS has the = or : as the current word, but the
	# word bash replaces is empty.
	local cur=${COMP_WORDS[COMP_CWORD]}
	if [[ $cur == [=:] ]]; then
		cur=
	fi
	local typed=${words[${#words[@]}-1]}
	local prefix=${typed%"$cur"}
	local keep=${words[0]}
	if [[ $keep != */* || ! -x $keep ]]; then
		keep=keep
	fi
	COMPREPLY=()
	local -a cands=()
	local c
	while IFS= read -r c; do
		cands+=("$c")
	done < <("$keep" __complete -- "${words[@]:1}" 2>/dev/null)
	case ${cands[0]-} in
	:commands) # the command keep run starts
		while IFS= read -r c; do
			COMPREPLY+=("$c")
		done < <(compgen -c -- "$cur" | sort -u)
		return
		;;
	:none) # a secret's KEY or value: no file names either
		type compopt >/dev/null 2>&1 && compopt +o default 2>/dev/null
		return
		;;
	esac
	for c in "${cands[@]}"; do
		if [[ $c == "$prefix"* ]]; then
			COMPREPLY+=("${c#"$prefix"}")
		fi
	done
	# --env= wants its value next, not a space.
	if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]] && type compopt >/dev/null 2>&1; then
		compopt -o nospace
	fi
}

# -o default: no candidate (a file argument, the arguments of the command
# keep run starts) falls back to file name completion.
complete -o default -F _keep_complete keep
