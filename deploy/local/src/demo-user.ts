/**
 * The demo account of the local stack: created on the first start, given a new
 * random password on every start (printed once), so there is never a known
 * password and the printed one always works.
 */
export async function provisionDemoUser(authApiUrl: string, adminToken: string): Promise<{ username: string; password: string }> {
  const headers = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
  const username = 'demo';
  const created = await fetch(`${authApiUrl}/v1/users`, { method: 'POST', headers, body: JSON.stringify({ username, generatePassword: true, home: username }) });
  if (created.status === 409) {
    const reset = await fetch(`${authApiUrl}/v1/users/${username}/password`, { method: 'PUT', headers, body: JSON.stringify({ generatePassword: true }) });
    return { username, password: await generatedPassword(reset, 'set a new password for') };
  }
  return { username, password: await generatedPassword(created, 'create') };
}

async function generatedPassword(response: Response, action: string): Promise<string> {
  const body = (await response.json().catch(() => ({}))) as { generatedPassword?: string; error?: { message?: string } };
  if (!response.ok || typeof body.generatedPassword !== 'string') {
    throw new Error(`could not ${action} the demo user (HTTP ${response.status}${body.error?.message ? `: ${body.error.message}` : ''})`);
  }
  return body.generatedPassword;
}
