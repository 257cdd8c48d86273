// Autoscaling: one simulated day of uploads for 5,500 users (a diurnal curve, folder-sized bursts
// and a 500-upload spike), processed by workers that one of two autoscalers sizes:
//   - Builtin: the operator's real policy (src/controller/autoscaling/desired-workers.ts) with the
//     CRD's defaults, reading queued + in-flight work and worker heartbeats every
//     pollingIntervalSeconds; below the live count it asks idle workers to drain (they take no
//     new document a second later) and lowers replicas only by those that report drained, whose
//     pod-deletion-cost (podDeletionCosts) is then the lowest, so the ReplicaSet removes them;
//   - KEDA + HPA with their defaults: KEDA's 30 s polling for activation and the 300 s cooldown to
//     zero, the HPA's 15 s sync on LLEN (waiting items only), tolerance 0.1, scale-up max(100 %,
//     4 pods) per 15 s, a 300 s scale-down window, and the pods removed picked at random among the
//     ready ones (the ReplicaSet removes not-ready pods first, then has no reason to prefer idle).
// A discrete-event simulation, seeded, so the figures are the same on every run.
//   npm run bench:autoscale          (BENCH_SEED=1 BENCH_SEEDS=5; BENCH_POLLING_SECONDS overrides the CRD's default for a what-if)
import { defaultedCluster } from '../src/crd/defaults.ts';
import { desiredWorkers } from '../src/controller/autoscaling/desired-workers.ts';
import { initialHistory, type AutoscalingHistory } from '../src/controller/autoscaling/history.ts';
import { podDeletionCosts } from '../src/controller/autoscaling/deletion-costs.ts';
import { scaleDownPlan } from '../src/controller/autoscaling/scale-down-plan.ts';
import type { QueueObservation } from '../src/controller/autoscaling/observation.ts';
import { seeded } from './random.ts';
import { quantile } from './stats.ts';

// ---- Assumptions (one place) -------------------------------------------------------------------
/** Users, and the documents each uploads on an ordinary day (outside bursts and the spike). */
const USERS = 5_500;
const DOCS_PER_USER_PER_DAY = 4;
/**
 * Worker time per page at concurrency 2 per worker. bench:e2e measured 1,000 documents of 2,999
 * pages in 77.5 s on 2 workers × concurrency 2 (docs/data-plane.md): 77.5 × 4 / 2,999 = 0.103
 * slot-seconds a page, 0.31 s for a 3-page document. We assume 0.133 s a page, i.e. 0.4 s for a
 * 3-page document (the middle of the 0.3–0.5 s range seen), each document ×lognormal(σ 0.3).
 */
const SLOT_SECONDS_PER_PAGE = 0.4 / 3;
const SERVICE_SIGMA = 0.3;
/** Pages per document: most are short, a few are long reports (our assumption, not measured). */
const PAGE_MIX: { share: number; min: number; max: number }[] = [
  { share: 0.7, min: 1, max: 5 },
  { share: 0.25, min: 6, max: 30 },
  { share: 0.05, min: 31, max: 200 },
];
/** Documents one worker processes at once (spec.workers.concurrency's default). */
const CONCURRENCY = 2;
/** From replicas raised to a worker taking documents: scheduling, image, process start. */
const STARTUP_SECONDS = 10;
/** A worker checks for a drain request this often (src/shared/drain.ts DRAIN_CHECK_MS). */
const DRAIN_CHECK_SECONDS = 1;
/** From replicas lowered to the ReplicaSet deleting pods (SIGTERM): a document taken in between is interrupted. */
const DELETE_LAG_SECONDS = 1;
/** Folder-sized bursts a day (one user, 10–100 documents at about one a second) and the spike. */
const BURSTS_PER_DAY = 60;
const SPIKE = { uploads: 500, at: 10.5 * 3600, seconds: 12 };
/** Simulated time: the day, then an hour without uploads so every document finishes. */
const DAY = 86_400;
const END = DAY + 3_600;

// KEDA and HPA defaults (keda.sh ScaledObject, autoscaling/v2 HPA).
const KEDA = { pollingSeconds: 30, cooldownSeconds: 300, listLength: 5, min: 0, max: 10 };
const HPA = { syncSeconds: 15, tolerance: 0.1, downWindowSeconds: 300, upPods: 4, upPercent: 100, upPeriod: 15, downPercent: 100, downPeriod: 15 };

// ---- Trace -------------------------------------------------------------------------------------
interface Upload {
  at: number;
  service: number;
}

