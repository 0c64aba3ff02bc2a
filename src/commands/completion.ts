// Shell completion. `kubectl dask completion bash|zsh|fish` prints a script for the kubectl-dask
// command itself; `kubectl dask <TAB>` goes through kubectl's own completion, which runs the
// `kubectl_complete-dask` executable shipped beside the plugin, which runs `kubectl-dask __complete
// WORDS...`. The launcher turns that into `completion __complete -- WORDS...`, so the words reach
// this module unparsed. The answer uses the protocol kubectl reads from plugins (cobra's): one
// `value<TAB>description` per line, then `:<directive>`.
//
// Commands and flags come from the parser that cli.ts configured, so new commands complete without
// a change here; cluster names come from one list call with a short timeout, and nothing is printed
// for them on any error: a completion must never show an error or hang the shell.
import type { Argv, CommandModule, Options } from 'yargs';
import { type GlobalArgs, globalOptions } from './options.ts';
import type { KubeTarget } from '../kube/connect.ts';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export const COMPLETE_WORD = '__complete';
/** How long a completion waits for the API server before it offers no cluster names. */
const LIST_TIMEOUT_MS = 1500;

/** cobra's ShellCompDirective bits that matter here. */
export const Directive = { default: 0, noFileComp: 4 } as const;

interface CompletionArgs extends GlobalArgs {
  shell: string;
  '--'?: (string | number)[];
}

/** One command as completion sees it. */
export interface CommandInfo {
  name: string;
  aliases: string[];
  describe: string;
  positionals: string[];
  options: Record<string, Options>;
}

export interface Candidates {
  values: { value: string; describe?: string }[];
  directive: number;
  /** Set when the last word names something the kubeconfig or the cluster knows: the caller
   * lists the clusters, namespaces or contexts the connection flags point at. */
  lookup?: { kind: 'clusters' | 'namespaces' | 'contexts'; prefix: string; target: KubeTarget };
}

export const completionCommand: CommandModule<GlobalArgs, CompletionArgs> = {
  command: 'completion <shell>',
  describe: 'Print a shell completion script (bash, zsh or fish)',
  builder: (y: Argv<GlobalArgs>) => {
    // The builder runs after yargs cleared the command table for this command's own context; the
    // top-level table is kept as its last frozen copy.
    commands = readCommandTable(y);
    return y
      .positional('shell', { type: 'string', describe: 'bash, zsh or fish' })
      .parserConfiguration({ 'populate--': true })
      .example('source <($0 completion bash)', 'Complete kubectl-dask in this bash session')
      .example('$0 completion zsh > "${fpath[1]}/_kubectl-dask"', 'Install for zsh')
      .example('$0 completion fish > ~/.config/fish/completions/kubectl-dask.fish', 'Install for fish')
      .epilogue(
        '`kubectl dask <TAB>` completes through kubectl\'s own completion (kubectl completion bash|zsh|fish) ' +
          'once the kubectl_complete-dask executable from the release archive is on your PATH.',
      ) as unknown as Argv<CompletionArgs>;
  },
  handler: async (args) => {
    if (args.shell === COMPLETE_WORD) {
      const words = (args['--'] ?? []).map(String);
      await printCandidates(await complete(commands, words));
      return;
    }
    const script = completionScript(args.shell);
    if (script === undefined) {
      const { UsageError } = await import('../core/errors.ts');
      throw new UsageError(`unsupported shell "${args.shell}": use bash, zsh or fish`);
    }
    process.stdout.write(script);
  },
};

let commands: CommandInfo[] = [];

interface YargsHandler {
  original: string;
  description: string | false;
  builder?: unknown;
}

/** The top-level commands registered on the parser, with the flags their builders declare. */
function readCommandTable(y: Argv<GlobalArgs>): CommandInfo[] {
  // yargs keeps no public list of commands. Its command instance is internal but has been stable
  // through 17 and 18; test/unit/package/completion.test.ts checks the table against `--help`.
  type Table = { handlers: Record<string, YargsHandler>; aliasMap: Record<string, string> };
  const instance = (y as unknown as { getInternalMethods(): { getCommandInstance(): { frozens?: Table[] } } }).getInternalMethods().getCommandInstance();
  const top = instance.frozens?.at(-1);
  return top ? commandTable(top.handlers, top.aliasMap) : [];
}

