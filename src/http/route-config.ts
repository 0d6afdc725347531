/**
 * What each route declares in its fastify route `config`: the action the
 * access policy decides on (`rovd:ListAlerts`, …). The security plugin
 * refuses a route that declares none (fail closed), except the few open
 * ones (health, readiness, docs).
 */
import type {} from '@fastify/swagger';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The IAM-style action name of the route, e.g. `rovd:GetValidity`. */
    action?: string;
  }
}

export {};