/** Uploads per second relative to the mean: quiet nights, a morning and an afternoon peak. */
const diurnal = (t: number) => {
  const h = t / 3600;
  return 0.04 + Math.exp(-(((h - 10.5) / 2.2) ** 2)) + 0.85 * Math.exp(-(((h - 15) / 2.5) ** 2));
};

function trace(seed: number): Upload[] {
  const rnd = seeded(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const service = () => {
    let u = rnd();
    const band = PAGE_MIX.find((b) => (u -= b.share) < 0) ?? PAGE_MIX.at(-1)!;
    const pages = band.min + Math.floor(rnd() * (band.max - band.min + 1));
    return pages * SLOT_SECONDS_PER_PAGE * Math.exp(SERVICE_SIGMA * gauss() - SERVICE_SIGMA ** 2 / 2);
  };
  const uploads: Upload[] = [];
  let area = 0;
  for (let s = 0; s < DAY; s++) area += diurnal(s);
  const perUnit = (USERS * DOCS_PER_USER_PER_DAY) / area;
  for (let s = 0; s < DAY; s++) {
    // Poisson arrivals in this second (Knuth: the rate is below a few a second).
    const limit = Math.exp(-diurnal(s) * perUnit);
    for (let p = rnd(); p > limit; p *= rnd()) uploads.push({ at: s + rnd(), service: service() });
  }
  for (let b = 0; b < BURSTS_PER_DAY; b++) {
    let at: number;
    do at = rnd() * DAY;
    while (rnd() * 2 > diurnal(at));
    const n = 10 + Math.floor(rnd() * 91);
    for (let i = 0; i < n; i++) uploads.push({ at: at + i * (0.5 + rnd()), service: service() });
  }
  for (let i = 0; i < SPIKE.uploads; i++) uploads.push({ at: SPIKE.at + rnd() * SPIKE.seconds, service: service() });
  return uploads.sort((a, b) => a.at - b.at);
}

// ---- The cluster: pods, slots, a FIFO queue ----------------------------------------------------
interface Doc {
  arrival: number;
  service: number;
  start: number;
}

interface Pod {
  id: string;
  created: number;
  ready: boolean;
  /** Replicas were lowered with this pod chosen: it still works until the ReplicaSet deletes it. */
  leaving: boolean;
  gone: boolean;
  slots: (Doc | null)[];
  /** Builtin's drain handshake: asked to drain, and paused (takes no new document). */
  asked?: boolean;
  paused?: boolean;
}

class Heap<T> {
  private items: { t: number; seq: number; v: T }[] = [];
  private seq = 0;
  get size() {
    return this.items.length;
  }
  push(t: number, v: T) {
    const a = this.items;
    a.push({ t, seq: this.seq++, v });
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (this.less(a[p]!, a[i]!)) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }
  pop(): { t: number; v: T } {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l]!, a[m]!)) m = l;
        if (r < a.length && this.less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
  private less(x: { t: number; seq: number }, y: { t: number; seq: number }) {
    return x.t < y.t || (x.t === y.t && x.seq < y.seq);
  }
}

type Event =
  | { kind: 'arrive'; doc: Doc }
  | { kind: 'done'; pod: Pod; slot: number; doc: Doc }
  | { kind: 'ready'; pod: Pod }
  | { kind: 'delete'; pods: Pod[] }
  | { kind: 'pause'; pod: Pod; paused: boolean }
  | { kind: 'tick'; run: () => void };

class Cluster {
  now = 0;
  readonly events = new Heap<Event>();
  private readonly queue: Doc[] = [];
  private head = 0;
  private readonly free: { pod: Pod; slot: number }[] = [];
  private freeHead = 0;
  readonly pods: Pod[] = [];
  private nextPod = 0;
  replicas = 0;
  waits: number[] = [];
  /** Documents in flight on a pod when SIGTERM reaches it, and those of them already in flight when the pod was chosen. */
  interrupted = 0;
  chosenBusy = 0;
  scaleEvents = 0;
  maxReplicas = 0;
  private podSeconds = 0;

  constructor(uploads: readonly Upload[], initialReplicas: number) {
    for (const u of uploads) this.events.push(u.at, { kind: 'arrive', doc: { arrival: u.at, service: u.service, start: NaN } });
    this.scale(initialReplicas, () => []);
    this.scaleEvents = 0;
    for (const p of this.pods) p.ready = true;
    for (const p of this.pods) for (let s = 0; s < CONCURRENCY; s++) this.free.push({ pod: p, slot: s });
  }

  every(seconds: number, run: () => void, offset = 0) {
    const tick = () => {
      run();
      if (this.now + seconds < END) this.events.push(this.now + seconds, { kind: 'tick', run: tick });
    };
    this.events.push(offset, { kind: 'tick', run: tick });
  }

