// The text the lexical index sees, for chunks and queries alike: runs of letters and digits,
// in any script, separated by single spaces. PostgreSQL's parser would otherwise keep a file
// path, a URL, an e-mail address or a version as one token ("/usr/share/doc"), which a reader
// quoting its words ("usr share") never types, and would add hyphenated words whole beside their
// parts.
const NOT_WORD = /[^\p{L}\p{N}]+/gu;

export const lexicalText = (text: string): string => text.replace(NOT_WORD, ' ').trim();
