# bash completion for the vidclass tools (installed as share/bash-completion/completions/
# vidclass-*, or: source scripts/vidclass-completion.bash). Flags and subcommands are read
# from the tool's own --help, so they are never out of date; values complete as files.
_vidclass_complete()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} tool=$1 help
    help=$("$tool" --help 2>/dev/null) || help=""
    case $prev in
        --smoothing) mapfile -t COMPREPLY < <(compgen -W "trailing centered" -- "$cur"); return ;;
        --table) mapfile -t COMPREPLY < <(compgen -W "videos frames segments" -- "$cur"); return ;;
        --format) mapfile -t COMPREPLY < <(compgen -W "csv json" -- "$cur"); return ;;
        --resize) mapfile -t COMPREPLY < <(compgen -W "linear area" -- "$cur"); return ;;
    esac
    if [ "$COMP_CWORD" -eq 1 ] && [ "$tool" != "${tool%-results}" -o "$tool" != "${tool%-weights}" ] && [[ $cur != -* ]]; then
        # subcommands: the words after "Usage: vidclass-x" / "vidclass-x" at the start of a usage line
        mapfile -t COMPREPLY < <(compgen -W "$(sed -n "s/^ *\(Usage: \)\{0,1\}${tool##*/} \([a-z]\{1,\}\).*/\2/p" <<<"$help" | sort -u)" -- "$cur")
        return
    fi
    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$(grep -oE -- '--[a-z][a-z0-9-]*' <<<"$help" | sort -u)" -- "$cur")
    else
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    fi
}
complete -F _vidclass_complete vidclass-weights vidclass-embed vidclass-pack vidclass-train vidclass-batch \
    vidclass-predict vidclass-results