  run(): void {
    while (this.events.size > 0) {
      const { t, v: e } = this.events.pop();
      this.accrue(t);
      this.now = t;
      if (e.kind === 'arrive') this.queue.push(e.doc);
      else if (e.kind === 'done') {
        if (e.pod.gone || e.pod.slots[e.slot] !== e.doc) continue;
        e.pod.slots[e.slot] = null;
        this.waits.push(e.doc.start - e.doc.arrival);
        this.free.push({ pod: e.pod, slot: e.slot });
      } else if (e.kind === 'ready') {
        if (e.pod.gone || e.pod.ready) continue;
        e.pod.ready = true;
        for (let s = 0; s < CONCURRENCY; s++) this.free.push({ pod: e.pod, slot: s });
      } else if (e.kind === 'delete') {
        for (const p of e.pods) this.remove(p);
      } else if (e.kind === 'pause') {
        if (e.pod.gone || e.pod.paused === e.paused || e.pod.asked !== e.paused) continue;
        e.pod.paused = e.paused;
        if (!e.paused && e.pod.ready) for (let s = 0; s < CONCURRENCY; s++) if (!e.pod.slots[s]) this.free.push({ pod: e.pod, slot: s });
      } else e.run();
      this.dispatch();
    }
  }

  /** Documents to free slots, first come first served; a slot freed first is taken first (BullMQ's blocked workers). */
  private dispatch() {
    while (this.head < this.queue.length && this.freeHead < this.free.length) {
      const { pod, slot } = this.free[this.freeHead++]!;
      if (pod.gone || pod.slots[slot]) continue;
      // A paused worker takes nothing; its slot comes back when it resumes.
      if (pod.paused) continue;
      const doc = this.queue[this.head++]!;
      doc.start = this.now;
      pod.slots[slot] = doc;
      this.events.push(this.now + doc.service, { kind: 'done', pod, slot, doc });
    }
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    if (this.freeHead > 4096 && this.freeHead * 2 > this.free.length) {
      this.free.splice(0, this.freeHead);
      this.freeHead = 0;
    }
  }

  private accrue(t: number) {
    this.podSeconds += this.pods.filter((p) => !p.gone).length * (t - this.now);
  }

  private remove(p: Pod) {
    if (p.gone) return;
    p.gone = true;
    this.pods.splice(this.pods.indexOf(p), 1);
    // SIGTERM: the worker hands its documents back; they wait again at the head of the queue.
    const back = p.slots.filter((d): d is Doc => d !== null);
    this.interrupted += back.length;
    this.queue.splice(this.head, 0, ...back);
  }

  live(): Pod[] {
    return this.pods.filter((p) => !p.gone && !p.leaving);
  }
  get waiting() {
    return this.queue.length - this.head;
  }
  get active() {
    return this.live().reduce((a, p) => a + p.slots.filter(Boolean).length, 0);
  }
  get workerMinutes() {
    return this.podSeconds / 60;
  }

  /** The drain requests: exactly these pods are asked; each worker sees a change DRAIN_CHECK_SECONDS later. */
  askToDrain(ids: readonly string[]) {
    for (const p of this.live()) {
      const asked = ids.includes(p.id);
      if (asked === (p.asked ?? false)) continue;
      p.asked = asked;
      this.events.push(this.now + DRAIN_CHECK_SECONDS, { kind: 'pause', pod: p, paused: asked });
    }
  }

  /** Sets the Deployment's replicas; `victims` picks the pods the ReplicaSet deletes on the way down. */
  scale(replicas: number, victims: (pods: Pod[], n: number) => Pod[]) {
    const live = this.live();
    if (replicas === live.length) return;
    this.scaleEvents++;
    this.replicas = replicas;
    this.maxReplicas = Math.max(this.maxReplicas, replicas);
    if (replicas > live.length) {
      for (let i = live.length; i < replicas; i++) {
        const pod: Pod = { id: `worker-${this.nextPod++}`, created: this.now, ready: false, leaving: false, gone: false, slots: Array<Doc | null>(CONCURRENCY).fill(null) };
        this.pods.push(pod);
        this.events.push(this.now + STARTUP_SECONDS, { kind: 'ready', pod });
      }
      return;
    }
    // The ReplicaSet deletes not-ready pods first, then as `victims` says.
    const starting = live.filter((p) => !p.ready).reverse();
    const n = live.length - replicas;
    const chosen = starting.slice(0, n);
    if (chosen.length < n) chosen.push(...victims(live.filter((p) => p.ready), n - chosen.length));
    for (const p of chosen) p.leaving = true;
    this.chosenBusy += chosen.reduce((a, p) => a + p.slots.filter(Boolean).length, 0);
    this.events.push(this.now + DELETE_LAG_SECONDS, { kind: 'delete', pods: chosen });
  }
}

