# One image, three entry points: `controller`, `api`, `worker` (see src/main.ts).
# syntax=docker/dockerfile:1

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The `node` dev dependency pins Node 24 for local scripts; the image already is Node 24.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# chromadb's optional server addon (`chroma run`, 46 MB) goes: the data plane uses its HTTP client only.
RUN npm ci --omit=dev --ignore-scripts \
 && rm -rf node_modules/chromadb-js-bindings-* node_modules/chromadb/node_modules/chromadb-js-bindings-* \
 && npm cache clean --force

FROM node:24-bookworm-slim
# The worker recognises pages without a text layer with Tesseract, with the language data the CRD
# offers (spec.workers.ocr.languages: eng, deu, fra, spa), from Debian's packages.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu tesseract-ocr-fra tesseract-ocr-spa \
 && rm -rf /var/lib/apt/lists/*
# The worker caps its parser processes' and Tesseract's address space with prlimit(1) from
# util-linux, which Debian images carry as an essential package; fail the build if either is missing.
RUN command -v prlimit && command -v tesseract
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# The `node` user (uid 1000) of the official image; the operator's pods run as this uid.
USER 1000:1000
ENTRYPOINT ["node", "dist/main.js"]
CMD ["controller"]
