import type { Page } from 'playwright-core';
import { PASSWORD } from '../integration/harness.js';

/** Signs in through the login form, as an officer would type it. */
export async function signIn(page: Page, badge: string, password = PASSWORD): Promise<void> {
  await page.getByLabel('警号').fill(badge);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
}

/** Collects CSP violations and uncaught page errors; a test expects the list to stay empty. */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return problems;
}

/** How many records the sync indicator says are still waiting to be sent. */
export async function recordsWaiting(page: Page): Promise<number> {
  return Number(await page.getByTestId('sync-waiting').getAttribute('data-waiting'));
}
