import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { defaultProfile, type UserAdmin, type WriteResult } from '../user-admin.js';
import { UserNotFoundError } from '../domain/errors.js';
import {
  actorOf,
  AuditEntrySchema,
  ChangeProfileBody,
  CreateUserBody,
  DisableBody,
  expectedVersionOf,
  InvalidRequestError,
  parseRequest,
  SetPasswordBody,
  ShowQuery,
  UserParams,
  UserViewSchema,
  WriteResultSchema,
} from './schemas.js';

export interface RouteSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** fastify syntax: /v1/users/:username */
  readonly url: string;
  readonly summary: string;
  readonly body?: z.ZodType;
  /** The body must be sent (create, profile change); otherwise it may be left out. */
  readonly bodyRequired?: boolean;
  readonly query?: z.ZodType;
  /** Sends If-Match and X-Ferry-Actor (mutations of an existing user). */
  readonly concurrency?: boolean;
  readonly status: number;
  readonly response: z.ZodType;
  readonly handle: (request: FastifyRequest) => unknown;
}

const WriteResponse = WriteResultSchema;

interface RouteHelpers {
  readonly username: (request: FastifyRequest) => string;
  readonly by: (request: FastifyRequest) => string;
  readonly expectedVersion: (request: FastifyRequest) => { expectedVersion?: number };
}

const helpers: RouteHelpers = {
  username: (request) => parseRequest(UserParams, request.params).username,
  by: (request) => actorOf(request.headers['x-ferry-actor']),
  expectedVersion: (request) => {
    const version = expectedVersionOf(request.headers['if-match']);
    return version === undefined ? {} : { expectedVersion: version };
  },
};

/** Every admin route, in one table: registered by buildApp and described by the OpenAPI document. */
export function userRoutes(admin: UserAdmin): RouteSpec[] {
  const { username, by, expectedVersion } = helpers;
  return [
    listRoute(admin),
    createRoute(admin, helpers),
    showRoute(admin, helpers),
    profileRoute(admin, helpers),
    passwordRoute(admin, helpers),
    disableRoute(admin, helpers),
    mutation('POST', '/v1/users/:username/enable', 'Enable a disabled user', (request) => admin.enable({ username: username(request), by: by(request), ...expectedVersion(request) })),
    mutation('DELETE', '/v1/users/:username', 'Delete a user (the name may be created again later)', (request) =>
      admin.delete({ username: username(request), by: by(request), ...expectedVersion(request) }),
    ),
  ];
}

function listRoute(admin: UserAdmin): RouteSpec {
  return {
    method: 'GET',
    url: '/v1/users',
    summary: 'List users (deleted users are left out)',
    status: 200,
    response: z.object({ users: z.array(UserViewSchema) }),
    handle: () => ({ users: admin.list() }),
  };
}

function createRoute(admin: UserAdmin, { by }: RouteHelpers): RouteSpec {
  return {
    method: 'POST',
    url: '/v1/users',
    summary: 'Create a user; without a password one is generated and returned once. 409 USER_ALREADY_EXISTS when the name is taken',
    body: CreateUserBody,
    bodyRequired: true,
    status: 201,
    response: WriteResponse,
    handle: (request) => {
      const { username, password, generatePassword, ...profile } = parseRequest(CreateUserBody, request.body);
      return admin.create({ username, profile: { ...defaultProfile(username), ...profile }, by: by(request), ...passwordChoice(password, generatePassword) });
    },
  };
}

function showRoute(admin: UserAdmin, { username }: RouteHelpers): RouteSpec {
  return {
    method: 'GET',
    url: '/v1/users/:username',
    summary: 'Show a user with its latest events (an audit trail without password hashes)',
    query: ShowQuery,
    status: 200,
    response: z.object({ user: UserViewSchema, events: z.array(AuditEntrySchema) }),
    handle: async (request) => {
      const name = username(request);
      const shown = await admin.show(name, parseRequest(ShowQuery, request.query).events);
      if (shown === undefined) throw new UserNotFoundError(name);
      return shown;
    },
  };
}

function profileRoute(admin: UserAdmin, { username, by, expectedVersion }: RouteHelpers): RouteSpec {
  return {
    method: 'PATCH',
    url: '/v1/users/:username',
    summary: 'Change profile fields (home, permissions, maxSessions, allowedCidrs, quotas)',
    body: ChangeProfileBody,
    bodyRequired: true,
    concurrency: true,
    status: 200,
    response: WriteResponse,
    handle: (request) => {
      const changes = parseRequest(ChangeProfileBody, request.body);
      if (Object.keys(changes).length === 0) throw new InvalidRequestError('(body)', '(body): expected at least one profile field to change');
      return admin.changeProfile({ username: username(request), changes, by: by(request), ...expectedVersion(request) });
    },
  };
}

function passwordRoute(admin: UserAdmin, { username, by, expectedVersion }: RouteHelpers): RouteSpec {
  return {
    method: 'PUT',
    url: '/v1/users/:username/password',
    summary: 'Set the password; without one a password is generated and returned once',
    body: SetPasswordBody,
    concurrency: true,
    status: 200,
    response: WriteResponse,
    handle: (request) => {
      const { password, generatePassword } = parseRequest(SetPasswordBody, request.body);
      return admin.setPassword({ username: username(request), by: by(request), ...passwordChoice(password, generatePassword), ...expectedVersion(request) });
    },
  };
}

function disableRoute(admin: UserAdmin, { username, by, expectedVersion }: RouteHelpers): RouteSpec {
  return {
    method: 'POST',
    url: '/v1/users/:username/disable',
    summary: 'Disable a user: logins are refused until it is enabled again',
    body: DisableBody,
    concurrency: true,
    status: 200,
    response: WriteResponse,
    handle: (request) => {
      const { reason } = parseRequest(DisableBody, request.body);
      return admin.disable({ username: username(request), by: by(request), ...(reason === undefined ? {} : { reason }), ...expectedVersion(request) });
    },
  };
}

function mutation(method: RouteSpec['method'], url: string, summary: string, handle: (request: FastifyRequest) => Promise<WriteResult>): RouteSpec {
  return { method, url, summary, concurrency: true, status: 200, response: WriteResponse, handle };
}

function passwordChoice(password: string | undefined, generatePassword: boolean | undefined): { password?: string } {
  if (password !== undefined && generatePassword === true) throw new InvalidRequestError('generatePassword', 'generatePassword: send either a password or generatePassword: true, not both');
  if (password === undefined && generatePassword === false) throw new InvalidRequestError('password', 'password: required when generatePassword is false');
  return password === undefined ? {} : { password };
}
