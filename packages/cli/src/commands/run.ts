import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

interface RunCommandOptions {
  environment: string;
  environments: string;
  role?: string;
}

const HELP = `
environments.yml (fleece's format; quote the account so YAML keeps it a string):

  environments:
    - name: dev
      account: '123456789012'
    - name: prod
      account: '210987654321'
      role: Deployer            # a role name in the account, or its ARN

With a role (--role, else the environment's), the role is assumed through STS from the default
credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID…, SSO, instance roles: the SDK's chain). Without one,
the default credentials are used as they are, once STS says they belong to the account.

The command gets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (and
AWS_SECURITY_TOKEN), AWS_CREDENTIAL_EXPIRATION, AWS_ACCOUNT_ID and FLEECE_ENVIRONMENT; AWS_PROFILE
is removed. It runs without a shell, its arguments exactly as given, and fleece exits with its exit
code (128 + N when signal N ended it; 127 when it is not found).

Examples:
  fleece run -e prod -- aws s3 ls
  fleece run -e dev --role ReadOnly -- terraform plan -var 'tags={team="payments"}'
`;

/** Adds `fleece run` to the program. */
export function registerRunCommand(program: Command, context: CliContext): void {
  program
    .command('run')
    .description('run a command with temporary AWS credentials of an environment')
    .argument('<command>', 'the command to run (put -- before it when it has options)')
    .argument('[args...]', 'its arguments, passed exactly as given')
    .requiredOption('-e, --environment <name>', 'the environment, from environments.yml')
    .option('--environments <file>', 'the environments file', 'environments.yml')
    .option('-r, --role <role>', 'the role to assume: a name in the environment\'s account, or an ARN (default: the environment\'s role)')
    .addHelpText('after', HELP)
    .action(async (command: string, args: string[], options: RunCommandOptions) => {
      const { io } = context;
      // Loaded here so that other commands never load STS.
      const [{ findEnvironment }, { environmentCredentials }, { childEnvironment, runCommand }] = await Promise.all([
        import('../run/environment.js'),
        import('../run/credentials.js'),
        import('../run/child-process.js'),
      ]);
      const path = resolve(io.cwd, options.environments);
      const environment = await findEnvironment(path, relative(io.cwd, path) || path, options.environment);
      const credentials = await environmentCredentials(environment, { env: io.env, role: options.role });
      await runCommand(command, args, { cwd: io.cwd, env: childEnvironment(io.env, credentials, environment.name), environmentName: environment.name });
    });
}
