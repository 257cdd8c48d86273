// Errors that become an HTTP answer. `code` is stable, machine-readable, and a metric label.
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;
  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = code;
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}
