import { useSignal } from '@preact/signals';
import { useEffect, useMemo, useRef } from 'preact/hooks';
import { BACKDATING_FLAGS, type BackdatingFlag } from '../../../domain/backdating.js';
import type { CheckinsResponse, ComplianceResponse } from '../../../domain/protocol/compliance.js';
import type { Completion } from '../../../domain/plan-schedule.js';
import type { AuditTrackResponse, NativeTrackResponse } from '../../../domain/protocol/track-audit.js';
import { shiftVerdict } from '../../../domain/route-analysis.js';
import { auditVerdict, replayAt, routeGpx, routeSegments, segmentsDistanceM, type AuditVerdict, type Segment } from '../../../domain/route-replay.js';
import type { TasksResponse, TaskUpdateView } from '../../../domain/tasks.js';
import type { TrackEntry } from '../../../store/schema.js';
import { api } from '../../../store/api.js';
import { formatDateTime, formatDuration, formatTime, locale, t, type MessageKey } from '../../i18n/index.js';
import { FLAG_COLOURS, ROUTE_COLOUR } from '../../map/flag-marks.js';
import { LazyAuditMap } from '../../map/LazyMap.js';
import { checkpoints } from '../../state/local-copies.js';
import { reportError } from '../../state/notices.js';
import { downloadText } from '../../download.js';
import { printPart } from '../../print.js';
import { routeCsv, routeGeoJson } from '../../../domain/route-export.js';
import { evidenceText } from './evidence-text.js';
import { PrintReport } from './PrintReport.js';
import type { IncidentSummary, IncidentsResponse } from '../../../domain/protocol/incidents.js';
import { categoryName, INCIDENT_STATE_KEYS } from '../incident-text.js';
import { arrivalText, STATE_KEYS } from '../task-text.js';
import { Flags, ShiftFacts, stopMinutes, Timeline, timelineMarks, useRouteAnalysis } from './AuditAnalysis.js';
import { ShiftPicker, type AuditSubject } from './ShiftPicker.js';

const SPEEDS = [1, 4, 16, 64] as const;
/** The replay clock's step: at 1× one real second moves the replay one second. */
const TICK_MS = 250;

const VERDICT_KEYS: Record<AuditVerdict, MessageKey> = {
  intact: 'audit.verdict.intact',
  'gaps-explained': 'audit.verdict.gaps-explained',
  altered: 'audit.verdict.altered',
  suspicious: 'audit.verdict.suspicious',
};

/**
 * The supervisor's (and leader's) route audit: pick a shift of the last week (by squad, officer,
 * day and verdict) or a time range, replay its signed route on a map with a scrubber, see the
 * verdict on the chains behind it, the analysis and the marks, and export or print it. An
 * officer sees their own (`embedded` in their home's panel).
 */
export function RouteAudit({ embedded = false }: { embedded?: boolean } = {}) {
  const chosen = useSignal<AuditSubject | null>(null);
  return (
    <section class={embedded ? 'stack' : 'panel stack'} aria-label={t('audit.title')} data-testid="route-audit">
      {!embedded && <h2>{t('audit.title')}</h2>}
      {chosen.value ? <ShiftAudit subject={chosen.value} onBack={() => (chosen.value = null)} /> : <ShiftPicker onPick={(s) => (chosen.value = s)} />}
    </section>
  );
}

/** What the marks and facts add to the track: each arrives on its own, none holds the verdict back. */
interface Extras {
  checkins: CheckinsResponse['checkins'];
  native: NativeTrackResponse;
  /** The officer's answers to tasks (lockdown points among them) during the shift. */
  taskUpdates: Array<TaskUpdateView & { title: string }>;
  /** The incidents the officer reported that happened during the shift. */
  incidents: IncidentSummary[];
  /** How the shift met its plans; null for a time range (plans are owed per shift). */
  completion: Completion | null;
}

/** The window of a subject as the API's query: a shift by its id (the server knows its window), a range by from and to. */
const windowQuery = (subject: AuditSubject, end: string) =>
  subject.shiftId === null
    ? `officerId=${encodeURIComponent(subject.officerId)}&from=${subject.startedAt}&to=${end}`
    : `officerId=${encodeURIComponent(subject.officerId)}&shiftId=${encodeURIComponent(subject.shiftId)}`;

