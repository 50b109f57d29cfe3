import { z } from 'zod';
import { ErrorSchema, UserParams } from './schemas.js';
import type { RouteSpec } from './user-routes.js';

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'openapi-3.0' });
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: jsonSchema(ErrorSchema, 'output') } } });

/** The OpenAPI 3.0 document of the admin API, generated from the route table's zod schemas. */
export function openApiDocument(routes: readonly RouteSpec[], version: string): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.0.3',
    info: { title: 'Ferry auth admin API', version, description: 'Users of the Ferry FTP platform. Every route except this document needs Authorization: Bearer <FERRY_ADMIN_TOKEN>.' },
    components: { securitySchemes: { adminToken: { type: 'http', scheme: 'bearer' } } },
    security: [{ adminToken: [] }],
    paths,
  };
}

function operation(route: RouteSpec): object {
  const parameters: object[] = [];
  if (route.url.includes(':username')) {
    const params = jsonSchema(UserParams, 'input') as { properties?: Record<string, object> };
    parameters.push({ name: 'username', in: 'path', required: true, schema: params.properties?.username ?? { type: 'string' } });
  }
  if (route.query !== undefined) {
    const query = jsonSchema(route.query, 'input') as { properties?: Record<string, object> };
    for (const [name, schema] of Object.entries(query.properties ?? {})) parameters.push({ name, in: 'query', required: false, schema });
  }
  if (route.concurrency === true) {
    parameters.push({ name: 'If-Match', in: 'header', required: false, description: 'the version you based the change on; 409 USER_CHANGED_CONCURRENTLY if the user changed since', schema: { type: 'string' } });
  }
  parameters.push({ name: 'X-Ferry-Actor', in: 'header', required: false, description: 'who makes the change, for the audit trail', schema: { type: 'string' } });
  return {
    summary: route.summary,
    parameters,
    ...(route.body === undefined ? {} : { requestBody: { required: route.bodyRequired === true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } }),
    responses: {
      [String(route.status)]: { description: 'OK', content: { 'application/json': { schema: jsonSchema(route.response, 'output') } } },
      '400': errorResponse('INVALID_REQUEST or PASSWORD_POLICY; error.field names the bad field'),
      '401': errorResponse('UNAUTHORIZED: missing or wrong admin token'),
      '404': errorResponse('USER_NOT_FOUND'),
      '409': errorResponse('USER_ALREADY_EXISTS or USER_CHANGED_CONCURRENTLY'),
      '503': errorResponse('AUTH_NOT_READY or AUTH_STORE_UNAVAILABLE: retry later'),
    },
  };
}