/** Turns yargs' command handlers and alias map into CommandInfo; exported for tests. */
export function commandTable(handlers: Record<string, YargsHandler>, aliasMap: Record<string, string> = {}): CommandInfo[] {
  const table: CommandInfo[] = [];
  for (const [name, handler] of Object.entries(handlers)) {
    if (handler.description === false) continue;
    // original is the usage string, e.g. "status [name]" or "logs <name> [files..]".
    const positionals = String(handler.original)
      .split(/\s+/)
      .slice(1)
      .map((token) => token.replace(/^[[<]/, '').replace(/[\]>]$/, '').replace(/\.\.$/, ''));
    table.push({
      name,
      aliases: Object.keys(aliasMap).filter((alias) => aliasMap[alias] === name),
      describe: handler.description || '',
      positionals,
      options: recordOptions(handler.builder),
    });
  }
  return table;
}

/** Runs a command builder against a stand-in that only records the options it declares. */
function recordOptions(builder: unknown): Record<string, Options> {
  const options: Record<string, Options> = {};
  if (builder && typeof builder === 'object') return { ...(builder as Record<string, Options>) };
  if (typeof builder !== 'function') return options;
  const recorder: unknown = new Proxy(
    {},
    {
      get(_, prop) {
        if (prop === 'then') return undefined;
        if (prop === 'option' || prop === 'options') {
          return (key: string | Record<string, Options>, opt?: Options) => {
            if (typeof key === 'string') options[key] = opt ?? {};
            else Object.assign(options, key);
            return recorder;
          };
        }
        return () => recorder;
      },
    },
  );
  try {
    builder(recorder, false);
  } catch {
    // a builder that needs the real parser: complete its flags as unknown
  }
  return options;
}

const helpOption: Record<string, Options> = { help: { alias: 'h', type: 'boolean', describe: 'Show help' } };

function takesValue(option: Options | undefined): boolean {
  return option !== undefined && option.type !== 'boolean' && option.boolean !== true && option.count !== true;
}

function aliasesOf(option: Options): string[] {
  const alias: string | readonly string[] | undefined = option.alias;
  return alias === undefined ? [] : typeof alias === 'string' ? [alias] : [...alias];
}

function findOption(options: Record<string, Options>, word: string): [string, Options] | undefined {
  const name = word.replace(/^--?/, '').replace(/^no-/, '');
  for (const [key, option] of Object.entries(options)) {
    if (key === name || aliasesOf(option).includes(name)) return [key, option];
  }
  return undefined;
}