// ---- The two autoscalers -----------------------------------------------------------------------
function builtin(uploads: readonly Upload[]): Cluster {
  const spec = defaultedCluster('docs', 'bench', {}).spec;
  const a = spec.autoscaling;
  // What-if runs only: the figures above are with the CRD's defaults.
  if (process.env.BENCH_POLLING_SECONDS) a.pollingIntervalSeconds = Number(process.env.BENCH_POLLING_SECONDS);
  const start = Math.min(Math.max(spec.workers.replicas, a.minReplicas), a.maxReplicas);
  const c = new Cluster(uploads, start);
  let history: AutoscalingHistory = initialHistory(start);
  c.every(a.pollingIntervalSeconds, () => {
    const live = c.live();
    const observation: QueueObservation = {
      waiting: c.waiting,
      active: c.active,
      delayed: 0,
      // A paused worker reports drained once its documents in flight are done (drain-watch.ts).
      workers: live
        .filter((p) => p.ready)
        .map((p) => {
          const active = p.slots.filter(Boolean).length;
          return { id: p.id, busy: active > 0, active, concurrency: CONCURRENCY, ...(p.paused && active === 0 ? { draining: true } : {}) };
        }),
    };
    const d = desiredWorkers(observation, a, history, new Date(c.now * 1000));
    history = d.history;
    // As the operator does (cluster-scale-down.ts): below the live count, ask idle workers to
    // drain, and lower replicas only by those drained; the ReplicaSet removes the cheapest.
    const pods = live.map((p) => ({ name: p.id, created: p.created * 1000 }));
    const plan = scaleDownPlan(d.replicas, live.length, pods, observation.workers, c.now * 1000);
    c.askToDrain(plan.drain);
    const costs = podDeletionCosts(pods, observation.workers, c.now * 1000);
    c.scale(plan.replicas, (ready, n) => [...ready].sort((x, y) => Number(costs[x.id]) - Number(costs[y.id]) || y.created - x.created).slice(0, n));
  });
  c.run();
  return c;
}

function kedaHpa(uploads: readonly Upload[], seed: number): Cluster {
  const rnd = seeded(seed ^ 0x5eed);
  const random = (pods: Pod[], n: number) => {
    const a = [...pods];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a.slice(0, n);
  };
  const c = new Cluster(uploads, 1);
  let lastActive = 0;
  const recommendations: { at: number; replicas: number }[] = [];
  const changes: { at: number; change: number }[] = [];
  const set = (n: number) => {
    const from = c.live().length;
    if (n !== from) changes.push({ at: c.now, change: n - from });
    c.scale(n, random);
  };
  // KEDA's polling loop: activation (0 → 1) and the cooldown to zero, on LLEN.
  c.every(KEDA.pollingSeconds, () => {
    const replicas = c.live().length;
    if (c.waiting > 0) {
      lastActive = c.now;
      if (replicas === 0) set(1);
    } else if (replicas > 0 && c.now - lastActive >= KEDA.cooldownSeconds) set(0);
  });
  // The HPA controller: desired = ceil(LLEN / listLength), tolerance, behaviors; idle while at zero.
  c.every(HPA.syncSeconds, () => {
    const current = c.live().length;
    if (current === 0) return;
    const metric = c.waiting;
    const ratio = metric / (KEDA.listLength * current);
    let rec = Math.abs(ratio - 1) <= HPA.tolerance ? current : Math.ceil(metric / KEDA.listLength);
    rec = Math.min(Math.max(rec, 1), KEDA.max);
    recommendations.push({ at: c.now, replicas: rec });
    while (recommendations.length && c.now - recommendations[0]!.at >= HPA.downWindowSeconds) recommendations.shift();
    let desired = current;
    if (rec > current) {
      const added = changes.filter((e) => e.change > 0 && c.now - e.at < HPA.upPeriod).reduce((a, e) => a + e.change, 0);
      const startReplicas = current - added;
      desired = Math.min(rec, Math.max(startReplicas + HPA.upPods, Math.ceil(startReplicas * (1 + HPA.upPercent / 100))));
    } else {
      const down = Math.max(...recommendations.map((r) => r.replicas));
      if (down < current) {
        const removed = changes.filter((e) => e.change < 0 && c.now - e.at < HPA.downPeriod).reduce((a, e) => a - e.change, 0);
        desired = Math.max(down, Math.floor((current + removed) * (1 - HPA.downPercent / 100)));
      }
    }
    set(Math.min(Math.max(desired, 1), KEDA.max));
  }, 7);
  c.run();
  return c;
}