function ShiftAudit({ subject, onBack }: { subject: AuditSubject; onBack: () => void }) {
  const track = useSignal<AuditTrackResponse | null>(null);
  const extras = useSignal<Partial<Extras>>({});
  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    const end = subject.endedAt ?? new Date().toISOString();
    const window = `officerId=${encodeURIComponent(subject.officerId)}&from=${subject.startedAt}&to=${end}`;
    const failed = (error: unknown) => !signal.aborted && reportError(error);
    const put = <K extends keyof Extras>(key: K, value: Extras[K]) => !signal.aborted && (extras.value = { ...extras.value, [key]: value });
    // The track (with its verdict) first, alone: the server's two cores verify it undisturbed;
    // the marks and facts are asked for once it is here, each shown as it comes.
    const loadExtras = () => {
      api<CheckinsResponse>(`/api/checkins?${window}`, { signal }).then(
        ({ checkins }) => put('checkins', subject.shiftId === null ? checkins : checkins.filter((c) => c.shiftId === subject.shiftId)),
        failed,
      );
      api<NativeTrackResponse>(`/api/audit/native-track?${window}`, { signal }).then((native) => put('native', native), failed);
      api<TasksResponse>('/api/tasks', { signal }).then(({ tasks }) => {
        const updates = tasks.flatMap((task) =>
          task.updates.filter((u) => u.officerId === subject.officerId && u.at >= subject.startedAt && u.at <= end).map((u) => ({ ...u, title: task.title })),
        );
        put('taskUpdates', updates);
      }, failed);
      api<IncidentsResponse>(`/api/incidents?from=${subject.startedAt}&to=${end}`, { signal }).then(
        ({ incidents }) =>
          put(
            'incidents',
            incidents.filter((i) => i.reportedBy.id === subject.officerId),
          ),
        failed,
      );
      if (subject.shiftId === null) put('completion', null);
      else
        api<ComplianceResponse>(`/api/compliance?${window}`, { signal }).then(
          ({ shifts }) => put('completion', shifts.find((s) => s.shiftId === subject.shiftId)?.completion ?? null),
          failed,
        );
    };
    void api<AuditTrackResponse>(`/api/audit/track?${windowQuery(subject, end)}`, { signal })
      .then((t) => !signal.aborted && (track.value = t), failed)
      .finally(() => !signal.aborted && loadExtras());
    return () => controller.abort();
  }, [subject.officerId, subject.shiftId, subject.startedAt, subject.endedAt]);

  return (
    <div class="stack">
      <button type="button" onClick={onBack}>
        {t('audit.back')}
      </button>
      <p data-testid="audit-subject" data-range={subject.shiftId === null ? 'yes' : 'no'}>
        <strong>{t('person.nameBadge', { name: subject.name, badge: subject.badge })}</strong> {subject.shiftId === null && `${t('audit.rangeLabel')} `}
        {subject.startedAt.slice(0, 10)} {formatTime(subject.startedAt)}–
        {subject.endedAt
          ? `${subject.endedAt.slice(0, 10) === subject.startedAt.slice(0, 10) ? '' : `${subject.endedAt.slice(0, 10)} `}${formatTime(subject.endedAt)}`
          : t('audit.open')}
      </p>
      {track.value ? (
        <Replay shift={subject} track={track.value} extras={extras.value} />
      ) : (
        <>
          {subject.verdict && <VerdictLine verdict={subject.verdict} by="list" />}
          <p class="muted">{t(subject.verdict ? 'audit.reverifying' : 'audit.loading')}</p>
        </>
      )}
    </div>
  );
}

/**
 * The verdict in words; `by` says whose: the list's (cached when a record last arrived, shown
 * while the track is read again), the server's on the track just read, or this screen's analysis.
 */
function VerdictLine({ verdict, by }: { verdict: AuditVerdict; by: 'list' | 'server' | 'screen' }) {
  return (
    <p
      class={verdict === 'altered' || verdict === 'suspicious' ? 'form-error' : verdict === 'intact' ? 'ok' : ''}
      data-testid="audit-verdict"
      data-verdict={verdict}
      data-by={by}
    >
      {t(VERDICT_KEYS[verdict])}
    </p>
  );
}

