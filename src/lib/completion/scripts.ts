// The completion scripts `kafkit autocomplete bash|zsh|fish` prints. Each is a thin shell
// function that hands the line typed so far to the hidden `kafkit __complete` and offers what it
// prints: one candidate per line (`value<TAB>description`), or the one line `:files` for a file
// name. Why not @oclif/plugin-autocomplete's own scripts: they are static (commands and flags
// baked in) and cannot call out for topics, groups or profiles; its bash script also loses the
// command once a flag precedes the cursor. One completer in TypeScript serves all three shells
// the same way and is tested once (src/lib/completion/).

export const SHELLS = ['bash', 'zsh', 'fish'] as const
export type Shell = (typeof SHELLS)[number]

const bash = (bin: string) => `# kafkit completion for bash: eval "$(${bin} autocomplete bash)" in ~/.bashrc
_${bin}_complete() {
  local line=\${COMP_LINE:0:COMP_POINT}
  # What readline replaces: the text after the last word-break character (= and : included).
  local rlword=\${line##*[\${COMP_WORDBREAKS// /}[:space:]]}
  local out
  out=$(command ${bin} __complete bash -- "$line" "$rlword" 2>/dev/null) || return 0
  if [[ $out == ":files" ]]; then
    compopt -o filenames 2>/dev/null
    local IFS=$'\\n'
    COMPREPLY=($(compgen -f -- "$rlword"))
    return 0
  fi
  local IFS=$'\\n' c
  COMPREPLY=()
  for c in $out; do
    COMPREPLY+=("\${c%%$'\\t'*}")
    # Words that go on (--topic orders:, -X key=) get no space after them.
    [[ $c == *[=:,] || $c == *[=:,]$'\\t'* ]] && compopt -o nospace 2>/dev/null
  done
  return 0
}
complete -F _${bin}_complete ${bin}
`

const zsh = (bin: string) => `#compdef ${bin}
# kafkit completion for zsh: source <(${bin} autocomplete zsh) in ~/.zshrc
_${bin}() {
  local out line value shown
  local -a spaced spaced_shown nospace nospace_shown
  out=$(command ${bin} __complete zsh -- "\${(@)words[2,CURRENT-1]}" "$PREFIX" 2>/dev/null) || return 1
  if [[ $out == ":files" ]]; then
    _files
    return
  fi
  for line in "\${(@f)out}"; do
    [[ -z $line ]] && continue
    value=\${line%%$'\\t'*}
    shown=$value
    [[ $line == *$'\\t'* ]] && shown="$value  -- \${line#*$'\\t'}"
    if [[ $value == *[=:,] ]]; then
      nospace+=("$value"); nospace_shown+=("$shown")
    else
      spaced+=("$value"); spaced_shown+=("$shown")
    fi
  done
  (( \${#spaced} )) && compadd -Q -l -d spaced_shown -a spaced
  (( \${#nospace} )) && compadd -Q -l -S '' -d nospace_shown -a nospace
  return 0
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _${bin} "$@"
else
  # Sourced from ~/.zshrc: start zsh's completion system if nothing has yet.
  (( $+functions[compdef] )) || { autoload -Uz compinit && compinit }
  compdef _${bin} ${bin}
fi
`

const fish = (bin: string) => `# kafkit completion for fish: mkdir -p ~/.config/fish/completions && ${bin} autocomplete fish > ~/.config/fish/completions/${bin}.fish
function __${bin}_complete
  set -l out (command ${bin} __complete fish -- (commandline -opc)[2..-1] (commandline -ct) 2>/dev/null)
  if test (count $out) -eq 1; and test "$out[1]" = ":files"
    __fish_complete_path (commandline -ct)
    return
  end
  printf '%s\\n' $out
end
complete -c ${bin} -f -a '(__${bin}_complete)'
`

export function completionScript(shell: Shell, bin: string): string {
  switch (shell) {
    case 'bash':
      return bash(bin)
    case 'zsh':
      return zsh(bin)
    case 'fish':
      return fish(bin)
  }
}
