// One shape for every error the server sends: a status and `{ error: { code, message, field? } }`.
// The codes are one union, so a client (Web Chat, the staff console, a monitor) can rely on them;
// the message is for a person reading it and never quotes what the citizen wrote.
import type restify from 'restify';

export type ErrorCode =
  // The request itself
  | 'BadArgument'
  | 'BadRequest'
  | 'MissingProperty'
  | 'PayloadTooLarge'
  | 'UnsupportedMediaType'
  | 'UploadNotSupported'
  | 'InsecureConnection'
  // Who is asking
  | 'Unauthorized'
  | 'MissingToken'
  | 'BadToken'
  | 'TokenExpired'
  | 'TokenUsed'
  | 'Forbidden'
  // What is asked for
  | 'NotFound'
  /** An agency this installation does not serve (never served, or removed while running). */
  | 'UnknownAgency'
  | 'Conflict'
  | 'MailNotConfigured'
  // Load and availability
  | 'TooManyRequests'
  | 'TooManyStreams'
  | 'Busy'
  | 'ShuttingDown'
  | 'Unavailable'
  | 'ServiceUnavailable'
  // Ours
  | 'BotError'
  | 'Internal';

export interface HttpFailure {
  status: number;
  code: ErrorCode;
  message: string;
  /** The request field at fault, where one is. */
  field?: string;
  /** Sent as Retry-After. */
  retryAfterSeconds?: number;
}

/** The body every error response carries. */
export function errorBody(failure: Pick<HttpFailure, 'code' | 'message' | 'field'>): { error: { code: ErrorCode; message: string; field?: string } } {
  return { error: { code: failure.code, message: failure.message, ...(failure.field === undefined ? {} : { field: failure.field }) } };
}

export function sendFailure(res: restify.Response, failure: HttpFailure): void {
  if (failure.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(failure.retryAfterSeconds));
  res.send(failure.status, errorBody(failure));
}