// ---- Report ------------------------------------------------------------------------------------
interface Figures {
  docs: number;
  p50: number;
  p95: number;
  p99: number;
  workerMinutes: number;
  scaleEvents: number;
  interrupted: number;
  chosenBusy: number;
  peak: number;
}

function figures(c: Cluster, expected: number): Figures {
  if (c.waits.length !== expected) throw new Error(`${expected - c.waits.length} documents never finished`);
  const w = [...c.waits].sort((a, b) => a - b);
  return { docs: w.length, p50: quantile(w, 0.5), p95: quantile(w, 0.95), p99: quantile(w, 0.99), workerMinutes: c.workerMinutes, scaleEvents: c.scaleEvents, interrupted: c.interrupted, chosenBusy: c.chosenBusy, peak: c.maxReplicas };
}

const row = (name: string, f: Figures) =>
  `${name.padEnd(10)} ${f.p50.toFixed(2).padStart(7)} s ${f.p95.toFixed(1).padStart(7)} s ${f.p99.toFixed(1).padStart(7)} s ${f.workerMinutes.toFixed(0).padStart(8)} ${String(f.scaleEvents).padStart(7)} ${String(f.interrupted).padStart(12)} ${String(f.chosenBusy).padStart(12)} ${String(f.peak).padStart(5)}`;
const met = (b: Figures, k: Figures) => b.p95 < k.p95 && b.workerMinutes <= k.workerMinutes && b.interrupted === 0;

const t0 = performance.now();
const SEED = Number(process.env.BENCH_SEED ?? 1);
const SEEDS = Number(process.env.BENCH_SEEDS ?? 5);
const uploads = trace(SEED);
const mean = uploads.reduce((a, u) => a + u.service, 0) / uploads.length;
const b = figures(builtin(uploads), uploads.length);
const k = figures(kedaHpa(uploads, SEED), uploads.length);
console.log(`trace:      seed ${SEED}, ${uploads.length} uploads in a day for ${USERS} users (${USERS * DOCS_PER_USER_PER_DAY} on the diurnal curve, ${BURSTS_PER_DAY} bursts of 10–100, a spike of ${SPIKE.uploads} in ${SPIKE.seconds} s at 10:30)`);
console.log(`service:    mean ${mean.toFixed(2)} s of worker slot time a document (${(SLOT_SECONDS_PER_PAGE * 3).toFixed(2)} s for 3 pages), concurrency ${CONCURRENCY}, start-up ${STARTUP_SECONDS} s, deletion ${DELETE_LAG_SECONDS} s after scale-down`);
console.log('');
console.log('autoscaler  wait p50  wait p95  wait p99  worker-min  scales  interrupted  chosen busy  peak');
console.log(row('Builtin', b));
console.log(row('KEDA+HPA', k));
console.log('(interrupted: documents in flight on a pod when its SIGTERM came; chosen busy: of those, already in flight when the pod was picked for removal.)');
console.log('');
console.log(
  `Builtin vs KEDA+HPA: p95 wait ${b.p95.toFixed(1)} s vs ${k.p95.toFixed(1)} s (${b.p95 < k.p95 ? 'lower' : 'NOT lower'}), worker-minutes ${b.workerMinutes.toFixed(0)} vs ${k.workerMinutes.toFixed(0)} (${b.workerMinutes <= k.workerMinutes ? 'no more' : 'MORE'}), interrupted ${b.interrupted} vs ${k.interrupted}: target ${met(b, k) ? 'met' : 'NOT met'}`,
);
const others: string[] = [];
let ok = met(b, k) ? 1 : 0;
for (let s = SEED + 1; s < SEED + SEEDS; s++) {
  const u = trace(s);
  const bs = figures(builtin(u), u.length);
  const ks = figures(kedaHpa(u, s), u.length);
  if (met(bs, ks)) ok++;
  others.push(`seed ${s}: p95 ${bs.p95.toFixed(1)}/${ks.p95.toFixed(1)} s, worker-min ${bs.workerMinutes.toFixed(0)}/${ks.workerMinutes.toFixed(0)}, interrupted ${bs.interrupted}/${ks.interrupted} (chosen busy ${bs.chosenBusy}/${ks.chosenBusy})`);
}
if (others.length) {
  console.log(`other seeds (Builtin/KEDA+HPA): ${others.join('; ')}`);
  console.log(`target met on ${ok} of ${SEEDS} seeds`);
}
console.log(`simulated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
