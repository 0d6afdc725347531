/**
 * The `rovd` command: dispatches to one command per subcommand. Every
 * command returns its exit status; usage errors print one line and exit 2,
 * failures to read or parse input print one line and exit 1.
 */
import { rovdVersion } from '../version.js';
import { UsageError, EXIT_FAILURE, EXIT_USAGE } from './usage-error.js';
import { type CommandIo, VALIDATE_HELP, validateCommand } from './validate-command.js';
import { vrpsCommand } from './vrps-command.js';
import { replayCommand } from './replay-command.js';
import { runCommand } from './run-command.js';
import { demoCommand } from './demo-command.js';
import { vifsCommand } from './vifs-command.js';

type Command = (argv: readonly string[], io: CommandIo) => Promise<number>;

const COMMANDS: Record<string, { run: Command; summary: string }> = {
  run: { run: runCommand, summary: 'run the daemon: BMP in, RPKI from files and RTR caches, routes validated' },
  validate: { run: validateCommand, summary: 'validate routes against VRP files (RFC 6811)' },
  vrps: { run: vrpsCommand, summary: 'print the VRP set of VRP files with SLURM applied' },
  replay: { run: replayCommand, summary: 'validate the routes of MRT files (RIB dumps, updates)' },
  vifs: { run: vifsCommand, summary: 'vifs discover: list the account\'s Direct Connect VIFs as a config fragment' },
  demo: { run: demoCommand, summary: 'no router needed: play a bundled MRT table into rovd over BMP and show what it finds' },
};

function mainHelp(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `Usage: rovd COMMAND [OPTIONS]

rovd: BGP route-origin validation for AWS Direct Connect virtual interfaces.

Commands:
${lines.join('\n')}

Run 'rovd COMMAND --help' for a command's options.

${VALIDATE_HELP}`;
}


export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${mainHelp()}\n`);
    return name === undefined ? EXIT_USAGE : 0;
  }
  if (name === '--version' || name === '-V') {
    io.stdout.write(`rovd ${rovdVersion()}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`rovd: unknown command ${JSON.stringify(name)}; run 'rovd --help' for the list\n`);
    return EXIT_USAGE;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`rovd ${err.message}\n`);
      return EXIT_USAGE;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`rovd ${name}: ${message}\n`);
    return EXIT_FAILURE;
  }
}