/** What to offer for the last of words (the word being typed, '' for a new one). Pure. */
export function complete(table: CommandInfo[], words: string[]): Candidates {
  const current = words.at(-1) ?? '';
  const before = words.slice(0, -1);
  const global: Record<string, Options> = { ...globalOptions, ...helpOption };
  const connection: KubeTarget = {};
  let command: CommandInfo | undefined;
  const positionals: string[] = [];
  let pending: [string, Options] | undefined;
  for (const word of before) {
    const options = { ...global, ...command?.options };
    if (pending) {
      const [key] = pending;
      if (key === 'kubeconfig' || key === 'context' || key === 'namespace') connection[key] = word;
      pending = undefined;
      continue;
    }
    if (word.startsWith('-') && word !== '-') {
      const [flag, value] = word.split(/=(.*)/s, 2) as [string, string | undefined];
      const found = findOption(options, flag);
      if (found && takesValue(found[1])) {
        if (value === undefined) pending = found;
        else if (found[0] === 'kubeconfig' || found[0] === 'context' || found[0] === 'namespace') connection[found[0]] = value;
      }
      continue;
    }
    if (!command) command = table.find((c) => c.name === word || c.aliases.includes(word));
    else positionals.push(word);
  }
  const matching = (values: { value: string; describe?: string }[]) => values.filter((v) => v.value.startsWith(current));
  const none: Candidates = { values: [], directive: Directive.noFileComp };

  const flagValues = ([key, option]: [string, Options], typed: string): Candidates => {
    const values = (list: string[]) => list.filter((v) => v.startsWith(typed)).map((value) => ({ value }));
    if (key === 'kubeconfig') return { values: [], directive: Directive.default };
    if (key === 'output') return { values: values(['json', 'yaml']), directive: Directive.noFileComp };
    if (key === 'namespace' || key === 'context') return { ...none, lookup: { kind: key === 'namespace' ? 'namespaces' : 'contexts', prefix: typed, target: connection } };
    if (Array.isArray(option.choices)) return { values: values(option.choices.map(String)), directive: Directive.noFileComp };
    return none;
  };
  if (pending) return flagValues(pending, current);
  // --output=j: the value after "=", offered bare, as cobra offers it (the shells complete what follows the "=").
  const withValue = /^(-[^=]+)=(.*)$/s.exec(current);
  if (withValue) {
    const found = findOption({ ...global, ...command?.options }, withValue[1]!);
    return found && takesValue(found[1]) ? flagValues(found, withValue[2]!) : none;
  }
  if (current.startsWith('-')) {
    const options = { ...global, ...command?.options };
    const values: { value: string; describe?: string }[] = [];
    for (const [key, option] of Object.entries(options)) {
      if (option.hidden) continue;
      const describe = typeof option.describe === 'string' ? option.describe : typeof option.description === 'string' ? option.description : undefined;
      values.push({ value: `--${key}`, ...(describe ? { describe } : {}) });
      if (option.type === 'boolean' && option.default === true) values.push({ value: `--no-${key}`, ...(describe ? { describe } : {}) });
      for (const alias of aliasesOf(option)) if (alias.length === 1) values.push({ value: `-${alias}`, ...(describe ? { describe } : {}) });
    }
    return { values: matching(values), directive: Directive.noFileComp };
  }
  if (!command) {
    return { values: matching(table.map((c) => ({ value: c.name, describe: c.describe }))), directive: Directive.noFileComp };
  }
  const positional = command.positionals[positionals.length];
  if (positional === 'shell') return { values: matching(SHELLS.map((s) => ({ value: s }))), directive: Directive.noFileComp };
  if (positional === 'name') return { ...none, lookup: { kind: 'clusters', prefix: current, target: connection } };
  return none;
}

const LOOKUP_DESCRIPTION = { clusters: 'Dask cluster', namespaces: 'namespace', contexts: 'kubeconfig context' } as const;

/** Prints candidates in kubectl's plugin completion format, listing what a lookup asks for. */
async function printCandidates(candidates: Candidates): Promise<void> {
  let values = candidates.values;
  let timedOut = false;
  if (candidates.lookup) {
    const { kind, prefix, target } = candidates.lookup;
    const names = (await lookupNames(kind, target, () => (timedOut = true))) ?? [];
    values = names.filter((name) => name.startsWith(prefix)).map((value) => ({ value, describe: LOOKUP_DESCRIPTION[kind] }));
  }
  const lines = values.map((v) => (v.describe ? `${v.value}\t${v.describe.replace(/\s+/g, ' ')}` : v.value));
  const text = `${[...lines, `:${candidates.directive}`].join('\n')}\n`;
  // A list call that timed out still holds a socket: leave once the answer is written.
  await new Promise<void>((resolve) => process.stdout.write(text, () => resolve()));
  if (timedOut) process.exit(0);
}

