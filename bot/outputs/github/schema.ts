/** Configuration of a GitHub output: check runs on the pull requests of one repository. */
import { z } from 'zod';

export const githubOutputSchema = z
  .object({
    kind: z.literal('github'),
    /** Names this output in the store and the logs; defaults to the kind. */
    name: z.string().min(1).optional(),
    /** The repository whose pull requests the `github` source reads, e.g. pmem/ndctl. */
    owner: z.string().regex(/^[\w.-]+$/),
    repo: z.string().regex(/^[\w.-]+$/),
    /** The REST API's address (GitHub Enterprise, or a local server in tests). */
    apiUrl: z.string().url().default('https://api.github.com'),
    /** Environment variable holding a token allowed to write checks (a GitHub App's). */
    tokenEnv: z.string().min(1).default('DAXBOT_GITHUB_TOKEN'),
    /** Check runs are named `<context>-<runner>`. */
    context: z
      .string()
      .regex(/^[\w-]+$/)
      .default('daxbot'),
    /** Time for one post, in milliseconds. */
    timeoutMs: z.number().int().positive().default(60_000),
  })
  .strict();

export type GithubOutputConfig = z.infer<typeof githubOutputSchema>;
