/**
 * Failures carry their message and stack trace inside an encoded payload, which the payload codec seals like every
 * other (temporal/codec.ts), instead of in plain text beside it. A failure's message is words someone or something
 * wrote: an update validator's refusal echoes dates and field names of the command it refuses, an activity's error
 * can quote a database value or an SMTP server's answer naming a recipient. Plain, each would sit in the workflow's
 * history and the Temporal UI for anyone who reads the server's database; sealed, the server holds "Encoded failure".
 *
 * Loaded by path (the SDK's `failureConverterPath`) because workflow code converts its own failures inside the
 * sandbox: the same module is bundled with the workflows (temporal/worker.ts `caseBundleSettings`) and required by
 * every client and worker outside it (temporal/data-converter.ts).
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
