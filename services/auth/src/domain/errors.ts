import { FerryError } from '@ferry/contracts';

/** The user name is taken by a user that exists (a deleted user's name may be re-created). */
export class UserAlreadyExistsError extends FerryError {
  override readonly name = 'UserAlreadyExistsError';
  constructor(readonly username: string) {
    super('USER_ALREADY_EXISTS', `user ${username} already exists`);
  }
}

/** No such user, or the user was deleted. */
export class UserNotFoundError extends FerryError {
  override readonly name = 'UserNotFoundError';
  constructor(readonly username: string) {
    super('USER_NOT_FOUND', `user ${username} does not exist`);
  }
}

/** A new password breaks the policy; the message never contains the password. */
export class PasswordPolicyError extends FerryError {
  override readonly name = 'PasswordPolicyError';
  readonly field = 'password';
  constructor(message: string) {
    super('PASSWORD_POLICY', message);
  }
}
