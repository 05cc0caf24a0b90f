import { useSignal } from '@preact/signals';
import { transfer } from 'comlink';
import { useEffect, useMemo } from 'preact/hooks';
import type { CheckinsResponse, ComplianceResponse, ShiftCompliance } from '../../../domain/protocol/compliance.js';
import type { AuditTrackResponse, NativeTrackResponse } from '../../../domain/protocol/track-audit.js';
import {
  packedBuffers,
  packPoints,
  shiftVerdict,
  STOP_MIN_MS,
  withPointIds,
  type FlagEvidence,
  type PlausibilityFlag,
  type RouteAnalysis,
  type Stop,
} from '../../../domain/route-analysis.js';
import { auditVerdict, replayAt, routeGpx, routeSegments, segmentsDistanceM, type AuditVerdict, type Segment } from '../../../domain/route-replay.js';
import type { TasksResponse, TaskUpdateView } from '../../../domain/tasks.js';
import type { TrackEntry } from '../../../store/schema.js';
import { api } from '../../../store/api.js';
import { formatDuration, formatTime, locale, t, type MessageKey } from '../../i18n/index.js';
import { LazyAuditMap } from '../../map/LazyMap.js';
import { checkpoints, squadMembers, zones } from '../../state/local-copies.js';
import { reportError } from '../../state/notices.js';
import { usePolledApi } from '../../state/use-polled-api.js';
import { downloadText } from '../../download.js';
import { worker } from '../../worker-bridge.js';
import { completionText } from '../completion-text.js';
import { arrivalText, STATE_KEYS } from '../task-text.js';

/** How far back the shift list reaches. */
const LIST_DAYS = 7;
const SPEEDS = [1, 4, 16, 64] as const;
/** The replay clock's step: at 1× one real second moves the replay one second. */
const TICK_MS = 250;

const VERDICT_KEYS: Record<AuditVerdict, MessageKey> = {
  intact: 'audit.verdict.intact',
  'gaps-explained': 'audit.verdict.gaps-explained',
  altered: 'audit.verdict.altered',
  suspicious: 'audit.verdict.suspicious',
};
/** Evidence lines shown per flag before "and n more". */
const EVIDENCE_SHOWN = 5;

/**
 * The supervisor's (and leader's) route audit: pick a shift of the last week, replay its signed
 * route on a map with a scrubber, see the verdict on the chains behind it and its pauses and
 * check-ins, and export it as GPX.
 */
