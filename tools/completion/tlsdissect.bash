# bash completion for tlsdissect (installed by `make install`; or source it).
# Every option of `tlsdissect --help` is here; tests/cli/install.sh checks.
_tlsdissect()
{
    local cur prev opts check_opts
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    opts="-r -i -o -w -c -s -p -Z -q -v -vv -l -n -D -h --files --list-interfaces --json --explain --color
          --no-color --keylog-file --ca-file --ca-path --max-handshake-size --max-connections --idle-timeout
          --max-tls-buffers --app-data --show-secrets --sni --conn --html --summary --help --version"
    check_opts="--rules --update --verbose --junit --ca-file --ca-path --help"

    case $prev in
    -r|-o|-w|--html|--ca-file|--keylog-file|--rules|--junit)
        COMPREPLY=($(compgen -f -- "$cur"))
        return ;;
    --ca-path)
        COMPREPLY=($(compgen -d -- "$cur"))
        return ;;
    -i)
        COMPREPLY=($(compgen -W "$(ls /sys/class/net 2>/dev/null)" -- "$cur"))
        return ;;
    -Z)
        COMPREPLY=($(compgen -u -- "$cur"))
        return ;;
    -c|-s)
        return ;;
    --color)
        COMPREPLY=($(compgen -W "auto always never" -- "$cur"))
        return ;;
    esac
    if [ "${COMP_WORDS[1]}" = check ]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$check_opts" -- "$cur"))
        else
            COMPREPLY=($(compgen -f -- "$cur"))
        fi
        return
    fi
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    elif [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "check $opts" -- "$cur"))
    fi
}
complete -o filenames -F _tlsdissect tlsdissect