/** The names a lookup asks for (contexts from the kubeconfig, the rest from the cluster), or undefined on any error or after the timeout. */
async function lookupNames(
  kind: 'clusters' | 'namespaces' | 'contexts',
  target: KubeTarget,
  onTimeout: () => void,
): Promise<string[] | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      onTimeout();
      resolve(undefined);
    }, LIST_TIMEOUT_MS);
  });
  const list = (async () => {
    try {
      if (kind === 'contexts') return (await import('../kube/connect.ts')).contextNames(target).sort();
      const [{ KubeClient }, { clusterSelector, LABEL }] = await Promise.all([import('../kube/client.ts'), import('../core/spec.ts')]);
      const client = await KubeClient.connect(target);
      if (kind === 'namespaces') return (await client.listNamespaceNames()).sort();
      const deployments = await client.listDeployments(clusterSelector(), client.namespace);
      const names = deployments.map((d) => d.metadata?.labels?.[LABEL.instance]).filter((n): n is string => typeof n === 'string');
      return [...new Set(names)].sort();
    } catch {
      return undefined;
    }
  })();
  try {
    return await Promise.race([list, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The completion script for shell, or undefined for a shell we have none for. */
export function completionScript(shell: string): string | undefined {
  switch (shell) {
    case 'bash':
      return BASH;
    case 'zsh':
      return ZSH;
    case 'fish':
      return FISH;
    default:
      return undefined;
  }
}

const header = (comment: string) => `${comment} Completion for kubectl-dask, printed by \`kubectl dask completion\`.
${comment} \`kubectl dask <TAB>\` completes through kubectl's own completion instead, once the
${comment} kubectl_complete-dask executable from the release archive is on your PATH.
`;

// bash splits --flag=value into three COMP_WORDS at the "=" (COMP_WORDBREAKS): the words are
// read from the line as typed instead, and what bash completes is what follows the "=".
const BASH = `${header('#')}_kubectl_dask() {
  local line=\${COMP_LINE:0:COMP_POINT} cur out directive
  local -a words
  read -ra words <<< "$line"
  [[ $line == *[[:space:]] ]] && words+=('')
  words=("\${words[@]:1}")
  cur=\${words[\${#words[@]}-1]}
  [[ $cur == -*=* ]] && cur=\${cur#*=}
  out=$(kubectl-dask __complete "\${words[@]}" 2>/dev/null) || return 0
  directive=\${out##*:}
  COMPREPLY=()
  while IFS= read -r line; do
    [[ -z $line || $line == :* ]] && continue
    COMPREPLY+=("\${line%%$'\\t'*}")
  done <<< "$out"
  if (( \${#COMPREPLY[@]} == 0 )) && (( (directive & 4) == 0 )); then
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -F _kubectl_dask kubectl-dask
`;

const ZSH = `#compdef kubectl-dask
${header('#')}_kubectl_dask() {
  local -a lines comps
  local line directive
  lines=("\${(@f)$(kubectl-dask __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  directive=\${lines[-1]#:}
  # The values of --flag=value come bare: complete what follows the "=".
  [[ $PREFIX == -*=* ]] && compset -P '*='
  for line in "\${(@)lines[1,-2]}"; do
    [[ -z $line ]] && continue
    if [[ $line == *$'\\t'* ]]; then
      comps+=("\${\${line%%$'\\t'*}//:/\\\\:}:\${line#*$'\\t'}")
    else
      comps+=("\${line//:/\\\\:}")
    fi
  done
  if (( \${#comps} )); then
    _describe -t values 'kubectl-dask' comps
  elif (( (directive & 4) == 0 )); then
    _files
  fi
}
if [[ $zsh_eval_context[-1] == loadautoload ]]; then
  _kubectl_dask "$@"
else
  compdef _kubectl_dask kubectl-dask
fi
`;

const FISH = `${header('#')}function __kubectl_dask_complete
    set -l current (commandline -ct)
    # Quoted, so that a new word (nothing typed yet) is still a word.
    set -l words (commandline -opc) "$current"
    # The values of --flag=value come bare, and fish completes the whole token: put the flag back.
    set -l flag (string match -r -- '^-[^=]*=' "$current")
    kubectl-dask __complete $words[2..-1] 2>/dev/null | string match -v -r '^:' | string replace -r -- '^' "$flag"
end
complete -c kubectl-dask -f -a '(__kubectl_dask_complete)'
`;
