import { PasswordPolicyError } from './errors.js';

export const PASSWORD_MAX_LENGTH = 1024;

export interface PasswordPolicy {
  readonly minLength: number;
}

/**
 * Length is counted in Unicode code points, so a passphrase in any script is
 * measured the way a person counts it. Throws PasswordPolicyError, whose
 * message describes the rule and never repeats the password.
 */
export function checkPasswordPolicy(password: string, policy: PasswordPolicy): void {
  const length = [...password].length;
  if (length < policy.minLength) throw new PasswordPolicyError(`password must be at least ${policy.minLength} characters long`);
  if (password.length > PASSWORD_MAX_LENGTH) throw new PasswordPolicyError(`password must be at most ${PASSWORD_MAX_LENGTH} characters long`);
  if (password.includes('\0')) throw new PasswordPolicyError('password must not contain NUL characters');
}