export function RouteAudit() {
  const to = useMemo(() => new Date(Math.ceil(Date.now() / 60_000) * 60_000), []);
  const from = new Date(to.getTime() - LIST_DAYS * 86_400_000);
  const { data } = usePolledApi<ComplianceResponse>(`/api/compliance?from=${from.toISOString()}&to=${to.toISOString()}`, 5 * 60_000, ['shift']);
  const filter = useSignal('');
  const chosen = useSignal<ShiftCompliance | null>(null);
  const needle = filter.value.trim().toLowerCase();
  const shifts = (data.value?.shifts ?? [])
    .filter((s) => !needle || `${s.name} ${s.badge} ${s.startedAt.slice(0, 10)}`.toLowerCase().includes(needle))
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  return (
    <section class="panel stack" aria-label={t('audit.title')} data-testid="route-audit">
      <h2>{t('audit.title')}</h2>
      {chosen.value ? (
        <ShiftAudit shift={chosen.value} onBack={() => (chosen.value = null)} />
      ) : (
        <>
          <label>
            {t('audit.search')}
            <input type="search" value={filter.value} placeholder={t('audit.searchHint')} onInput={(e) => (filter.value = e.currentTarget.value)} />
          </label>
          {data.value && shifts.length === 0 && <p class="muted">{t('audit.noShifts', { days: LIST_DAYS })}</p>}
          <ul class="task-list">
            {shifts.map((s) => (
              <li key={s.shiftId} class="task" data-shift={s.shiftId}>
                <button type="button" class="audit-pick" onClick={() => (chosen.value = s)}>
                  <strong>
                    {s.name}（{s.badge}）
                  </strong>
                  <span class="muted">
                    {s.startedAt.slice(0, 10)} {formatTime(s.startedAt)}–{s.endedAt ? formatTime(s.endedAt) : t('audit.open')}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

interface Loaded {
  track: AuditTrackResponse;
  checkins: CheckinsResponse['checkins'];
  native: NativeTrackResponse;
  /** The officer's answers to tasks (lockdown points among them) during the shift. */
  taskUpdates: Array<TaskUpdateView & { title: string }>;
}

function ShiftAudit({ shift, onBack }: { shift: ShiftCompliance; onBack: () => void }) {
  const loaded = useSignal<Loaded | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    const window = `officerId=${encodeURIComponent(shift.officerId)}&from=${shift.startedAt}&to=${shift.endedAt ?? new Date().toISOString()}`;
    Promise.all([
      api<AuditTrackResponse>(`/api/audit/track?${window}`, { signal: controller.signal }),
      api<CheckinsResponse>(`/api/checkins?${window}`, { signal: controller.signal }),
      api<NativeTrackResponse>(`/api/audit/native-track?${window}`, { signal: controller.signal }),
      api<TasksResponse>('/api/tasks', { signal: controller.signal }),
    ]).then(
      ([track, { checkins }, native, { tasks }]) => {
        const end = shift.endedAt ?? new Date().toISOString();
        const taskUpdates = tasks.flatMap((task) =>
          task.updates.filter((u) => u.officerId === shift.officerId && u.at >= shift.startedAt && u.at <= end).map((u) => ({ ...u, title: task.title })),
        );
        loaded.value = { track, checkins: checkins.filter((c) => c.shiftId === shift.shiftId), native, taskUpdates };
      },
      (error: unknown) => {
        if (!controller.signal.aborted) reportError(error);
      },
    );
    return () => controller.abort();
  }, [shift.shiftId]);

  return (
    <div class="stack">
      <button type="button" onClick={onBack}>
        {t('audit.back')}
      </button>
      <p>
        <strong>
          {shift.name}（{shift.badge}）
        </strong>{' '}
        {shift.startedAt.slice(0, 10)} {formatTime(shift.startedAt)}–{shift.endedAt ? formatTime(shift.endedAt) : t('audit.open')}
      </p>
      {loaded.value ? <Replay shift={shift} data={loaded.value} /> : <p class="muted">{t('audit.loading')}</p>}
    </div>
  );
}

function Replay({ shift, data }: { shift: ShiftCompliance; data: Loaded }) {
  const { track, checkins, native, taskUpdates } = data;
  const segments = useMemo(() => routeSegments(track.points, track.tracking), [track]);
  const { verdict: chainVerdict, evidence } = useMemo(() => auditVerdict(track), [track]);
  const analysis = useRouteAnalysis(shift, data);
  // The verdict waits for the analysis (a flag makes it suspicious), unless the analysis failed.
  const verdict = analysis.value === 'failed' ? chainVerdict : analysis.value && shiftVerdict(chainVerdict, analysis.value.flags);
  const first = segments[0]?.[0];
  const last = segments.at(-1)?.at(-1);
  const start = first ? Date.parse(first.fixAt) : Date.parse(shift.startedAt);
  const end = last ? Date.parse(last.fixAt) : start;
  const at = useSignal(start);
  const playing = useSignal(false);
  const speed = useSignal<(typeof SPEEDS)[number]>(16);
  useEffect(() => {
    if (!playing.value) return;
    const timer = setInterval(() => {
      const next = Math.min(end, at.value + TICK_MS * speed.value);
      at.value = next;
      if (next >= end) playing.value = false;
    }, TICK_MS);
    return () => clearInterval(timer);
  }, [playing.value, speed.value, end]);

  const here = replayAt(segments, at.value);
  const route = useMemo(() => asRoute(segments), [segments]);
  const pauses = track.tracking.filter((m) => m.state === 'paused');
  const seek = (iso: string) => ((at.value = Math.min(end, Math.max(start, Date.parse(iso)))), (playing.value = false));
  const names = new Map(checkpoints.value.map((c) => [c.id, c]));

  return (
    <div class="stack">
      {verdict ? (
        <p
          class={verdict === 'altered' || verdict === 'suspicious' ? 'form-error' : verdict === 'intact' ? 'ok' : ''}
          data-testid="audit-verdict"
          data-verdict={verdict}
        >
          {t(VERDICT_KEYS[verdict])}
        </p>
      ) : (
        <p class="muted">{t('audit.analysing')}</p>
      )}
      {verdict === 'altered' && (
        <ul class="muted">
          {evidence.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
      <p class="stats" data-testid="audit-summary" data-fixes={track.points.length} data-distance-m={Math.round(segmentsDistanceM(segments))}>
        {t('audit.summary', {
          km: (segmentsDistanceM(segments) / 1000).toFixed(2),
          duration: formatDuration(Math.round((end - start) / 60_000)),
          n: track.points.length,
          pauses: pauses.length,
        })}
        {native.points.length > 0 && ` · ${t('audit.native', { n: native.points.length })}`}
      </p>
      {analysis.value && analysis.value !== 'failed' && (
        <>
          <ShiftFacts shift={shift} analysis={analysis.value} />
          <Flags flags={analysis.value.flags} onSeek={seek} />
        </>
      )}
      {track.points.length > 0 ? (
        <>
          <LazyAuditMap
            route={route}
            position={here && { lat: here.point.lat, lon: here.point.lon, accuracy: here.point.accuracy }}
            checkpoints={checkpoints.value}
            native={native.points}
          />
          {analysis.value && analysis.value !== 'failed' && (
            <Timeline start={start} end={end} marks={timelineMarks(analysis.value.stops, track.tracking, end)} at={at.value} onSeek={seek} />
          )}
          <label>
            <span data-testid="audit-at" data-at={here?.point.fixAt ?? ''}>
              {formatTime(new Date(at.value).toISOString())}
              {here?.inGap ? ` · ${t('audit.inPause')}` : here?.speedMs != null ? ` · ${t('audit.speed', { kmh: (here.speedMs * 3.6).toFixed(1) })}` : ''}
            </span>
            <input
              type="range"
              min={start}
              max={end}
              step={1000}
              value={at.value}
              onInput={(e) => ((at.value = Number(e.currentTarget.value)), (playing.value = false))}
            />
          </label>
          <div class="task-actions">
            <button type="button" class="primary" onClick={() => (at.value >= end && (at.value = start), (playing.value = !playing.value))}>
              {playing.value ? t('audit.pause') : t('audit.play')}
            </button>
            <select
              aria-label={t('audit.speedLabel')}
              value={speed.value}
              onChange={(e) => (speed.value = Number(e.currentTarget.value) as (typeof SPEEDS)[number])}
            >
              {SPEEDS.map((s) => (
                <option key={s} value={s}>
                  {s}×
                </option>
              ))}
            </select>
            <button
              type="button"
              onClick={() =>
                downloadText(
                  routeGpx(segments, `${shift.name} ${shift.badge} ${shift.startedAt}`),
                  `${shift.badge}-${shift.startedAt.slice(0, 10)}.gpx`,
                  'application/gpx+xml',
                )
              }
            >
              {t('audit.gpx')}
            </button>
          </div>
        </>
      ) : (
        <p class="muted">{t('audit.noFixes')}</p>
      )}
      <ul class="task-list" data-testid="audit-marks">
        {pauses.map((m) => (
          <li key={m.id} class="task" data-mark="pause">
            <button type="button" class="audit-pick" onClick={() => seek(m.at)}>
              {formatTime(m.at)} · {t('audit.pauseMark', { reason: t(`reason.${m.reason}` as MessageKey) })}
            </button>
          </li>
        ))}
        {analysis.value !== 'failed' &&
          analysis.value?.stops.map((stop) => (
            <li key={stop.from} class="task" data-mark="stop">
              <button type="button" class="audit-pick" onClick={() => seek(stop.from)}>
                {formatTime(stop.from)}–{formatTime(stop.to)} · {t('audit.stopMark', { duration: formatDuration(stopMinutes(stop)) })}
              </button>
            </li>
          ))}
        {checkins.map((c) => (
          <li key={c.id} class="task" data-mark="checkin" data-verdict={c.verdict}>
            <button type="button" class="audit-pick" onClick={() => seek(c.enteredAt)}>
              {formatTime(c.enteredAt)} ·{' '}
              {t('audit.checkinMark', { name: names.get(c.checkpointId)?.name[locale.value] ?? c.checkpointId, verdict: t(`audit.checkin.${c.verdict}`) })}
            </button>
          </li>
        ))}
        {taskUpdates.map((u) => (
          <li key={u.recordId} class="task" data-mark="task" data-state={u.state} data-method={u.method}>
            <button type="button" class="audit-pick" onClick={() => seek(u.at)}>
              {formatTime(u.at)} · {t('audit.taskMark', { title: u.title, state: t(STATE_KEYS[u.state]) })}
              {u.state === 'on-scene' && ` · ${arrivalText(u.method, u.arrival)}`}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * The route analysis of the loaded shift (stops, summary figures, plausibility flags), run in the
 * worker: a 12-hour shift's 8,640 points would be a long task here. The points go as transferred
 * columns; the zones are those of the officer's squad, as pull delivered them.
 */
function useRouteAnalysis(shift: ShiftCompliance, data: Loaded) {
  const analysis = useSignal<RouteAnalysis | 'failed' | null>(null);
  const squadId = squadMembers.value.find((m) => m.id === shift.officerId)?.squadId ?? null;
  const squadZones = squadId === null ? null : zones.value.filter((z) => z.squadId === squadId).map((z) => z.polygon);
  const assigned = squadZones?.length ? squadZones : null;
  useEffect(() => {
    let current = true;
    analysis.value = null;
    const packed = packPoints(data.track.points);
    worker()
      .analyseRoute(
        transfer(
          {
            points: packed,
            tracking: data.track.tracking.map(({ at, state }) => ({ at, state })),
            zones: assigned,
            // The audit does not yet say how the shift travelled: the vehicle limit, the looser one, applies.
            onFoot: null,
            native: data.native.points.map(({ fixAt }) => ({ fixAt })),
          },
          packedBuffers(packed),
        ),
      )
      .then(
        (result) => current && (analysis.value = withPointIds(result, data.track.points)),
        (error: unknown) => {
          if (!current) return;
          analysis.value = 'failed';
          reportError(error);
        },
      );
    return () => {
      current = false;
    };
    // A list of zones keeps its identity while its content is unchanged (local-copies.ts).
  }, [data, zones.value, squadId]);
  return analysis;
}

/** Each pause (until tracking came back on, or the end) and each stop as a stretch of the timeline. */
function timelineMarks(stops: readonly Stop[], tracking: AuditTrackResponse['tracking'], end: number): TimelineMark[] {
  const ons = tracking.filter((m) => m.state === 'on').map((m) => m.at);
  const pauses = tracking
    .filter((m) => m.state === 'paused')
    .map((m): TimelineMark => {
      const to = ons.filter((on) => on > m.at).sort()[0] ?? new Date(end).toISOString();
      return {
        kind: 'pause',
        from: m.at,
        to,
        label: `${formatTime(m.at)}–${formatTime(to)} ${t('audit.pauseMark', { reason: t(`reason.${m.reason}` as MessageKey) })}`,
      };
    });
  return [
    ...pauses,
    ...stops.map((s): TimelineMark => ({
      kind: 'stop',
      from: s.from,
      to: s.to,
      label: `${formatTime(s.from)}–${formatTime(s.to)} ${t('audit.stopMark', { duration: formatDuration(stopMinutes(s)) })}`,
    })),
  ];
}

const stopMinutes = (stop: Stop) => (Date.parse(stop.to) - Date.parse(stop.from)) / 60_000;
const minutesOf = (ms: number) => formatDuration(Math.round(ms / 60_000));

/** The shift in figures beyond the summary line's distance: moving and standing, outside the zones, stops, the plan's visits. */
function ShiftFacts({ shift, analysis }: { shift: ShiftCompliance; analysis: RouteAnalysis }) {
  return (
    <dl
      class="audit-facts stats"
      data-testid="audit-facts"
      data-stops={analysis.stops.length}
      data-moving-s={Math.round(analysis.movingMs / 1000)}
      data-standing-s={Math.round(analysis.standingMs / 1000)}
      data-outside-s={analysis.outsideZonesMs === null ? '' : Math.round(analysis.outsideZonesMs / 1000)}
    >
      <dt>{t('audit.fact.moving')}</dt>
      <dd>{minutesOf(analysis.movingMs)}</dd>
      <dt>{t('audit.fact.standing')}</dt>
      <dd>{minutesOf(analysis.standingMs)}</dd>
      <dt>{t('audit.fact.outside')}</dt>
      <dd>{analysis.outsideZonesMs === null ? t('audit.fact.outsideUnknown') : minutesOf(analysis.outsideZonesMs)}</dd>
      <dt>{t('audit.fact.stops')}</dt>
      <dd>{t('audit.fact.stopsN', { n: analysis.stops.length, min: STOP_MIN_MS / 60_000 })}</dd>
      <dt>{t('audit.fact.checkpoints')}</dt>
      <dd>{completionText(shift.completion)}</dd>
    </dl>
  );
}

/** The plausibility flags in plain words, each finding a tap that takes the replay there. */
function Flags({ flags, onSeek }: { flags: readonly PlausibilityFlag[]; onSeek: (iso: string) => void }) {
  return (
    <section class="stack audit-flags" data-testid="audit-flags" aria-label={t('audit.flags')}>
      <h3>{t('audit.flags')}</h3>
      {flags.length === 0 && <p class="muted">{t('audit.flagsNone')}</p>}
      {flags.map((flag) => (
        <div key={flag.kind} class="audit-flag" data-flag={flag.kind}>
          <strong class={flag.kind === 'native' ? '' : 'form-error'}>{t(`audit.flag.${flag.kind}`)}</strong>
          <p class="muted">{t(`audit.flagWhy.${flag.kind}`)}</p>
          <ul class="task-list">
            {flag.evidence.slice(0, EVIDENCE_SHOWN).map((e) => (
              <li key={`${e.reason}${e.from}${e.pointIds.join()}`} class="task" data-reason={e.reason} data-points={e.pointIds.join(' ')}>
                <button type="button" class="audit-pick" onClick={() => onSeek(e.from)}>
                  {formatTime(e.from)}
                  {e.to !== e.from && formatTime(e.to) !== formatTime(e.from) && `–${formatTime(e.to)}`} · {evidenceText(e)}
                </button>
              </li>
            ))}
          </ul>
          {flag.evidence.length > EVIDENCE_SHOWN && <p class="muted">{t('audit.evidenceMore', { n: flag.evidence.length - EVIDENCE_SHOWN })}</p>}
        </div>
      ))}
    </section>
  );
}

function evidenceText(e: FlagEvidence): string {
  // A step between two fixes of the same time has no speed to quote: its distance says it.
  if (e.reason === 'speed' && (e.params.kmh ?? 0) < 0) return t('audit.why.speedInstant', e.params);
  return t(`audit.why.${e.reason}`, e.params);
}

/** A stretch of the shift on the timeline strip. */
interface TimelineMark {
  kind: 'stop' | 'pause';
  from: string;
  to: string;
  label: string;
}

/** The shift's stops and pauses on a strip above the scrubber, where and how long they fall in its time; a tap takes the replay there. */
function Timeline({
  start,
  end,
  marks,
  at,
  onSeek,
}: {
  start: number;
  end: number;
  marks: readonly TimelineMark[];
  at: number;
  onSeek: (iso: string) => void;
}) {
  const span = Math.max(1, end - start);
  const x = (t: number) => Math.min(100, Math.max(0, ((t - start) / span) * 100));
  return (
    <div class="audit-timeline" role="group" aria-label={t('audit.timeline')} data-testid="audit-timeline">
      {marks.map((m) => (
        <button
          key={`${m.kind}${m.from}`}
          type="button"
          class={`audit-tl-${m.kind}`}
          data-mark={m.kind}
          style={{ left: `${x(Date.parse(m.from))}%`, width: `${x(Date.parse(m.to)) - x(Date.parse(m.from))}%` }}
          title={m.label}
          aria-label={m.label}
          onClick={() => onSeek(m.from)}
        />
      ))}
      <span class="audit-tl-now" style={{ left: `${x(at)}%` }} />
    </div>
  );
}

/** The segments as the route layer draws them: a gap entry between segments breaks the line. */
function asRoute(segments: readonly Segment[]): TrackEntry[] {
  let seq = 0;
  return segments.flatMap((s, i) => [
    ...(i > 0 ? [{ shiftId: '', seq: seq++, kind: 'gap' as const, lat: 0, lon: 0, accuracy: 0, fixAt: s[0]!.fixAt }] : []),
    ...s.map((p) => ({ shiftId: '', seq: seq++, kind: 'fix' as const, lat: p.lat, lon: p.lon, accuracy: p.accuracy, fixAt: p.fixAt })),
  ]);
}