function Replay({ shift, track, extras }: { shift: AuditSubject; track: AuditTrackResponse; extras: Partial<Extras> }) {
  const { checkins = [], native, taskUpdates = [], incidents = [] } = extras;
  const segments = useMemo(() => routeSegments(track.points, track.tracking), [track]);
  const { verdict: chainVerdict, evidence } = useMemo(() => auditVerdict(track), [track]);
  const analysis = useRouteAnalysis(shift, track, native ?? null);
  // The server's verdict came with the track (windowVerdict, the rule the analysis below applies
  // too): shown at once, then the screen's own once its analysis is done, or the chains' alone
  // should the analysis fail.
  const verdict = analysis.value === 'failed' ? chainVerdict : analysis.value ? shiftVerdict(chainVerdict, analysis.value.flags) : (track.verdict ?? null);
  // The map (maplibre's chunk, a WebGL context: 100–300 ms of this thread) only once a frame
  // with the verdict in it has been painted: after the next animation frame, in a task of its own.
  const mapOn = useSignal(false);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => (timer = setTimeout(() => (mapOn.value = true))));
    return () => (cancelAnimationFrame(frame), clearTimeout(timer));
  }, []);
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
  const distanceM = segmentsDistanceM(segments);
  const flagged = useMemo(() => track.points.flatMap((p) => (p.flag ? [{ lat: p.lat, lon: p.lon, flag: p.flag }] : [])), [track]);
  // What a device reported lost sent after it was: said in the summary, whatever else flags the points.
  const revoked = track.revocations
    .filter((r) => r.receivedAfter > 0)
    .map((r) => ({ ...r, text: t('audit.afterRevocation', { n: r.receivedAfter, time: formatDateTime(r.revokedAt) }) }));
  const figures =
    t('audit.summary', {
      km: (distanceM / 1000).toFixed(2),
      duration: formatDuration(Math.round((end - start) / 60_000)),
      n: track.points.length,
      pauses: pauses.length,
    }) + (native && native.points.length > 0 ? ` · ${t('audit.native', { n: native.points.length })}` : '');
  const summary = [figures, ...revoked.map((r) => r.text)].join(' · ');
  const fileName = `${shift.badge}-${shift.startedAt.slice(0, 10)}${shift.shiftId === null ? '-range' : ''}`;
  const takeSnapshot = useRef<(() => Promise<string>) | null>(null);
  // The map as it stood when the report was asked for; the report itself is always ready for print.
  const snapshot = useSignal<string | null>(null);
  const printing = useSignal(0);
  useEffect(() => {
    if (!printing.value) return;
    // After the snapshot has rendered into the report: print() takes the page as it is.
    const frame = requestAnimationFrame(() => printPart('audit'));
    return () => cancelAnimationFrame(frame);
  }, [printing.value]);
  const print = async () => {
    snapshot.value = takeSnapshot.current ? await takeSnapshot.current().catch(() => null) : null;
    printing.value++;
  };

  return (
    <div class="stack">
      {verdict ? (
        <VerdictLine verdict={verdict} by={analysis.value && analysis.value !== 'failed' ? 'screen' : 'server'} />
      ) : (
        <p class="muted">{t('audit.analysing')}</p>
      )}
      {verdict === 'altered' && (
        <ul class="muted" data-testid="audit-evidence">
          {evidence.map((e) => (
            <li key={e} data-evidence={e}>
              {evidenceText(e)}
            </li>
          ))}
        </ul>
      )}
      <p class="stats" data-testid="audit-summary" data-fixes={track.points.length} data-distance-m={Math.round(distanceM)}>
        {figures}
        {revoked.map((r) => (
          <strong key={r.deviceId} class="form-error audit-revoked" data-testid="audit-after-revocation" data-n={r.receivedAfter} data-revoked-at={r.revokedAt}>
            {r.text}
          </strong>
        ))}
      </p>
      {analysis.value && analysis.value !== 'failed' && (
        <>
          <ShiftFacts shift={shift} analysis={analysis.value} track={track} completion={extras.completion} />
          <Flags flags={analysis.value.flags} onSeek={seek} />
        </>
      )}
      {track.points.length > 0 ? (
        <>
          {mapOn.value && (
            <LazyAuditMap
              route={route}
              position={here && { lat: here.point.lat, lon: here.point.lon, accuracy: here.point.accuracy }}
              checkpoints={checkpoints.value}
              native={native?.points ?? []}
              flagged={flagged}
              onSnapshot={(take) => (takeSnapshot.current = take)}
            />
          )}
          {flagged.length > 0 && <FlagLegend flagged={flagged} />}
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
          </div>
          <div class="task-actions" role="group" aria-label={t('audit.exports')}>
            <button
              type="button"
              onClick={() => downloadText(routeGpx(segments, `${shift.name} ${shift.badge} ${shift.startedAt}`), `${fileName}.gpx`, 'application/gpx+xml')}
            >
              {t('audit.gpx')}
            </button>
            <button
              type="button"
              onClick={() =>
                downloadText(routeGeoJson(segments, `${shift.name} ${shift.badge} ${shift.startedAt}`), `${fileName}.geojson`, 'application/geo+json')
              }
            >
              {t('audit.geojson')}
            </button>
            <button type="button" onClick={() => downloadText(routeCsv(segments, native?.points ?? []), `${fileName}.csv`, 'text/csv')}>
              {t('audit.csv')}
            </button>
            <button type="button" onClick={() => void print()} disabled={!verdict || !analysis.value}>
              {t('audit.print')}
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
              {isBackdatingFlag(c.verdictReason) && ` · ${t(`audit.pointFlag.${c.verdictReason}`)}`}
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
        {incidents.map((incident) => (
          <li key={incident.incidentId} class="task" data-mark="incident" data-state={incident.status}>
            <button type="button" class="audit-pick" onClick={() => seek(incident.occurredAt)}>
              {formatTime(incident.occurredAt)} ·{' '}
              {t('audit.incidentMark', { category: categoryName(incident.category), state: t(INCIDENT_STATE_KEYS[incident.status]) })}
            </button>
          </li>
        ))}
      </ul>
      {verdict && (
        <PrintReport
          shift={shift}
          completion={extras.completion}
          track={track}
          verdict={verdict}
          verdictKey={VERDICT_KEYS[verdict]}
          evidence={evidence}
          analysis={analysis.value === 'failed' ? null : analysis.value}
          summary={summary}
          snapshot={snapshot.value}
        />
      )}
    </div>
  );
}

/** The map's key when points are flagged: the signed route, and each flag drawn on it with how many points carry it. */
function FlagLegend({ flagged }: { flagged: ReadonlyArray<{ flag: BackdatingFlag }> }) {
  const present = BACKDATING_FLAGS.map((flag) => ({ flag, n: flagged.filter((p) => p.flag === flag).length })).filter((f) => f.n > 0);
  return (
    <ul class="map-legend audit-legend" data-testid="audit-legend">
      <li class="audit-legend-route" style={`--mark: ${ROUTE_COLOUR}`}>
        {t('audit.legend.route')}
      </li>
      {present.map(({ flag, n }) => (
        <li key={flag} data-flag={flag} data-n={n} style={`--mark: ${FLAG_COLOURS[flag]}`}>
          {t('audit.legend.flagged', { what: t(`audit.pointFlag.${flag}`), n })}
        </li>
      ))}
    </ul>
  );
}

const isBackdatingFlag = (reason: string): reason is BackdatingFlag => (BACKDATING_FLAGS as readonly string[]).includes(reason);

/** The segments as the route layer draws them: a gap entry between segments breaks the line. */
function asRoute(segments: readonly Segment[]): TrackEntry[] {
  let seq = 0;
  return segments.flatMap((s, i) => [
    ...(i > 0 ? [{ shiftId: '', seq: seq++, kind: 'gap' as const, lat: 0, lon: 0, accuracy: 0, fixAt: s[0]!.fixAt }] : []),
    ...s.map((p) => ({ shiftId: '', seq: seq++, kind: 'fix' as const, lat: p.lat, lon: p.lon, accuracy: p.accuracy, fixAt: p.fixAt })),
  ]);
}
