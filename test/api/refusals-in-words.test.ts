/**
 * Every refusal of a request's input names the field and says what is wrong in words a case worker can follow: not
 * zod's own wording ("Invalid input: expected string, received undefined"), and not a list as long as the request. A
 * sweep sends `{}`, `[]` and `null` as the body of every JSON route, and an empty value for every query parameter,
 * through a real stack, as every demo user until one is let in.
 */
import request from 'supertest';
import { startStack, type Stack } from '../support/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

interface Refusal {
  status: number;
  code?: string;
  detail?: string;
  errors?: { field: string; message: string }[];
}

test('a body of 6,000 unknown keys is refused naming the first 10 and how many more, in a short answer', async () => {
  const body = Object.fromEntries(Array.from({ length: 6000 }, (_, i) => [`k${i}`, 1]));
  const res = await request(stack.app)
    .post('/api/cases/search')
    .set(stack.users['demo-police-officer']!.headers)
    .send({ name: 'Words Example', ...body })
    .expect(422);
  const { errors } = res.body as Refusal;
  expect(errors).toEqual([
    ...Array.from({ length: 10 }, (_, i) => ({ field: `k${i}`, message: 'unknown field' })),
    {
      field: '(root)',
      message: 'and 5,990 more unknown fields, not named here: remove every field this API does not take',
    },
  ]);
  expect(res.text.length).toBeLessThan(2000);
});
