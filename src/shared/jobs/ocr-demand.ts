// What pages being recognised add to the demand the autoscalers scale on. Recognising a page
// takes about a hundred times reading one, and a document is about ten pages: a page being
// recognised is a tenth of a document's work still to do. Without it, a few scanned documents
// would hold their workers for minutes while the queue behind them counted as small. Pure.

/** Pages being recognised that weigh one document of demand. */
export const OCR_PAGES_PER_DOCUMENT = 10;

export const ocrDemand = (ocrPages: number): number => Math.ceil(Math.max(0, ocrPages) / OCR_PAGES_PER_DOCUMENT);
