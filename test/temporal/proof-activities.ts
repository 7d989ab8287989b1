import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';

export async function failTimes(failures: number): Promise<{ attempts: number }> {
  const { attempt } = Context.current().info;
  if (attempt <= failures) throw new Error(`transient failure ${attempt}`);
  return { attempts: attempt };
}

export async function rejectAsInvalid(): Promise<never> {
  throw ApplicationFailure.create({ type: 'InvalidRequest', message: 'the request can never succeed' });
}

export async function echo(text: string): Promise<string> {
  return `${text} by ${process.pid}`;
}

/** Fails as an activity whose error quotes what it was given, as a database's or SMTP server's error can. */
export async function failQuoting(text: string): Promise<never> {
  throw ApplicationFailure.nonRetryable(`could not deliver to ${text}`, 'Undeliverable');
}
