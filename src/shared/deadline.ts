// A promise with a deadline: for clients that have no request timeout of their own (Chroma's)
// or that wait out outages by design (the worker's Redis), where a caller must not wait as long.
// The underlying work is not cancelled; its late result is ignored.
export function withDeadline<T>(p: Promise<T>, ms: number, timeoutError: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError()), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}
