/**
 * The runners' error. A runner never throws for a patch or kernel failure (those are results in
 * the RunResult); it throws InfraError, and only that, when its own machinery failed.
 */
import { DaxbotError } from '../config/errors.ts';

/**
 * The machinery failed, not the patch or the kernel: QEMU died, the host ran out of
 * disk, a tool is missing. Runners throw only this; patch and kernel failures are results.
 */
export class InfraError extends DaxbotError {
  constructor(message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('infra', message, context, options);
  }
}
