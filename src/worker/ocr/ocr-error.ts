// A page that could not be recognised: past its time (OcrTimeout), or the engine failed on it or
// is not there (OcrFailed). Its name is the error type a document ends with when no page of it
// had text but these.
export class OcrError extends Error {
  override readonly name: 'OcrTimeout' | 'OcrFailed';
  constructor(type: 'OcrTimeout' | 'OcrFailed', message: string) {
    super(message);
    this.name = type;
  }
}
