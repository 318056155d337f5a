/** The configuration of a `github` source: the open pull requests of one repository, as series. */
import { z } from 'zod';
import { sourceSchemaFor } from '../schema.ts';

export const githubSchema = sourceSchemaFor('github', {
  /** The repository, e.g. pmem/ndctl. */
  owner: z.string().regex(/^[\w.-]+$/),
  repo: z.string().regex(/^[\w.-]+$/),
  /** The REST API's address (GitHub Enterprise, or a local server in tests). */
  apiUrl: z.string().url().default('https://api.github.com'),
  /** Environment variable holding a token (read-only access suffices for the source). */
  tokenEnv: z.string().min(1).default('DAXBOT_GITHUB_TOKEN'),
});

export type GithubSourceConfig = z.infer<typeof githubSchema>;
